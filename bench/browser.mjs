// Benchmark (not a test) of SPEC §4's speed bar, in real Chromium: `track()` on the message exactly as
// the RudderStack SDK hands it to a device-mode integration, against `JSON.stringify` of that message.
//   npm run bench:browser [-- --profile] [--json] [--write-fixture] [--rounds N]
//   --profile        also run the workload under the Chromium CPU profiler, on dist/Kissmetrics.js
//   --rounds N       rounds per setting (default 15); more give steadier medians on a busy machine
//   --json           print one JSON object instead of the report
//   --write-fixture  save the captured message as bench/fixtures/track-message.json (bench/track.mjs reads it)
// Needs `npm run build` (the npm script runs it) and Chromium (/usr/bin/chromium, or CHROMIUM_PATH).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import * as prettier from 'prettier';
import { locator, selfTimes } from './lib/profile.mjs';
import { WRITE_KEY, destinationConfig, startServer } from './lib/server.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURE = join(ROOT, 'bench/fixtures/track-message.json');
// The launch of the browser tests, shared (test/e2e/chromium.cjs).
const { CHROMIUM_ARGS, chromiumPath } = createRequire(import.meta.url)('../test/e2e/chromium.cjs');
const CHROMIUM_PATH = chromiumPath();

const DEFAULT_ROUNDS = 15;
// Each track() round is sized to take about this long, long enough for performance.now()'s coarse
// clock (100 µs in Chromium) and short enough to interleave many rounds on a busy machine.
const TARGET_ROUND_MS = 75;
const CALIBRATION_MIN_MS = 20;
const WARM_UP_CALLS = 2_000;
const CAPTURE_TIMEOUT_MS = 30_000;
const PROFILE_SAMPLING_INTERVAL_US = 100;
const PROFILE_TOP = 10;
const BUNDLE_URL_SUFFIX = '/dist/Kissmetrics.js';

// What the page tells the SDK: a signed-in user, then an order with nested properties and two products.
const IDENTIFY = ['user-1234', { email: 'ada@example.com', name: 'Ada Lovelace', plan: 'pro' }];
const TRACK = [
  'Order Completed',
  {
    orderId: 'o-98765',
    total: '$1,299.99',
    currency: 'USD',
    coupon: null,
    shipping: { method: 'express', address: { city: 'Brussels', country: 'BE' }, cost: 9.5 },
    tags: ['gift', 'priority'],
    products: [
      { product_id: 'p1', sku: 'SKU-1', name: 'Tintin poster', price: 19.99, quantity: 2, category: 'Posters' },
      { product_id: 'p2', sku: 'SKU-2', name: 'Snowy mug', price: 12.5, quantity: 1, attributes: { color: 'white' } },
    ],
  },
];

/**
 * Runs in the page. Wraps our class's `track` so that the first call the SDK makes is copied into
 * `window.benchCaptured` (as plain JSON data, the way the fixture stores it) and the wrapper removes
 * itself; then loads the real SDK offline, and makes the SDK calls.
 */
function loadSdkAndCallInPage({ baseUrl, writeKey, identify, track }) {
  const { Kissmetrics } = window.Kissmetrics_RS;
  const original = Kissmetrics.prototype.track;
  Kissmetrics.prototype.track = function (event) {
    Kissmetrics.prototype.track = original;
    window.benchCaptured = {
      argumentKeys: Object.keys(event),
      message: JSON.parse(JSON.stringify(event.message)),
    };
    return original.call(this, event);
  };
  const sdk = new window.rudderanalytics.RudderAnalytics();
  sdk.load(writeKey, baseUrl, {
    configUrl: baseUrl,
    destSDKBaseURL: `${baseUrl}/dist`,
    plugins: ['DeviceModeDestinations', 'NativeDestinationQueue', 'XhrQueue', 'StorageEncryption'],
    polyfillIfRequired: false,
    storage: { migrate: false },
  });
  sdk.identify(...identify);
  sdk.track(...track);
}

/**
 * Runs in the page: sets up `window.benchRounds`, whose `track(calls)` makes `calls` ×
 * `integration.track({ message })` and `stringify(calls)` `calls` × `JSON.stringify(message)`, each
 * returning its `performance.now()` milliseconds; warms both up and sizes a track round to
 * `targetRoundMs`. Every track round checks that all commands were pushed, so a dropped event (which
 * would be cheap) can never pass for a fast one. Declared with `function`, not as arrows, so that the
 * source Playwright sends keeps the names the profile shows.
 */
