// Benchmark (not a test) of SPEC §4's speed bars, in real Chromium: our event methods on messages exactly
// as the RudderStack SDK hands them to a device-mode integration, against `JSON.stringify` of the same
// messages. Three workloads:
//   single  one order (nested properties, two products), the same message every call
//   pool    240 varied messages the SDK made from seeded calls (bench/fixtures/sdk-calls.mjs): track, page
//           and identify, 3-40 properties, nesting, products, money strings, different names and times
//   unique  the pool with a never-used serial number in every property and trait name: no name repeats
//   npm run bench:browser [-- --mode single,pool,unique] [--profile] [--json] [--write-fixture] [--rounds N]
//   --mode M,...     workloads to run (default: all three)
//   --profile        also run each workload under the Chromium CPU profiler, on dist/Kissmetrics.js
//   --rounds N       rounds per setting (default 15); more give steadier medians on a busy machine
//   --json           print one JSON object instead of the report
//   --write-fixture  save the single message as bench/fixtures/track-message.json (bench/track.mjs reads it)
// Needs `npm run build` (the npm script runs it) and Chromium (/usr/bin/chromium, or CHROMIUM_PATH).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import * as prettier from 'prettier';
import { sdkCalls } from './fixtures/sdk-calls.mjs';
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
/** Pool calls made at once; the SDK's destination queue drops what is past 100 events. */
const SDK_QUEUE_SLICE = 40;
const PROFILE_SAMPLING_INTERVAL_US = 100;
const PROFILE_TOP = 10;
const BUNDLE_URL_SUFFIX = '/dist/Kissmetrics.js';

const MODES = ['single', 'pool', 'unique'];
/**
 * SPEC §4's bars: CPU-time ratio to JSON.stringify, by workload and `prefixProperties`. The single
 * message has none: one message repeated is what caches favour most, so the bars are on the pool.
 */
const TARGETS = {
  pool: { false: 0.9, true: 1 },
  unique: { false: 1.2, true: 3 },
};

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
 * Runs in the page. Wraps our class's event methods so that every message the SDK hands over is copied
 * into `window.benchCaptured` (as plain JSON data, the way the fixture stores it), with the method it
 * came through and the keys of the argument; then loads the real SDK offline and makes `calls`.
 * `restoreMethodsInPage` puts the methods back before anything is timed.
 */
function loadSdkAndCaptureInPage({ baseUrl, writeKey, calls }) {
  const { prototype } = window.Kissmetrics_RS.Kissmetrics;
  window.benchCaptured = [];
  window.benchOriginals = {};
  for (const method of ['identify', 'track', 'page']) {
    const original = (window.benchOriginals[method] = prototype[method]);
    prototype[method] = function (event) {
      window.benchCaptured.push({
        method,
        argumentKeys: Object.keys(event),
        message: JSON.parse(JSON.stringify(event.message)),
      });
      return original.call(this, event);
    };
  }
  const sdk = (window.benchSdk = new window.rudderanalytics.RudderAnalytics());
  sdk.load(writeKey, baseUrl, {
    configUrl: baseUrl,
    destSDKBaseURL: `${baseUrl}/dist`,
    plugins: ['DeviceModeDestinations', 'NativeDestinationQueue', 'XhrQueue', 'StorageEncryption'],
    polyfillIfRequired: false,
    storage: { migrate: false },
  });
  for (const [method, ...args] of calls) sdk[method](...args);
}

function restoreMethodsInPage() {
  Object.assign(window.Kissmetrics_RS.Kissmetrics.prototype, window.benchOriginals);
}

/**
 * Runs in the page: sets up `window.benchRounds` for one workload, `pool` (`{ method, message }` as
 * captured). `track(calls)` makes `calls` event-method calls on the integration, going round the pool,
 * and `stringify(calls)` `calls` × `JSON.stringify(message)` of the same messages, each returning its
 * `performance.now()` milliseconds. With `unique`, `prepare(calls)` first makes `calls` copies of pool
 * messages in which every property and trait name carries a serial number never used before (ids inside
 * key names, as some sites send them), except `products`, `revenue` and `total`, which carry meaning:
 * no property name ever repeats, as on a cold page. Warms up and sizes a round to `targetRoundMs`. Every
 * round checks that all commands were pushed, so a dropped event (which would be cheap) can never pass
 * for a fast one. Declared with `function`, not as arrows, so that the source Playwright sends keeps
 * the names the profile shows.
 */
