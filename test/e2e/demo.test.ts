/** The `npm start` demo, as a visitor uses it: served by examples/serve.mjs, clicked in Chromium. */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { describeWithChromium, launchChromium } from './browser';

const SERVE_SCRIPT = join(__dirname, '..', '..', 'examples', 'serve.mjs');

interface Demo {
  url: string;
  process: ChildProcess;
}

/** Runs `node examples/serve.mjs --port 0` and resolves with the address it prints. */
const startDemo = (): Promise<Demo> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SERVE_SCRIPT, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const read = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      const url = /http:\/\/127\.0\.0\.1:\d+\//.exec(output)?.[0];
      if (url) resolve({ url, process: child });
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('error', reject);
    child.once('exit', (code) => {
      reject(new Error(`the demo server exited (${String(code)}) before printing its address:\n${output}`));
    });
  });

const stopDemo = (demo: Demo): Promise<void> =>
  new Promise((resolve) => {
    if (demo.process.exitCode !== null) {
      resolve();
      return;
    }
    demo.process.once('exit', () => {
      resolve();
    });
    demo.process.kill();
  });

describeWithChromium('The npm start demo', (chromiumPath) => {
  let browser: Browser;
  let demo: Demo;
  let context: BrowserContext | undefined;
  let outside: string[];

  beforeAll(async () => {
    [browser, demo] = await Promise.all([launchChromium(chromiumPath), startDemo()]);
  });

  afterEach(async () => {
    await context?.close();
    context = undefined;
  });

  afterAll(async () => {
    await Promise.all([browser.close(), stopDemo(demo)]);
  });

  /** Opens the demo with `query`; requests to anything but the demo server are aborted and recorded. */
  const openDemo = async (query: string): Promise<Page> => {
    context = await browser.newContext();
    const page = await context.newPage();
    outside = [];
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(demo.url)) return route.continue();
      outside.push(url);
      return route.abort('blockedbyclient');
    });
    await page.goto(new URL(query, demo.url).href);
    return page;
  };

  const rows = (page: Page, kind: 'call' | 'push' | 'km', part: 'code' | '.note' = 'code'): Promise<string[]> =>
    page.locator(`#log li.${kind} ${part}`).allTextContents();

  /** The JSON shown in the rows of `kind` (key order aside, which JSON text does not promise). */
  const jsonRows = async (page: Page, kind: 'push' | 'km'): Promise<unknown[]> =>
    (await rows(page, kind)).map((text) => JSON.parse(kind === 'km' ? `[${text}]` : text) as unknown);

  it('shows the _kmq command and the library call when "Send track" is clicked', async () => {
    const page = await openDemo('?library=now');
    await page.locator('#status', { hasText: 'stand-in library loaded' }).waitFor();

    await page.getByRole('button', { name: 'Send track' }).click();
    await page.locator('#log li.km').waitFor();

    expect(await rows(page, 'call')).toEqual([
      'track("Product Viewed", {"sku":"kb-1","price":99.5,"details":{"color":"black"}})',
    ]);
    expect(await jsonRows(page, 'push')).toEqual([
      ['record', 'Product Viewed', { sku: 'kb-1', price: 99.5, 'details.color': 'black' }],
    ]);
    expect(await rows(page, 'push', '.note')).toEqual(['runs now']);
    expect(await jsonRows(page, 'km')).toEqual([
      ['Product Viewed', { sku: 'kb-1', price: 99.5, 'details.color': 'black' }],
    ]);
    expect(outside).toEqual([]);
  });

  it('sends edited JSON, prefixed, and queues it while the library is blocked', async () => {
    const page = await openDemo('?library=never&prefixProperties=true');
    await page
      .locator('#track-json')
      .fill(JSON.stringify({ event: 'Order Completed', properties: { revenue: '$1,299.99', coupon: null } }));

    await page.getByRole('button', { name: 'Send track' }).click();
    await page.locator('#log li.push').waitFor();

    expect(await jsonRows(page, 'push')).toEqual([
      ['record', 'Order Completed', { 'Order Completed - revenue': 1299.99, 'Billing Amount': 1299.99 }],
    ]);
    expect(await rows(page, 'push', '.note')).toEqual(['queued: library not loaded yet']);
    expect(await rows(page, 'km')).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { _kmq: unknown })._kmq)).toEqual([
      ['record', 'Order Completed', { 'Order Completed - revenue': 1299.99, 'Billing Amount': 1299.99 }],
    ]);
  });
});
