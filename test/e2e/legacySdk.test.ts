/**
 * The integration inside RudderStack's legacy JavaScript SDK (`rudder-sdk-js` 2.52.x, the "v1.1" script,
 * from npm) in headless Chromium: the same dist/Kissmetrics.min.js as for v3, no build variant. The legacy
 * SDK maps the destination `KISSMETRICS` to `Kissmetrics.min.js`, calls methods only on an instance named
 * `KISSMETRICS`, polls `isLoaded()` at once and every second for 10 s and then drops the destination, and
 * applies `integrations` by name. Nothing leaves 127.0.0.1; the Kissmetrics library is the local fake.
 */
import { describeWithChromium, KM_KEY_SCRIPT_URL, KM_LIBRARY_URL } from './browser';
import { dataPlaneSeconds, sdkPageProperties, sdkPageWorld } from './sdkPage';
import type { LibraryArrival } from './browser';
import { EARLY_CALLS, expectedEarly, expectedLive, LIVE_CALLS } from './calls';
import {
  API_KEY,
  callLegacySdk,
  eventually,
  kissmetricsCalls,
  legacyReady,
  loadAndCallLegacy,
  openScenario,
  waitingCommands,
} from './scenario';
import type { KmCall, Scenario } from './scenario';
import type { E2eServer } from './server';

/** When the library arrives in the "late" case: past the legacy SDK's 10 s of isLoaded() polls. */
const LIBRARY_DELAY_MS = 15_000;
/** The legacy SDK's last isLoaded() poll is at 10 s; past this it has kept or dropped the destination. */
const LEGACY_POLL_WINDOW_MS = 11_000;
/** The one console error of every page on the legacy SDK: its deprecation notice. */
const DEPRECATION_NOTICE = /^error: This RudderStack JavaScript SDK package is deprecated/;

const hitsOn = (server: E2eServer, path: string): number => server.hits.filter((hit) => hit.path === path).length;