function setUpRoundsInPage({ config, pool, unique, targetRoundMs, calibrationMinMs, warmUpCalls }) {
  const queue = window._kmq;
  // Before the Kissmetrics library arrives `_kmq` is a plain array: what every page pays at first.
  if (!Array.isArray(queue) || queue.push !== Array.prototype.push)
    throw new Error('window._kmq should be a plain array (Kissmetrics library blocked); got something else');
  const integration = new window.Kissmetrics_RS.Kissmetrics(config, { logLevel: 'WARN' });
  integration.init();
  const base = pool.map(({ method, message }) => ({ method, event: { message } }));
  // Commands each pool message pushes: a round expects exactly their sum.
  const pushes = base.map(({ method, event }) => {
    queue.length = 0;
    integration[method](event);
    return queue.length;
  });
  queue.length = 0;
  if (pushes.some((count) => count === 0))
    throw new Error(`pool message ${pushes.indexOf(0)} pushed nothing (see its page warning)`);

  let serial = 0;
  const KEPT_NAMES = new Set(['products', 'revenue', 'total']);
  function renamed(value) {
    if (Array.isArray(value)) return value.map(renamed);
    if (value === null || typeof value !== 'object') return value;
    const out = {};
    for (const key of Object.keys(value))
      out[KEPT_NAMES.has(key) ? key : `${key}_${(serial += 1).toString(36)}`] = renamed(value[key]);
    return out;
  }
  function uniqueCopy({ method, event: { message } }) {
    const copy = { ...message };
    if (method === 'identify') {
      copy.context = { ...message.context, traits: renamed(message.context?.traits) };
      if (message.traits) copy.traits = renamed(message.traits);
    } else copy.properties = renamed(message.properties);
    return { method, event: { message: copy } };
  }

  let batch = base;
  function prepare(calls) {
    batch = unique ? Array.from({ length: calls }, (_, i) => uniqueCopy(base[i % base.length])) : base;
    // Collect now, untimed, the garbage of making the copies (and the previous batch): otherwise the first
    // collection in the timed round (our side allocates, JSON.stringify hardly does) would be charged for it.
    if (unique) window.gc();
  }
  function expectedPushes(calls) {
    let total = 0;
    for (let i = 0; i < calls; i += 1) total += pushes[i % pushes.length];
    return total;
  }
  function trackRound(calls) {
    queue.length = 0;
    const events = batch;
    const size = events.length;
    const start = performance.now();
    for (let i = 0; i < calls; i += 1) {
      const { method, event } = events[i % size];
      integration[method](event);
    }
    const ms = performance.now() - start;
    const expected = expectedPushes(calls);
    if (queue.length !== expected)
      throw new Error(`${calls} calls pushed ${queue.length} commands, expected ${expected}`);
    queue.length = 0;
    return ms;
  }
  // Kept on window so that no JSON.stringify call can be optimised away as unused.
  window.benchJsonChars = 0;
  function stringifyRound(calls) {
    const events = batch;
    const size = events.length;
    let chars = 0;
    const start = performance.now();
    for (let i = 0; i < calls; i += 1) chars += JSON.stringify(events[i % size].event.message).length;
    const ms = performance.now() - start;
    window.benchJsonChars += chars;
    return ms;
  }
  function timedTrack(calls) {
    prepare(calls);
    return trackRound(calls);
  }

  timedTrack(warmUpCalls);
  stringifyRound(warmUpCalls);
  let probeCalls = 100;
  while (timedTrack(probeCalls) < calibrationMinMs) probeCalls *= 2;
  // The fastest of a few probes: one probe slowed by another process would make every round too short.
  const probeMs = Math.min(...[1, 2, 3].map(() => timedTrack(probeCalls)));
  window.benchRounds = { prepare, track: trackRound, stringify: stringifyRound };
  const last = base[base.length - 1];
  queue.length = 0;
  integration[last.method](last.event);
  const commands = queue.map((command) => [command[0], Object.keys(command[command.length - 1]).length]);
  queue.length = 0;
  return { calls: Math.max(1, Math.round((probeCalls * targetRoundMs) / probeMs)), commands };
}

