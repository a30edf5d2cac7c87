/** The `npm start` demo, as a visitor uses it: served by examples/serve.mjs, clicked in Chromium. */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { describeWithChromium, launchChromium, PAGE_WAIT_MS } from './browser';

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
    context.setDefaultTimeout(PAGE_WAIT_MS);
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

  type RowKind = 'call' | 'push' | 'km' | 'trk' | 'warn';

  const rows = (page: Page, kind: RowKind, part: 'code' | '.note' | '.what' = 'code'): Promise<string[]> =>
    page.locator(`#log li.${kind} ${part}`).allTextContents();

  /** The JSON shown in the rows of `kind` (key order aside, which JSON text does not promise). */
  const jsonRows = async (page: Page, kind: 'push' | 'km' | 'trk'): Promise<unknown[]> =>
    (await rows(page, kind)).map((text) => JSON.parse(kind === 'km' ? `[${text}]` : text) as unknown);

  const openWithLibrary = async (): Promise<Page> => {
    const page = await openDemo('?library=now');
    await page.locator('#status', { hasText: 'stand-in library loaded' }).waitFor();
    return page;
  };

  it('shows the _kmq command and the library call when "Send track" is clicked', async () => {
    const page = await openWithLibrary();

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
  it('shows the integration’s own warning when it drops a call, and nothing else for that call', async () => {
    const page = await openWithLibrary();
    await page.getByRole('button', { name: 'No event name (dropped)' }).click();
    expect(JSON.parse(await page.locator('#track-json').inputValue())).toEqual({
      event: '',
      properties: { plan: 'pro' },
    });

    await page.getByRole('button', { name: 'Send track' }).click();
    await page.locator('#log li.warn').waitFor();

    expect(await rows(page, 'call')).toEqual(['track("", {"plan":"pro"})']);
    // The SDK hands an empty event name over as null; the warning is the integration's, word for word.
    expect(await rows(page, 'warn', '.what')).toEqual(['console.warn']);
    expect(await rows(page, 'warn')).toEqual(['Kissmetrics track: expected an event name, got null; nothing sent']);
    expect(await rows(page, 'push')).toEqual([]);
    expect(await rows(page, 'km')).toEqual([]);
    expect(outside).toEqual([]);
  });

  it('sends the Order Completed preset: a money-string revenue, two products, and the tracking requests they make', async () => {
    const page = await openWithLibrary();
    await page.getByRole('button', { name: 'Order Completed ($1,299.99, two products)' }).click();
    const before = Math.floor(Date.now() / 1000);
    await page.getByRole('button', { name: 'Send track' }).click();
    await page.locator('#log li.trk').nth(2).waitFor();
    const after = Math.ceil(Date.now() / 1000);

    const order = { order_id: 'o-1001', revenue: 1299.99, currency: 'USD', 'Billing Amount': 1299.99 };
    const keyboard = { sku: 'kb-1', name: 'Keyboard', price: 999.99, quantity: 1 };
    const mouse = { sku: 'ms-2', name: 'Mouse', price: 300, quantity: 1 };
    const pushed = await jsonRows(page, 'push');
    // T: Unix seconds of the event, stamped by the SDK when the button was clicked.
    const t = (pushed[1] as [string, { _t: number }] | undefined)?.[1]._t ?? NaN;
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(after);
    expect(pushed).toEqual([
      ['record', 'Order Completed', order],
      ['set', { ...keyboard, _t: t, _d: 1 }],
      ['set', { ...mouse, _t: t + 1, _d: 1 }],
    ]);
    expect(await jsonRows(page, 'km')).toEqual([
      ['Order Completed', order],
      [{ ...keyboard, _t: t, _d: 1 }],
      [{ ...mouse, _t: t + 1, _d: 1 }],
    ]);

    // Query strings carry text only. The three requests run in parallel and may finish in any order.
    const person = { _k: 'demo-api-key', _p: expect.stringMatching(/^anon-[a-z0-9]+$/) as unknown };
    const text = (props: Record<string, string | number>): Record<string, string> =>
      Object.fromEntries(Object.entries(props).map(([key, value]) => [key, String(value)]));
    const what = await rows(page, 'trk', '.what');
    const queries = (await jsonRows(page, 'trk')) as Record<string, string>[];
    const byTime = what
      .map((request, i) => [request, queries[i]] as const)
      .sort(([, a], [, b]) => (a?._t ?? '').localeCompare(b?._t ?? ''));
    expect(byTime).toEqual([
      ['GET /trk/e', { ...person, _n: 'Order Completed', ...text(order) }],
      ['GET /trk/s', { ...person, ...text({ ...keyboard, _t: t, _d: 1 }) }],
      ['GET /trk/s', { ...person, ...text({ ...mouse, _t: t + 1, _d: 1 }) }],
    ]);
    expect(await rows(page, 'warn')).toEqual([]);
    expect(outside).toEqual([]);
  });
});
