/**
 * The plain-HTML examples as a user gets them: each folder copied alone, only the write key and the data
 * plane URL filled in, its own files served unchanged on an https origin, with the real RudderStack SDK
 * (from node_modules, where the page asks jsDelivr for it) in Chromium. Also what happens when the
 * `<script>` tag of this package fails, with and without the examples' protections.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describeWithChromium, KM_KEY_SCRIPT_URL, KM_LIBRARY_URL } from './browser';
import { copyExample, useExampleSites } from './exampleSite';
import { API_KEY, destinationsState, eventually, WRITE_KEY } from './scenario';
import type { KmCall } from './scenario';
import { DESTINATION_ID } from './server';
import {
  DATA_PLANE_URL,
  JSDELIVR_BASE_URL,
  JSDELIVR_TAG_FOLDER,
  kissmetricsCallsOf,
  SCRIPT_NAME,
  SDK_VERSION,
  sitePageProperties,
} from './world';
import type { ExamplePage, ScriptOutcome, WorldTraffic } from './world';

// The routes answer only for this package's version (package.json): an example with a stale address fails.
const TAG_URL = `${JSDELIVR_TAG_FOLDER}/${SCRIPT_NAME}`;
const BASE_URL_SCRIPT = `${JSDELIVR_BASE_URL}/${SCRIPT_NAME}`;
/** Where the SDK looks for a destination it has no script for, when no destSDKBaseURL is given. */
const RUDDERSTACK_KISSMETRICS_URL = `https://cdn.rudderlabs.com/${SDK_VERSION}/modern/js-integrations/${SCRIPT_NAME}`;
const SOURCE_CONFIG_URL =
  `https://api.rudderstack.com/sourceConfig/?p=npm&v=${SDK_VERSION}&build=modern&writeKey=${WRITE_KEY}` +
  '&lockIntegrationsVersion=true&lockPluginsVersion=true';

const SIGNED_UP: KmCall = ['record', 'Signed Up', { plan: 'pro', 'source.campaign': 'spring' }];
const loadedPage = (title: string): KmCall => ['record', 'Loaded a Page', sitePageProperties(title)];

/** What the browser prints for the failed `<script>` tag of this package. */
const failedTag = (outcome: ScriptOutcome): string =>
  outcome === 'blocked'
    ? `error: Failed to load resource: net::ERR_BLOCKED_BY_CLIENT.Inspector (${TAG_URL})`
    : `error: Failed to load resource: the server responded with a status of 404 (Not Found) (${TAG_URL})`;

const GUARD_WARNING =
  'warning: Kissmetrics.min.js did not load: the Kissmetrics destination is off on this page. ' +
  '(https://shop.example/app.js)';

/**
 * The paths the data plane received, sorted and each once (a retry is not the page's doing), once it has
 * received `paths`.
 */
const dataPlanePaths = (traffic: WorldTraffic, paths: string[]): Promise<string[]> =>
  eventually(`the data plane to receive ${paths.join(', ')}`, () => {
    const received = [...new Set(traffic.dataPlane.map((request) => request.path))].sort();
    return paths.every((path) => received.includes(path)) ? received : undefined;
  });

/** Resolves once the SDK has finished loading and has decided about every device-mode destination. */
const sdkSettled = async (page: Page): Promise<void> => {
  await page.waitForFunction((writeKey) => {
    interface SdkState {
      lifecycle: { status: { value: string } };
      nativeDestinations: { clientDestinationsReady: { value: boolean } };
    }
    const state = (window as unknown as { RudderStackGlobals?: Record<string, { state?: SdkState }> })
      .RudderStackGlobals?.[writeKey]?.state;
    return state?.lifecycle.status.value === 'readyExecuted' && state.nativeDestinations.clientDestinationsReady.value;
  }, WRITE_KEY);
};

const kissmetricsState = (page: Page): Promise<{ calls: unknown; queue: unknown }> =>
  page.evaluate(() => {
    const w = window as unknown as { __kmCalls?: unknown; _kmq?: unknown };
    return { calls: w.__kmCalls ?? null, queue: w._kmq ?? null };
  });

