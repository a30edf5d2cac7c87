/**
 * Every `destSDKBaseURL` this repository prints (README, CONTRIBUTING, the examples' pages and READMEs)
 * must pass the RudderStack SDK's own URL check: an address it rejects makes the SDK log an error and
 * stop entirely. The check is the real SDK's, run in Chromium, not a copy of its pattern.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, relative } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { describeWithChromium, launchChromium } from './browser';
import { eventually, integrationLive, WRITE_KEY } from './scenario';
import { DATA_PLANE_URL, openSite, SCRIPT_NAME, SDK_VERSION } from './world';
import type { ExamplePage } from './world';

const ROOT = join(__dirname, '..', '..');
const SCANNED_EXTENSIONS = new Set(['.md', '.html', '.js', '.mjs']);
const NOT_SCANNED = new Set(['node_modules', 'dist']);

/** `destSDKBaseURL: 'https://…'` (load options) and `DEST_SDK_BASE_URL = 'https://…'` (the examples' constant). */
const BASE_URL_ASSIGNMENT = /\b(?:destSDKBaseURL|DEST_SDK_BASE_URL)\s*[:=]\s*(['"`])(https?:\/\/[^'"`\s]+)\1/g;

const baseUrlsIn = (text: string): string[] => [...text.matchAll(BASE_URL_ASSIGNMENT)].map((match) => match[2] ?? '');

const filesUnder = (folder: string): string[] =>
  readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    if (NOT_SCANNED.has(entry.name)) return [];
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return filesUnder(path);
    return SCANNED_EXTENSIONS.has(extname(entry.name)) ? [path] : [];
  });

interface Found {
  file: string;
  value: string;
}

/** Every value printed in the scanned files, with the file it is in (relative to the repository). */
const scan = (): Found[] =>
  [
    ...['README.md', 'CONTRIBUTING.md'].map((file) => join(ROOT, file)).filter((file) => existsSync(file)),
    ...filesUnder(join(ROOT, 'examples')),
  ].flatMap((path) => baseUrlsIn(readFileSync(path, 'utf8')).map((value) => ({ file: relative(ROOT, path), value })));

const FOUND = scan();
const VALUES = [...new Set(FOUND.map(({ value }) => value))];
const JSDELIVR_AT = 'https://cdn.jsdelivr.net/npm/rudderstack-kissmetrics@0.1.0/dist';
const JSDELIVR_PERCENT_40 = 'https://cdn.jsdelivr.net/npm/rudderstack-kissmetrics%400.1.0/dist';

/** A page with only the SDK, from jsDelivr as the examples load it. */
const SDK_PAGE = [
  '<!doctype html>',
  '<html lang="en"><head><meta charset="utf-8"><title>destSDKBaseURL check</title>',
  `<script src="https://cdn.jsdelivr.net/npm/@rudderstack/analytics-js@${SDK_VERSION}/dist/npm/modern/bundled/umd/index.js"></script>`,
  '</head><body></body></html>',
].join('\n');

/** Runs `load()` in the page with `destSDKBaseURL` and nothing else special, as the examples do. */
const loadWith = (page: Page, destSDKBaseURL: string): Promise<void> =>
  page.evaluate(
    ({ writeKey, dataPlaneUrl, baseUrl }) => {
      const { RudderAnalytics } = (
        window as unknown as {
          rudderanalytics: { RudderAnalytics: new () => { load(k: string, d: string, o: object): void } };
        }
      ).rudderanalytics;
      new RudderAnalytics().load(writeKey, dataPlaneUrl, { destSDKBaseURL: baseUrl });
    },
    { writeKey: WRITE_KEY, dataPlaneUrl: DATA_PLANE_URL, baseUrl: destSDKBaseURL },
  );