/** CPU time the page's main thread has used so far: unlike wall time, other processes do not inflate it. */
const mainThreadMs = async (cdp) => {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const seconds = metrics.find((metric) => metric.name === 'ThreadTime')?.value;
  if (typeof seconds !== 'number') throw new Error('CDP Performance.getMetrics has no ThreadTime metric');
  return 1000 * seconds;
};

/**
 * Interleaved rounds of our event methods and JSON.stringify in `page`, for one workload and one
 * `prefixProperties` setting: per round, each side's `performance.now()` time in the page and its
 * main-thread CPU time from CDP. One page task per round, so the page's own timers still run between
 * rounds; the unique workload's copies are made in a task of their own, before the round, untimed.
 */
const runRounds = async (page, cdp, { pool, unique }, prefixProperties, rounds) => {
  const { calls, commands } = await page.evaluate(setUpRoundsInPage, {
    config: destinationConfig(prefixProperties),
    pool,
    unique,
    targetRoundMs: TARGET_ROUND_MS,
    calibrationMinMs: CALIBRATION_MIN_MS,
    warmUpCalls: WARM_UP_CALLS,
  });
  const samples = [];
  for (let round = 0; round < rounds; round += 1) {
    if (unique) await page.evaluate((n) => window.benchRounds.prepare(n), calls);
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
  return { calls, commands, samples };
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

const summarise = (mode, prefixProperties, { calls, commands, samples }) => ({
  mode,
  prefixProperties,
  callsPerRound: calls,
  rounds: samples.length,
  commands,
  wall: byClock(samples, calls, 'wallMs'),
  cpu: byClock(samples, calls, 'cpuMs'),
  samples,
});

/**
 * A fresh page on `bundle` with the SDK loaded, the single message (the track of IDENTIFY, TRACK) and
 * the pool (the messages of `sdkCalls()`) as the SDK handed them to our integration.
 */
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
  const captured = (count) =>
    page
      .waitForFunction((n) => window.benchCaptured.length >= n, count, { timeout: CAPTURE_TIMEOUT_MS })
      .catch(async (error) => {
        const got = await page.evaluate(() => window.benchCaptured.length);
        throw new Error(
          `The SDK handed our integration ${got} of ${count} messages within ${CAPTURE_TIMEOUT_MS} ms ` +
            `(page errors: ${JSON.stringify(pageErrors)})`,
          { cause: error },
        );
      });
  const first = [
    ['identify', ...IDENTIFY],
    ['track', ...TRACK],
  ];
  await page.evaluate(loadSdkAndCaptureInPage, { baseUrl, writeKey: WRITE_KEY, calls: first });
  await captured(first.length);
  // In slices: the SDK's destination queue holds at most 100 events and drops the rest.
  const calls = sdkCalls();
  for (let done = 0; done < calls.length; done += SDK_QUEUE_SLICE) {
    const slice = calls.slice(done, done + SDK_QUEUE_SLICE);
    await page.evaluate((more) => {
      for (const [method, ...args] of more) window.benchSdk[method](...args);
    }, slice);
    await captured(first.length + done + slice.length);
  }
  await page.evaluate(restoreMethodsInPage);
  const messages = await page.evaluate(() => window.benchCaptured);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const single = messages[1];
  if (single?.method !== 'track')
    throw new Error(`expected the SDK's second call to be the track, got ${single?.method}`);
  return { context, page, cdp, single, pool: messages.slice(first.length), aborted };
};

/** What runRounds times for `mode`. */
const workload = ({ single, pool }, mode) => ({
  pool: mode === 'single' ? [single] : pool,
  unique: mode === 'unique',
});

/** The same rounds under the CPU profiler, on the non-minified bundle so that names and lines are ours. */
const profileRounds = async (bench, mode, prefixProperties, rounds, locate) => {
  const { cdp, page } = bench;
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: PROFILE_SAMPLING_INTERVAL_US });
  await cdp.send('Profiler.start');
  await runRounds(page, cdp, workload(bench, mode), prefixProperties, rounds);
  const { profile } = await cdp.send('Profiler.stop');
  await cdp.send('Profiler.disable');
  // Any frame of our bundle, not only the event methods: V8 sometimes records a sample with a truncated stack.
  const isOurs = (frame) => frame.url.endsWith(BUNDLE_URL_SUFFIX);
  const times = selfTimes(profile, isOurs, locate);
  return {
    mode,
    prefixProperties,
    busyMs: times.busyMs,
    oursMs: times.oursMs,
    ours: times.ours.slice(0, PROFILE_TOP),
    rest: times.rest.slice(0, PROFILE_TOP),
  };
};