describeWithChromium('The examples, each copied alone and served as shipped', (chromiumPath) => {
  const open = useExampleSites(chromiumPath, ['cdn', 'script-tag', 'fail-closed']);

  /** page() on load, then the button: both reach Kissmetrics, exactly. */
  const expectPageAndButton = async (example: ExamplePage, title: string): Promise<void> => {
    expect(await kissmetricsCallsOf(example, 1)).toEqual([loadedPage(title)]);
    await example.page.getByRole('button', { name: 'Sign up' }).click();
    expect(await kissmetricsCallsOf(example, 2)).toEqual([loadedPage(title), SIGNED_UP]);
  };

  it.each([
    ['cdn', 'Kissmetrics through RudderStack: destSDKBaseURL', [BASE_URL_SCRIPT]],
    ['script-tag', 'Kissmetrics through RudderStack: script tag', [TAG_URL]],
    ['fail-closed', 'Kissmetrics through RudderStack: script tag with our own fallback', [TAG_URL]],
  ])(
    'examples/%s: page() and the button reach Kissmetrics, and nothing comes from RudderStack’s CDN',
    async (name, title, packageScripts) => {
      const example = await open(name);
      await expectPageAndButton(example, title);

      const { traffic, problems, page } = example;
      expect(await dataPlanePaths(traffic, ['/v1/page', '/v1/track'])).toEqual(['/v1/page', '/v1/track']);
      expect(traffic.packageScripts).toEqual(packageScripts.map((url) => ({ url, outcome: 'served' })));
      expect(traffic.sdk).toHaveLength(1);
      expect(traffic.controlPlane).toEqual([SOURCE_CONFIG_URL]);
      expect(traffic.scripts).toEqual([KM_LIBRARY_URL, KM_KEY_SCRIPT_URL(API_KEY)]);
      expect(traffic.rudderstackCdn).toEqual([]);
      expect(traffic.outside).toEqual([]);
      expect(problems).toEqual({ pageErrors: [], console: [] });
      expect(await destinationsState(page)).toEqual({ initialized: [DESTINATION_ID], failed: [] });
    },
  );

  it.each<ScriptOutcome>(['not found', 'blocked'])(
    'examples/script-tag, its tag %s: the destination is turned off, a warning says so, and nothing comes from RudderStack’s CDN',
    async (outcome) => {
      const { page, traffic, problems } = await open('script-tag', { firstPackageRequest: outcome });
      await sdkSettled(page);
      await page.getByRole('button', { name: 'Sign up' }).click();

      // The SDK and the rest of the page go on: the data plane gets both calls.
      expect(await dataPlanePaths(traffic, ['/v1/page', '/v1/track'])).toEqual(['/v1/page', '/v1/track']);
      expect(traffic.packageScripts).toEqual([{ url: TAG_URL, outcome }]);
      expect(traffic.rudderstackCdn).toEqual([]);
      expect(traffic.scripts).toEqual([]);
      expect(await kissmetricsState(page)).toEqual({ calls: null, queue: null });
      expect(await destinationsState(page)).toEqual({ initialized: [], failed: [] });
      expect(problems).toEqual({ pageErrors: [], console: [failedTag(outcome), GUARD_WARNING] });
      expect(traffic.outside).toEqual([]);
    },
  );

  it.each<ScriptOutcome>(['not found', 'blocked'])(
    'examples/fail-closed, its tag %s: the SDK loads this package from destSDKBaseURL and events reach Kissmetrics',
    async (outcome) => {
      const example = await open('fail-closed', { firstPackageRequest: outcome });
      await expectPageAndButton(example, 'Kissmetrics through RudderStack: script tag with our own fallback');

      const { traffic, problems, page } = example;
      expect(traffic.packageScripts).toEqual([
        { url: TAG_URL, outcome },
        { url: BASE_URL_SCRIPT, outcome: 'served' },
      ]);
      expect(traffic.rudderstackCdn).toEqual([]);
      expect(traffic.scripts).toEqual([KM_LIBRARY_URL, KM_KEY_SCRIPT_URL(API_KEY)]);
      expect(problems).toEqual({ pageErrors: [], console: [failedTag(outcome)] });
      expect(await destinationsState(page)).toEqual({ initialized: [DESTINATION_ID], failed: [] });
      expect(traffic.outside).toEqual([]);
    },
  );

  it('without that protection, a failed tag makes the SDK fetch RudderStack’s own Kissmetrics integration instead', async () => {
    // examples/script-tag's own index.html, with an app.js that has no guard and no destSDKBaseURL.
    const site = await copyExample('script-tag');
    open.sites.unguarded = site;
    await writeFile(
      join(site, 'app.js'),
      [
        'var analytics = new window.rudderanalytics.RudderAnalytics();',
        `analytics.load('${WRITE_KEY}', '${DATA_PLANE_URL}');`,
        'analytics.page();',
      ].join('\n'),
    );
    const { page, traffic } = await open('unguarded', { firstPackageRequest: 'not found' });

    expect(await eventually('a request to RudderStack’s CDN', () => traffic.rudderstackCdn[0])).toBe(
      RUDDERSTACK_KISSMETRICS_URL,
    );
    await sdkSettled(page);
    expect(traffic.rudderstackCdn).toEqual([RUDDERSTACK_KISSMETRICS_URL]);
    expect(traffic.packageScripts).toEqual([{ url: TAG_URL, outcome: 'not found' }]);
    // Answered 404 here; on a real page it would run RudderStack's mapping instead of this package's.
    expect(await destinationsState(page)).toEqual({ initialized: [], failed: [DESTINATION_ID] });
  });
});