function setUpRoundsInPage({ config, targetRoundMs, calibrationMinMs, warmUpCalls }) {
  const { message } = window.benchCaptured;
  const queue = window._kmq;
  // Before the Kissmetrics library arrives `_kmq` is a plain array: what every page pays at first.
  if (!Array.isArray(queue) || queue.push !== Array.prototype.push)
    throw new Error('window._kmq should be a plain array (Kissmetrics library blocked); got something else');
  const integration = new window.Kissmetrics_RS.Kissmetrics(config, { logLevel: 'WARN' });
  integration.init();
  const event = { message };
  queue.length = 0;
  integration.track(event);
  const pushed = queue.map((command) => [command[0], Object.keys(command[command.length - 1]).length]);
  if (!pushed.length) throw new Error('track() pushed nothing for the captured message (see its page warning)');

  function trackRound(calls) {
    queue.length = 0;
    const start = performance.now();
    for (let i = 0; i < calls; i += 1) integration.track(event);
    const ms = performance.now() - start;
    if (queue.length !== calls * pushed.length)
      throw new Error(`track() pushed ${queue.length} commands in ${calls} calls, expected ${calls * pushed.length}`);
    queue.length = 0;
    return ms;
  }
  // Kept on window so that no JSON.stringify call can be optimised away as unused.
  window.benchJsonChars = 0;
  function stringifyRound(calls) {
    let chars = 0;
    const start = performance.now();
    for (let i = 0; i < calls; i += 1) chars += JSON.stringify(message).length;
    const ms = performance.now() - start;
    window.benchJsonChars += chars;
    return ms;
  }

  trackRound(warmUpCalls);
  stringifyRound(warmUpCalls);
  let probeCalls = 100;
  while (trackRound(probeCalls) < calibrationMinMs) probeCalls *= 2;
  // The fastest of a few probes: one probe slowed by another process would make every round too short.
  const probeMs = Math.min(...[1, 2, 3].map(() => trackRound(probeCalls)));
  window.benchRounds = { track: trackRound, stringify: stringifyRound };
  return { calls: Math.max(1, Math.round((probeCalls * targetRoundMs) / probeMs)), pushed };
}

/** CPU time the page's main thread has used so far: unlike wall time, other processes do not inflate it. */
const mainThreadMs = async (cdp) => {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const seconds = metrics.find((metric) => metric.name === 'ThreadTime')?.value;
  if (typeof seconds !== 'number') throw new Error('CDP Performance.getMetrics has no ThreadTime metric');
  return 1000 * seconds;
};

/**
 * Interleaved rounds of track() and JSON.stringify in `page`, for one `prefixProperties` setting:
 * per round, each side's `performance.now()` time in the page and its main-thread CPU time from CDP.
 * One page task per round, so the page's own timers still run between rounds.
 */
const runRounds = async (page, cdp, prefixProperties, rounds) => {
  const { calls, pushed } = await page.evaluate(setUpRoundsInPage, {
    config: destinationConfig(prefixProperties),
    targetRoundMs: TARGET_ROUND_MS,
    calibrationMinMs: CALIBRATION_MIN_MS,
    warmUpCalls: WARM_UP_CALLS,
  });
  const samples = [];
  for (let round = 0; round < rounds; round += 1) {
    // Alternate the order, so that neither side always runs right after the other's garbage.
    const order = round % 2 === 0 ? ['track', 'stringify'] : ['stringify', 'track'];
    const sample = {};
    for (const side of order) {
      const cpuBefore = await mainThreadMs(cdp);
      const wallMs = await page.evaluate(({ name, n }) => window.benchRounds[name](n), { name: side, n: calls });
      sample[side] = { wallMs, cpuMs: (await mainThreadMs(cdp)) - cpuBefore };
    }
    samples.push(sample);
  }
  return { calls, pushed, samples };
};

const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** Medians per call (µs) and of the per-round ratios, for one clock (`wallMs` or `cpuMs`). */
const byClock = (samples, calls, clock) => {
  const ratios = samples.map((sample) => sample.track[clock] / sample.stringify[clock]);
  const usPerCall = (side) => (1000 * median(samples.map((sample) => sample[side][clock]))) / calls;
  return {
    trackUsPerCall: usPerCall('track'),
    stringifyUsPerCall: usPerCall('stringify'),
    ratio: median(ratios),
    ratioMin: Math.min(...ratios),
    ratioMax: Math.max(...ratios),
  };
};