describeWithChromium(
  'Kissmetrics inside the legacy RudderStack SDK (rudder-sdk-js 2.52), in Chromium',
  (chromiumPath) => {
    const world = sdkPageWorld(chromiumPath);

    /** Opens the page, loads the legacy SDK with the early calls, waits for ready(), makes the live calls. */
    const runCalls = async (arrival: LibraryArrival, clock = false): Promise<Scenario> => {
      world.scenario = await openScenario(world.browser, world.server, { arrival, legacy: true, clock });
      await loadAndCallLegacy(world.scenario.page, world.settings(), EARLY_CALLS);
      await legacyReady(world.scenario.page);
      await callLegacySdk(world.scenario.page, LIVE_CALLS);
      return world.scenario;
    };

    const expectedCalls = async ({ pageUrl }: Scenario): Promise<KmCall[]> => [
      ...expectedEarly(sdkPageProperties(pageUrl)),
      ...expectedLive(sdkPageProperties(pageUrl), await dataPlaneSeconds(world.server, 'Product Added')),
    ];

    it('loads the same bundle from destSDKBaseURL and delivers every early and live call, in order, when the library arrives at once', async () => {
      const run = await runCalls({ kind: 'at once' });
      const { page, traffic, problems } = run;
      expect(hitsOn(world.server, '/dist/Kissmetrics.min.js')).toBe(1);
      const expected = await expectedCalls(run);
      expect(await kissmetricsCalls(page, expected.length)).toEqual(expected);
      expect(traffic.scripts).toEqual([KM_LIBRARY_URL, KM_KEY_SCRIPT_URL(API_KEY)]);
      expect(traffic.outside).toEqual([]);
      expect(problems.pageErrors).toEqual([]);
      expect(problems.console).toEqual([expect.stringMatching(DEPRECATION_NOTICE)]);
    });

    it('loses and reorders nothing when the library arrives after 15 s, well past the 10 s of isLoaded() polls (page clock)', async () => {
      const run = await runCalls({ kind: 'page timer', delayMs: LIBRARY_DELAY_MS }, true);
      const { page, problems } = run;
      const expected = await expectedCalls(run);

      // While the library is on its way, every command waits in the _kmq array, in order.
      expect(await waitingCommands(page, expected.length)).toEqual(expected);
      expect(await page.evaluate(() => 'KM' in window)).toBe(false);

      // 15 s of the page's time: every poll and timer of the SDK runs, then the library arrives and replays.
      await page.clock.runFor(LIBRARY_DELAY_MS);
      expect(await kissmetricsCalls(page, expected.length)).toEqual(expected);

      // The SDK kept the destination: a new call reaches the library at once.
      await callLegacySdk(page, [['track', 'Checkout Started', { step: 1 }]]);
      expect(await kissmetricsCalls(page, expected.length + 1)).toEqual([
        ...expected,
        ['record', 'Checkout Started', { step: 1 }],
      ]);
      expect(problems.pageErrors).toEqual([]);
      expect(problems.console).toEqual([expect.stringMatching(DEPRECATION_NOTICE)]);
    });

    it('keeps the page working and every call queued in _kmq when the library is blocked, past the 10 s of polls', async () => {
      const run = await runCalls({ kind: 'blocked' }, true);
      const { page, problems, traffic } = run;
      const expected = await expectedCalls(run);
      expect(await waitingCommands(page, expected.length)).toEqual(expected);

      await page.clock.runFor(LEGACY_POLL_WINDOW_MS);
      await callLegacySdk(page, [['track', 'Checkout Started', { step: 1 }]]);
      expect(await waitingCommands(page, expected.length + 1)).toEqual([
        ...expected,
        ['record', 'Checkout Started', { step: 1 }],
      ]);
      expect(await page.evaluate(() => 'KM' in window)).toBe(false);
      expect(traffic.scripts).toEqual([KM_LIBRARY_URL, KM_KEY_SCRIPT_URL(API_KEY)]);
      expect(problems.pageErrors).toEqual([]);
      // The deprecation notice and the world.browser's report of the two blocked requests.
      await eventually('both blocked scripts to be reported', () => (problems.console.length >= 3 ? true : undefined));
      expect([...problems.console].sort()).toEqual([
        expect.stringMatching(
          /^error: Failed to load resource: net::ERR_BLOCKED_BY_CLIENT.* \(https:\/\/i\.kissmetrics\.io\/i\.js\)$/,
        ),
        expect.stringMatching(
          /^error: Failed to load resource: net::ERR_BLOCKED_BY_CLIENT.* \(https:\/\/scripts\.kissmetrics\.io\//,
        ),
        expect.stringMatching(DEPRECATION_NOTICE),
      ]);
    });

    it.each(['KISSMETRICS', 'Kissmetrics'])(
      'a call with integrations: { %s: false } reaches nothing, the calls around it arrive',
      async (key) => {
        world.scenario = await openScenario(world.browser, world.server, {
          arrival: { kind: 'at once' },
          legacy: true,
        });
        const { page } = world.scenario;
        await loadAndCallLegacy(page, world.settings(), [['track', 'Before', { n: 1 }]]);
        await legacyReady(page);
        await callLegacySdk(page, [
          ['track', 'Hidden', { n: 2 }, { integrations: { [key]: false } }],
          ['track', 'After', { n: 3 }],
        ]);
        expect(await kissmetricsCalls(page, 2)).toEqual([
          ['record', 'Before', { n: 1 }],
          ['record', 'After', { n: 3 }],
        ]);
        // The SDK still sent the hidden call to the data plane.
        await eventually('the hidden call at the data plane', () =>
          world.server.posts.some((post) => (post.body as { event?: unknown }).event === 'Hidden') ? true : undefined,
        );
      },
    );

    it.each(['KISSMETRICS', 'Kissmetrics'])(
      'load() with integrations: { %s: false } never loads the script, and no call reaches Kissmetrics',
      async (key) => {
        world.scenario = await openScenario(world.browser, world.server, {
          arrival: { kind: 'at once' },
          legacy: true,
        });
        const { page, traffic } = world.scenario;
        await loadAndCallLegacy(page, world.settings({ loadOptions: { integrations: { All: true, [key]: false } } }), [
          ['track', 'Hidden', { n: 1 }],
        ]);
        await legacyReady(page);
        await eventually('the call at the data plane', () => (world.server.posts.length >= 1 ? true : undefined));
        expect(hitsOn(world.server, '/dist/Kissmetrics.min.js')).toBe(0);
        expect(await page.evaluate(() => ({ kmq: '_kmq' in window, rs: 'Kissmetrics_RS' in window }))).toEqual({
          kmq: false,
          rs: false,
        });
        expect(traffic.scripts).toEqual([]);
      },
    );
  },
);