const writeJson = async (file, value) => {
  const options = (await prettier.resolveConfig(file)) ?? {};
  writeFileSync(file, await prettier.format(JSON.stringify(value), { ...options, parser: 'json' }));
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

/** Counts every key below `value` (products included). */
const countKeys = (value) =>
  Array.isArray(value)
    ? value.reduce((sum, item) => sum + countKeys(item), 0)
    : value && typeof value === 'object'
      ? Object.values(value).reduce((sum, item) => sum + 1 + countKeys(item), 0)
      : 0;

const range = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return { min: sorted[0], median: median(sorted), max: sorted[sorted.length - 1] };
};

const describePool = (pool) => {
  const methods = {};
  for (const { method } of pool) methods[method] = (methods[method] ?? 0) + 1;
  const bag = ({ method, message }) => (method === 'identify' ? message.context?.traits : message.properties);
  return {
    messages: pool.length,
    methods,
    names: new Set(pool.map(({ message }) => message.event ?? message.name ?? message.userId)).size,
    times: new Set(pool.map(({ message }) => message.originalTimestamp)).size,
    jsonBytes: range(pool.map(({ message }) => Buffer.byteLength(JSON.stringify(message)))),
    topLevelKeys: range(pool.map((entry) => Object.keys(bag(entry) ?? {}).length)),
    allKeys: range(pool.map((entry) => countKeys(bag(entry)))),
    withProducts: pool.filter(({ message }) => Array.isArray(message.properties?.products)).length,
  };
};

const fixed = (value, digits) => value.toFixed(digits);
const pad = (text, width) => String(text).padEnd(width);
const padStart = (text, width) => String(text).padStart(width);
const rangeText = ({ min, median: middle, max }) => `${min}-${max} (median ${middle})`;