const summarise = (prefixProperties, { calls, pushed, samples }) => ({
  prefixProperties,
  callsPerRound: calls,
  rounds: samples.length,
  pushed,
  wall: byClock(samples, calls, 'wallMs'),
  cpu: byClock(samples, calls, 'cpuMs'),
  samples,
});

/** A fresh page on `bundle` with the SDK loaded and the message it handed to our `track()`. */
const openBenchPage = async (browser, baseUrl, bundle) => {
  const context = await browser.newContext();
  const aborted = [];
  // Only 127.0.0.1 is reachable. The Kissmetrics scripts are refused too, so `_kmq` stays an array.
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === '127.0.0.1') return route.continue();
    aborted.push(url.origin + url.pathname);
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  // Our warnings say why an event was dropped, should the benchmark refuse to time it.
  page.on('console', (message) => {
    if (message.type() === 'warning') process.stderr.write(`page warning: ${message.text()}\n`);
  });
  await page.goto(`${baseUrl}/?bundle=${bundle}`);
  await page.evaluate(loadSdkAndCallInPage, { baseUrl, writeKey: WRITE_KEY, identify: IDENTIFY, track: TRACK });
  try {
    await page.waitForFunction(() => window.benchCaptured !== undefined, undefined, { timeout: CAPTURE_TIMEOUT_MS });
  } catch (error) {
    throw new Error(
      `The SDK did not call track() on our integration within ${CAPTURE_TIMEOUT_MS} ms ` +
        `(page errors: ${JSON.stringify(pageErrors)})`,
      { cause: error },
    );
  }
  const captured = await page.evaluate(() => window.benchCaptured);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  return { context, page, cdp, captured, aborted };
};

/** The same rounds under the CPU profiler, on the non-minified bundle so that names and lines are ours. */
const profileRounds = async ({ page, cdp }, prefixProperties, rounds, locate) => {
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: PROFILE_SAMPLING_INTERVAL_US });
  await cdp.send('Profiler.start');
  await runRounds(page, cdp, prefixProperties, rounds);
  const { profile } = await cdp.send('Profiler.stop');
  await cdp.send('Profiler.disable');
  // Any frame of our bundle, not only track(): V8 sometimes records a sample with a truncated stack.
  const isOurs = (frame) => frame.url.endsWith(BUNDLE_URL_SUFFIX);
  const times = selfTimes(profile, isOurs, locate);
  return {
    prefixProperties,
    busyMs: times.busyMs,
    oursMs: times.oursMs,
    ours: times.ours.slice(0, PROFILE_TOP),
    rest: times.rest.slice(0, PROFILE_TOP),
  };
};

const writeFixture = async (message) => {
  const options = (await prettier.resolveConfig(FIXTURE)) ?? {};
  writeFileSync(FIXTURE, await prettier.format(JSON.stringify(message), { ...options, parser: 'json' }));
};

const keysOf = (value) => (value && typeof value === 'object' ? Object.keys(value).sort() : []);

const describeMessage = ({ argumentKeys, message }) => ({
  jsonBytes: Buffer.byteLength(JSON.stringify(message)),
  argumentKeys,
  keys: keysOf(message),
  contextKeys: keysOf(message.context),
  propertiesKeys: keysOf(message.properties),
  products: Array.isArray(message.properties?.products) ? message.properties.products.length : 0,
});

const fixed = (value, digits) => value.toFixed(digits);
const pad = (text, width) => String(text).padEnd(width);
const padStart = (text, width) => String(text).padStart(width);

