/**
 * The integration inside the real RudderStack JS SDK (bundled UMD build, v3) in headless Chromium: the
 * SDK fetches its source config from a local server, loads our bundle as a device-mode destination, and
 * the Kissmetrics library is a local fake that records every call. Nothing leaves 127.0.0.1.
 */
import { BROWSER_TEST_MS, describeWithChromium, KM_KEY_SCRIPT_URL, KM_LIBRARY_URL } from './browser';
import { dataPlaneSeconds, sdkPageProperties, sdkPageWorld } from './sdkPage';
import type { LibraryArrival } from './browser';
import {
  API_KEY,
  SDK_READY_LIMIT_MS,
  callSdk,
  destinationsState,
  eventually,
  integrationLive,
  kissmetricsCalls,
  loadAndCall,
  openScenario,
  waitingCommands,
} from './scenario';
import type { KmCall, LoadSettings, Scenario } from './scenario';
import { EARLY_CALLS, expectedEarly, expectedEarlyPrefixed, expectedLive, LIVE_CALLS, prefixed } from './calls';
import { DESTINATION_ID } from './server';
import type { E2eServer } from './server';

const LIBRARY_DELAY_MS = 15_000;

const hitsOn = (server: E2eServer, path: string): number =>
  server.hits.filter((hit) => hit.path === path || hit.path.startsWith(`${path}/`)).length;