describe('the scan for destSDKBaseURL values', () => {
  it('reads both spellings, with either quote, and only http(s) addresses', () => {
    const text = [
      "analytics.load(KEY, URL, { destSDKBaseURL: 'https://cdn.example.com/rudderstack-kissmetrics/dist' });",
      'var DEST_SDK_BASE_URL = "https://cdn.jsdelivr.net/npm/rudderstack-kissmetrics%400.1.0/dist";',
      'destSDKBaseURL: `https://a.example/x`, destSDKBaseURL: origin + "/dist", DEST_SDK_BASE_URL = \'/dist\'',
    ].join('\n');
    expect(baseUrlsIn(text)).toEqual([
      'https://cdn.example.com/rudderstack-kissmetrics/dist',
      'https://cdn.jsdelivr.net/npm/rudderstack-kissmetrics%400.1.0/dist',
      'https://a.example/x',
    ]);
  });

  it('finds the values the examples print', () => {
    expect(FOUND.filter(({ file }) => file.startsWith('examples/'))).toEqual(
      [
        'examples/cdn/README.md',
        'examples/cdn/README.md',
        'examples/cdn/app.js',
        'examples/fail-closed/README.md',
        'examples/fail-closed/app.js',
      ].map((file) => ({ file, value: JSDELIVR_PERCENT_40 })),
    );
  });
});

describeWithChromium('The RudderStack SDK’s own check of every destSDKBaseURL in this repository', (chromiumPath) => {
  let browser: Browser;
  let site: string;
  let opened: ExamplePage | undefined;

  beforeAll(async () => {
    browser = await launchChromium(chromiumPath);
    site = await mkdtemp(join(tmpdir(), 'km-base-url-'));
    await writeFile(join(site, 'index.html'), SDK_PAGE);
  });

  afterEach(async () => {
    await opened?.context.close();
    opened = undefined;
  });

  afterAll(async () => {
    await browser.close();
    await rm(site, { recursive: true, force: true });
  });

  it.each(VALUES)('accepts %s: requests the source config and loads Kissmetrics.min.js from it', async (value) => {
    opened = await openSite(browser, { site, packageFolders: [value] });
    const { page, traffic, problems } = opened;
    await loadWith(page, value);
    // Either the SDK asks `value` for the script, or it has said why not: fail at once with its words.
    await eventually('the SDK to request the script or report a problem', () =>
      traffic.packageScripts.length > 0 || problems.console.length > 0 ? true : undefined,
    );
    expect(problems.console).toEqual([]);
    await integrationLive(page);

    expect(traffic.packageScripts).toEqual([{ url: `${value.replace(/\/+$/, '')}/${SCRIPT_NAME}`, outcome: 'served' }]);
    expect(traffic.controlPlane).toHaveLength(1);
    expect(traffic.rudderstackCdn).toEqual([]);
    expect(problems).toEqual({ pageErrors: [], console: [] });
  });

  it(`rejects ${JSDELIVR_AT} (an "@" in the path) and stops: what this check catches`, async () => {
    opened = await openSite(browser, { site, packageFolders: [JSDELIVR_AT] });
    const { page, traffic, problems } = opened;
    await loadWith(page, JSDELIVR_AT);

    const error = await eventually('the SDK’s error', () => problems.console[0]);
    expect(error).toContain(`ConfigManager:: The base URL "${JSDELIVR_AT}" for integrations is not valid.`);
    // The SDK gave up before working out where its source config is: it will never ask for it.
    const sourceConfigUrl = await page.evaluate(
      (writeKey) =>
        (
          window as unknown as {
            RudderStackGlobals: Record<string, { state: { lifecycle: { sourceConfigUrl: { value: unknown } } } }>;
          }
        ).RudderStackGlobals[writeKey]?.state.lifecycle.sourceConfigUrl.value ?? null,
      WRITE_KEY,
    );
    expect(sourceConfigUrl).toBeNull();
    expect(traffic.controlPlane).toEqual([]);
    expect(traffic.packageScripts).toEqual([]);
    expect(problems.console).toHaveLength(1);
  });
});