const printReport = (report) => {
  const { message } = report;
  console.log(`track() vs JSON.stringify in Chromium ${report.chromium}`);
  console.log(`  @rudderstack/analytics-js ${report.sdkVersion}, dist/Kissmetrics.min.js ${report.bundleBytes} bytes`);
  console.log(`message handed to track(${message.argumentKeys.join(', ')}): ${message.jsonBytes} bytes of JSON`);
  console.log(`  keys:       ${message.keys.join(', ')}`);
  console.log(`  context:    ${message.contextKeys.join(', ')}`);
  console.log(`  properties: ${message.propertiesKeys.join(', ')} (${message.products} products)`);
  console.log(`  aborted outside requests: ${report.aborted.join(', ') || 'none'}`);
  console.log(`\n${report.rounds} interleaved rounds; medians; µs per call; ratio = track() / JSON.stringify`);
  console.log('                  calls/   performance.now() in the page         main-thread CPU time (CDP)');
  console.log('prefixProperties  round    track  stringify  ratio (min-max)     track  stringify  ratio (min-max)');
  const clock = (c) =>
    `${padStart(fixed(c.trackUsPerCall, 2), 7)}  ${padStart(fixed(c.stringifyUsPerCall, 2), 9)}  ` +
    `${padStart(fixed(c.ratio, 2), 4)}x ${pad(`(${fixed(c.ratioMin, 2)}-${fixed(c.ratioMax, 2)})`, 12)}`;
  for (const r of report.results)
    console.log(
      `${pad(r.prefixProperties, 16)}${padStart(r.callsPerRound, 7)}  ${clock(r.wall)}  ${clock(r.cpu)}`.trimEnd(),
    );
  const pushes = (report.results[0]?.pushed ?? []).map(([command, keys]) => `${command} (${keys} properties)`);
  console.log(`each track() pushes: ${pushes.join(', ')}`);
  console.log('target (SPEC §4): ratio <= 1.00 with prefixProperties on and off');
  console.log(
    'performance.now() is what the page waits for; CPU time leaves out other processes and GC helper threads',
  );
  for (const p of report.profiles ?? []) {
    console.log(
      `\nprofile, prefixProperties ${p.prefixProperties} (dist/Kissmetrics.js, ${PROFILE_SAMPLING_INTERVAL_US} µs ` +
        `sampling): ${fixed(p.busyMs, 0)} ms busy, ${fixed(p.oursMs, 0)} ms in track() and what it calls`,
    );
    const table = (title, rows) => {
      console.log(`  ${title}`);
      console.log(`  ${padStart('self ms', 8)}  ${padStart('%', 5)}  ${pad('function', 28)}location`);
      for (const row of rows)
        console.log(
          `  ${padStart(fixed(row.selfMs, 1), 8)}  ${padStart(fixed(row.percent, 1), 5)}  ${pad(row.name, 28)}${row.location}`,
        );
    };
    table('top self time in our code (% of the time in our code)', p.ours);
    table('top self time elsewhere (% of busy time: JSON.stringify rounds, GC, harness)', p.rest);
  }
};

const main = async () => {
  const { values } = parseArgs({
    options: {
      profile: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      'write-fixture': { type: 'boolean', default: false },
      rounds: { type: 'string', default: String(DEFAULT_ROUNDS) },
    },
  });
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1)
    throw new Error(`--rounds ${values.rounds}: expected a whole number >= 1`);
  const bundlePath = join(ROOT, 'dist/Kissmetrics.min.js');
  if (!existsSync(bundlePath) || !existsSync(join(ROOT, 'dist/Kissmetrics.js')))
    throw new Error(`${bundlePath} or dist/Kissmetrics.js is missing: run npm run build first`);
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: install it (apt-get install chromium) or set CHROMIUM_PATH`,
    );

  const server = await startServer(ROOT);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  try {
    const shipped = await openBenchPage(browser, server.baseUrl, 'Kissmetrics.min.js');
    const results = [];
    for (const prefixProperties of [false, true])
      results.push(summarise(prefixProperties, await runRounds(shipped.page, shipped.cdp, prefixProperties, rounds)));
    await shipped.context.close();
    if (values['write-fixture']) await writeFixture(shipped.captured.message);

    const report = {
      chromium: browser.version(),
      sdkVersion: JSON.parse(readFileSync(join(ROOT, 'node_modules/@rudderstack/analytics-js/package.json'), 'utf8'))
        .version,
      bundleBytes: readFileSync(bundlePath).length,
      message: describeMessage(shipped.captured),
      aborted: [...new Set(shipped.aborted)],
      rounds,
      results,
    };
    if (values.profile) {
      const readable = await openBenchPage(browser, server.baseUrl, 'Kissmetrics.js');
      const locate = locator(ROOT, join(ROOT, 'dist/Kissmetrics.js'), BUNDLE_URL_SUFFIX);
      report.profiles = [];
      for (const prefixProperties of [false, true])
        report.profiles.push(await profileRounds(readable, prefixProperties, rounds, locate));
      await readable.context.close();
    }
    if (values.json) console.log(JSON.stringify(report, null, 2));
    else printReport(report);
    if (values['write-fixture'] && !values.json) console.log(`\nwrote ${FIXTURE}`);
  } finally {
    await browser.close();
    await server.close();
  }
};

main().catch((error) => {
  const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
  console.error(`bench:browser failed: ${error instanceof Error ? error.message : String(error)}${cause}`);
  process.exitCode = 1;
});