const printProfile = (p) => {
  console.log(
    `\nprofile, ${p.mode}, prefixProperties ${p.prefixProperties} (dist/Kissmetrics.js, ` +
      `${PROFILE_SAMPLING_INTERVAL_US} µs sampling): ${fixed(p.busyMs, 0)} ms busy, ${fixed(p.oursMs, 0)} ms in our code`,
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
};

const printReport = (report) => {
  const { message, pool } = report;
  console.log(`our event methods vs JSON.stringify in Chromium ${report.chromium}`);
  console.log(`  @rudderstack/analytics-js ${report.sdkVersion}, dist/Kissmetrics.min.js ${report.bundleBytes} bytes`);
  console.log(
    `single: the message handed to track(${message.argumentKeys.join(', ')}), ${message.jsonBytes} bytes of JSON`,
  );
  console.log(`  keys:       ${message.keys.join(', ')}`);
  console.log(`  context:    ${message.contextKeys.join(', ')}`);
  console.log(`  properties: ${message.propertiesKeys.join(', ')} (${message.products} products)`);
  const methods = Object.entries(pool.methods).map(([method, n]) => `${n} ${method}`);
  console.log(
    `pool: ${pool.messages} messages from the SDK (${methods.join(', ')}), ${pool.names} names, ${pool.times} times`,
  );
  console.log(`  JSON bytes ${rangeText(pool.jsonBytes)}; properties or traits ${rangeText(pool.topLevelKeys)},`);
  console.log(`  ${rangeText(pool.allKeys)} keys at every depth; ${pool.withProducts} with products`);
  console.log('unique: the pool, every property and trait name but products, revenue and total never seen before');
  console.log(`  aborted outside requests: ${report.aborted.join(', ') || 'none'}`);
  console.log(`\n${report.rounds} interleaved rounds; medians; µs per call; ratio = ours / JSON.stringify`);
  console.log('                         calls/  performance.now() in the page         main-thread CPU time (CDP)');
  console.log(
    'workload  prefixProps    round     ours  stringify  ratio (min-max)      ours  stringify  ratio (min-max)   target',
  );
  const clock = (c) =>
    `${padStart(fixed(c.trackUsPerCall, 2), 7)}  ${padStart(fixed(c.stringifyUsPerCall, 2), 9)}  ` +
    `${padStart(fixed(c.ratio, 2), 4)}x ${pad(`(${fixed(c.ratioMin, 2)}-${fixed(c.ratioMax, 2)})`, 12)}`;
  for (const r of report.results) {
    const target = TARGETS[r.mode]?.[r.prefixProperties];
    const verdict =
      target === undefined ? 'no bar' : `<= ${fixed(target, 1)}x ${r.cpu.ratio <= target ? 'met' : 'MISSED'}`;
    console.log(
      `${pad(r.mode, 10)}${pad(r.prefixProperties, 12)}${padStart(r.callsPerRound, 8)}  ${clock(r.wall)}  ${clock(r.cpu)}` +
        `  ${verdict}`,
    );
  }
  const single = report.results.find((r) => r.mode === 'single');
  if (single)
    console.log(
      `single: each track() pushes ${single.commands.map(([c, keys]) => `${c} (${keys} properties)`).join(', ')}`,
    );
  console.log('targets (SPEC §4) apply to the CPU-time ratio; performance.now() is what the page waits for, CPU');
  console.log('time leaves out other processes and GC helper threads');
  for (const p of report.profiles ?? []) printProfile(p);
};

const parseModes = (text) => {
  const modes = text.split(',').map((mode) => mode.trim());
  const unknown = modes.filter((mode) => !MODES.includes(mode));
  if (unknown.length || !modes.length)
    throw new Error(`--mode ${text}: expected a comma-separated list of ${MODES.join(', ')}`);
  return MODES.filter((mode) => modes.includes(mode));
};

const main = async () => {
  const { values } = parseArgs({
    options: {
      profile: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      'write-fixture': { type: 'boolean', default: false },
      rounds: { type: 'string', default: String(DEFAULT_ROUNDS) },
      mode: { type: 'string', default: MODES.join(',') },
    },
  });
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1)
    throw new Error(`--rounds ${values.rounds}: expected a whole number >= 1`);
  const modes = parseModes(values.mode);
  const bundlePath = join(ROOT, 'dist/Kissmetrics.min.js');
  if (!existsSync(bundlePath) || !existsSync(join(ROOT, 'dist/Kissmetrics.js')))
    throw new Error(`${bundlePath} or dist/Kissmetrics.js is missing: run npm run build first`);
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: install it (apt-get install chromium) or set CHROMIUM_PATH`,
    );

  const server = await startServer(ROOT);
  // `gc()` in the page: the unique workload collects the garbage of making its copies before each round.
  const args = [...CHROMIUM_ARGS, '--js-flags=--expose-gc'];
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args, headless: true });
  try {
    const shipped = await openBenchPage(browser, server.baseUrl, 'Kissmetrics.min.js');
    const results = [];
    for (const mode of modes)
      for (const prefixProperties of [false, true])
        results.push(
          summarise(
            mode,
            prefixProperties,
            await runRounds(shipped.page, shipped.cdp, workload(shipped, mode), prefixProperties, rounds),
          ),
        );
    await shipped.context.close();
    if (values['write-fixture']) await writeJson(FIXTURE, shipped.single.message);

    const report = {
      chromium: browser.version(),
      sdkVersion: JSON.parse(readFileSync(join(ROOT, 'node_modules/@rudderstack/analytics-js/package.json'), 'utf8'))
        .version,
      bundleBytes: readFileSync(bundlePath).length,
      message: describeMessage(shipped.single),
      pool: describePool(shipped.pool),
      aborted: [...new Set(shipped.aborted)],
      rounds,
      results,
    };
    if (values.profile) {
      const readable = await openBenchPage(browser, server.baseUrl, 'Kissmetrics.js');
      const locate = locator(ROOT, join(ROOT, 'dist/Kissmetrics.js'), BUNDLE_URL_SUFFIX);
      report.profiles = [];
      for (const mode of modes)
        for (const prefixProperties of [false, true])
          report.profiles.push(await profileRounds(readable, mode, prefixProperties, rounds, locate));
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