describeWithChromium('Kissmetrics inside the RudderStack JS SDK, in Chromium', (chromiumPath) => {
  const world = sdkPageWorld(chromiumPath);

  /** Opens the page, loads the SDK with the early calls, waits for the integration, makes the live calls. */
  const runCalls = async (
    arrival: LibraryArrival,
    load: LoadSettings,
    scriptTag = false,
    clock = false,
  ): Promise<Scenario> => {
    world.scenario = await openScenario(world.browser, world.server, { arrival, scriptTag, clock });
    await loadAndCall(world.scenario.page, load, EARLY_CALLS);
    await integrationLive(world.scenario.page);
    await callSdk(world.scenario.page, LIVE_CALLS);
    return world.scenario;
  };

  it('loads the bundle from destSDKBaseURL and delivers every early and live call, in order, when the library arrives at once', async () => {
    const { page, pageUrl, traffic, problems } = await runCalls({ kind: 'at once' }, world.settings());

    expect(hitsOn(world.server, '/dist/Kissmetrics.min.js')).toBe(1);
    expect(
      await page.evaluate(
        () => typeof (window as { Kissmetrics_RS?: { Kissmetrics?: unknown } }).Kissmetrics_RS?.Kissmetrics,
      ),
    ).toBe('function');

    const expected = [
      ...expectedEarly(sdkPageProperties(pageUrl)),
      ...expectedLive(sdkPageProperties(pageUrl), await dataPlaneSeconds(world.server, 'Product Added')),
    ];
    expect(await kissmetricsCalls(page, expected.length)).toEqual(expected);
    expect(traffic.scripts).toEqual([KM_LIBRARY_URL, KM_KEY_SCRIPT_URL(API_KEY)]);
    await eventually('12 tracking requests', () => (traffic.tracking.length >= 12 ? true : undefined));
    expect(traffic.tracking.map((request) => request.split('?')[0])).toEqual([
      '/a',
      '/s',
      '/e',
      '/s',
      '/s',
      '/e',
      '/a',
      '/s',
      '/e',
      '/e',
      '/s',
      '/e',
    ]);
    expect(traffic.outside).toEqual([]);
    expect(problems).toEqual({ pageErrors: [], console: [] });
    expect(await destinationsState(page)).toEqual({ initialized: [DESTINATION_ID], failed: [] });
  });

  it('uses a bundle included with a <script> tag and requests nothing from destSDKBaseURL', async () => {
    const { page, pageUrl, problems } = await runCalls(
      { kind: 'at once' },
      world.settings({ destSDKBaseURL: `${world.server.baseUrl}/cdn` }),
      true,
    );

    const expected = [
      ...expectedEarly(sdkPageProperties(pageUrl)),
      ...expectedLive(sdkPageProperties(pageUrl), await dataPlaneSeconds(world.server, 'Product Added')),
    ];
    expect(await kissmetricsCalls(page, expected.length)).toEqual(expected);
    expect(hitsOn(world.server, '/dist/Kissmetrics.min.js')).toBe(1);
    expect(hitsOn(world.server, '/cdn')).toBe(0);
    expect(problems).toEqual({ pageErrors: [], console: [] });
  });

  it('prefixes track, page and product properties with prefixProperties: true', async () => {
    const { page, pageUrl } = await runCalls({ kind: 'at once' }, world.settings({ prefixProperties: true }));

    const productSeconds = await dataPlaneSeconds(world.server, 'Product Added');
    const expected: KmCall[] = [
      ...expectedEarlyPrefixed(sdkPageProperties(pageUrl)),
      [
        'record',
        'Video Played',
        {
          'Video Played - title': 'Intro',
          'Video Played - position': 0,
          'Video Played - muted': false,
          'Video Played - chapters': 'a,b',
        },
      ],
      ['record', 'Product Added', { 'Product Added - cart_id': 'c-9' }],
      ['set', { 'Product Added - sku': 'cb-3', 'Product Added - price': 12.5, _t: productSeconds, _d: 1 }],
      ['record', 'Viewed Pricing page', prefixed('Page', { name: 'Pricing', ...sdkPageProperties(pageUrl) })],
    ];
    expect(await kissmetricsCalls(page, expected.length)).toEqual(expected);
  });

  it(
    'loses and reorders nothing when the library arrives after the SDK readiness limit (15 s of the page clock)',
    async () => {
      const { page, pageUrl, problems } = await runCalls(
        { kind: 'page timer', delayMs: LIBRARY_DELAY_MS },
        world.settings(),
        false,
        true,
      );
      // The page's own time, which page.clock moves: the SDK has loaded and taken every call by now.
      const pageNow = (): Promise<number> => page.evaluate(() => Date.now());
      const started = await pageNow();
      const expected = [
        ...expectedEarly(sdkPageProperties(pageUrl)),
        ...expectedLive(sdkPageProperties(pageUrl), await dataPlaneSeconds(world.server, 'Product Added')),
      ];

      // While the library is on its way, every command waits in the _kmq array, in order.
      expect(await waitingCommands(page, expected.length)).toEqual(expected);
      expect(await page.evaluate(() => 'KM' in window)).toBe(false);

      // 15 s of the page's time: every poll and timer of the SDK runs, then the library arrives and replays.
      await page.clock.runFor(LIBRARY_DELAY_MS);
      expect(await kissmetricsCalls(page, expected.length)).toEqual(expected);
      expect((await pageNow()) - started).toBeGreaterThan(SDK_READY_LIMIT_MS);
      expect(await destinationsState(page)).toEqual({ initialized: [DESTINATION_ID], failed: [] });

      // Once the library is there, a new call runs at once.
      await callSdk(page, [['track', 'Checkout Started', { step: 1 }]]);
      expect(await kissmetricsCalls(page, expected.length + 1)).toEqual([
        ...expected,
        ['record', 'Checkout Started', { step: 1 }],
      ]);
      expect(problems).toEqual({ pageErrors: [], console: [] });
    },
    BROWSER_TEST_MS,
  );

  it('keeps the page working and the commands queued in _kmq when the library is blocked', async () => {
    const { page, pageUrl, problems, traffic } = await runCalls({ kind: 'blocked' }, world.settings());
    const expected = [
      ...expectedEarly(sdkPageProperties(pageUrl)),
      ...expectedLive(sdkPageProperties(pageUrl), await dataPlaneSeconds(world.server, 'Product Added')),
    ];

    expect(await waitingCommands(page, expected.length)).toEqual(expected);
    await eventually('both blocked scripts to be reported', () => (problems.console.length >= 2 ? true : undefined));
    expect(traffic.scripts).toEqual([KM_LIBRARY_URL, KM_KEY_SCRIPT_URL(API_KEY)]);
    expect(problems.pageErrors).toEqual([]);
    // The world.browser's own report of the two blocked requests is the only console output.
    expect([...problems.console].sort()).toEqual([
      expect.stringMatching(
        /^error: Failed to load resource: net::ERR_BLOCKED_BY_CLIENT.* \(https:\/\/i\.kissmetrics\.io\/i\.js\)$/,
      ),
      expect.stringMatching(
        new RegExp(
          `^error: Failed to load resource: net::ERR_BLOCKED_BY_CLIENT.* \\(${KM_KEY_SCRIPT_URL(API_KEY).replace(/[.]/g, '\\.')}\\)$`,
        ),
      ),
    ]);
    expect(await destinationsState(page)).toEqual({ initialized: [DESTINATION_ID], failed: [] });
    expect(await page.evaluate(() => 'KM' in window)).toBe(false);
    // The SDK and the page go on: the data plane gets every call.
    await eventually('8 data-plane posts', () => (world.server.posts.length >= 8 ? true : undefined));
    expect(world.server.posts.map((post) => post.path).sort()).toEqual([
      '/v1/alias',
      '/v1/group',
      '/v1/identify',
      '/v1/page',
      '/v1/page',
      '/v1/track',
      '/v1/track',
      '/v1/track',
    ]);
  });
});
