// Load and soak of `rudderstack-kissmetrics serve` (a benchmark, not a test). Run `npm run build` first:
//   node bench/serve-load.mjs [--connections 64] [--duration-s 300] [--sample-s 10] [--keep-alive] [--compacted] [--json]
//                              [--url http://host:port --pid N]   (a service already running, e.g. under --cpu-prof or behind the proxy)
// The built service runs in a child process, as rudder-server reaches it. `--connections` clients each
// post realistic 100-event batches shaped like rudder-server's (message, metadata, destination; with
// --compacted, `{input, destinations}` as rudder-server sends them when rudder-transformer answers
// /features) one after the other for `--duration-s`, on a new connection per call as rudder-server does
// by default (Transformer.Client.disableKeepAlives), or kept alive with --keep-alive. Every answer is
// checked: HTTP 200, apiVersion 2, JSON, every job of the batch answered and translated. It reports
// events and calls per second, latency percentiles, failed answers, and the service's memory (RSS) every
// `--sample-s`, with the largest RSS of the first and of the last fifth of the run (flat memory: close).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { clearInterval, setInterval } from 'node:timers';
import { parseArgs } from 'node:util';

const CLI = new URL('../dist/cli.mjs', import.meta.url).pathname;
const EVENTS_PER_BATCH = 100;
/** Distinct batches prepared before the run and posted in turn, so the client's own work stays small. */
const DISTINCT_BATCHES = 64;
const API_KEY = '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c';

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '64' },
    'duration-s': { type: 'string', default: '300' },
    'sample-s': { type: 'string', default: '10' },
    'keep-alive': { type: 'boolean', default: false },
    compacted: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    url: { type: 'string' },
    pid: { type: 'string' },
  },
});
const CONNECTIONS = Number(values.connections);
const DURATION_MS = Number(values['duration-s']) * 1000;
const SAMPLE_MS = Number(values['sample-s']) * 1000;

if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
if (!existsSync('/proc/self/status')) throw new Error('this benchmark reads memory from /proc/<pid>/status (Linux)');

const destination = {
  ID: 'dest-km',
  Name: 'Kissmetrics',
  DestinationDefinition: { ID: 'def-km', Name: 'KISSMETRICS', DisplayName: 'Kiss Metrics', Config: {} },
  Config: { apiKey: API_KEY, prefixProperties: true, eventFilteringOption: 'disable', blacklistedEvents: [] },
  Enabled: true,
  WorkspaceID: 'ws',
  Transformations: [],
  IsProcessorEnabled: true,
  RevisionID: 'rev-1',
};

const context = (i) => ({
  app: { name: 'RudderLabs JavaScript SDK', namespace: 'com.rudderlabs.javascript', version: '3.34.1' },
  library: { name: 'RudderLabs JavaScript SDK', version: '3.34.1' },
  page: { path: '/pricing', referrer: 'https://www.google.com/', title: 'Pricing', url: 'https://example.com/pricing' },
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  locale: 'en-GB',
  screen: { width: 1920, height: 1080, density: 2 },
  sessionId: 1700000000000 + i,
  traits: { email: `user${i}@example.com`, plan: 'pro', company: { name: 'Acme', size: 40 } },
});

/** A realistic mix: orders with products and money strings, tracks with nested objects, pages, screens, identifies, groups, aliases. */
const message = (i) => {
  const common = {
    anonymousId: `anon-${i}`,
    userId: `user-${i % 5000}`,
    messageId: `msg-${i}`,
    channel: 'web',
    context: context(i),
    originalTimestamp: new Date(1.7e12 + i * 1000).toISOString(),
    timestamp: new Date(1.7e12 + i * 1000 + 40).toISOString(),
    integrations: { All: true },
  };
  const kind = i % 20;
  if (kind < 3)
    return {
      ...common,
      type: 'track',
      event: 'Order Completed',
      properties: {
        order_id: `o-${i}`,
        total: '€1,299.99',
        revenue: '1299.99',
        currency: 'EUR',
        coupon: i % 2 ? 'SPRING' : null,
        shipping: { method: 'express', address: { city: 'Brussels', country: 'BE' } },
        products: Array.from({ length: 1 + (i % 4) }, (_, p) => ({
          product_id: `p-${p}`,
          sku: `SKU-${p}`,
          name: `Product ${p}`,
          price: `${19 + p}.99`,
          quantity: 1 + p,
          category: 'Books',
          tags: ['paper', 'new'],
        })),
      },
    };
  if (kind < 8)
    return {
      ...common,
      type: i % 3 ? 'track' : 'Track',
      event: 'Button Clicked',
      properties: { label: 'Sign up', section: { name: 'hero', position: 1 }, tags: ['cta', 'blue'], value: 0.5 },
    };
  if (kind < 12)
    return {
      ...common,
      type: 'page',
      name: 'Pricing',
      properties: { category: 'Docs', path: '/pricing', url: 'https://example.com/pricing', referrer: '' },
    };
  if (kind < 13) return { ...common, type: 'screen', name: 'Home', properties: { build: 1234, dark: true } };
  if (kind < 17)
    return {
      ...common,
      type: 'identify',
      traits: { name: `User ${i}`, address: { city: 'Ghent', geo: { lat: 51.05, lng: 3.72 } }, logins: i % 9 },
    };
  if (kind < 19)
    return {
      ...common,
      type: 'group',
      groupId: `g-${i % 50}`,
      traits: { name: 'Acme', plan: { tier: 'pro', seats: 40 } },
    };
  return { ...common, type: 'alias', previousId: `anon-${i}` };
};

const metadataOf = (i) => ({
  jobId: i + 1,
  messageId: `msg-${i}`,
  rudderId: `r-${i % 5000}`,
  receivedAt: new Date(1.7e12 + i * 1000 + 80).toISOString(),
  sourceId: 'src',
  sourceType: 'Javascript',
  sourceName: 'web',
  sourceCategory: '',
  originalSourceId: '',
  destinationId: 'dest-km',
  destinationName: 'Kissmetrics',
  destinationType: 'KISSMETRICS',
  workspaceId: 'ws',
});

/** One call's body, and the jobs it must answer. */
const batch = (b) => {
  const indexes = Array.from({ length: EVENTS_PER_BATCH }, (_, e) => b * EVENTS_PER_BATCH + e);
  const body = values.compacted
    ? {
        input: indexes.map((i) => ({ message: message(i), metadata: metadataOf(i) })),
        destinations: { 'dest-km': destination },
      }
    : indexes.map((i) => ({ message: message(i), metadata: metadataOf(i), destination }));
  return { text: JSON.stringify(body), jobIds: new Set(indexes.map((i) => i + 1)) };
};

const startServe = () =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const onData = (chunk) => {
      out += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (!match) return;
      // The service logs one line per call: read and dropped, so the pipe never fills.
      child.stdout.off('data', onData);
      child.stdout.resume();
      resolve({ child, url: match[1] });
    };
    child.stdout.on('data', onData);
    child.on('exit', (code) => reject(new Error(`serve exited (${code}) before listening`)));
  });

/** The service's resident memory, in MiB. */
const rssMiB = (pid) =>
  Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;

const agent = values['keep-alive'] ? new Agent({ keepAlive: true, maxSockets: CONNECTIONS }) : false;

/** Why an answer is not what rudder-server needs, or '' when it is. */
const problemOf = (status, headers, text, jobIds) => {
  if (status !== 200) return `HTTP ${status}`;
  if (headers.apiversion !== '2') return 'no apiVersion: 2';
  let entries;
  try {
    entries = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  if (!Array.isArray(entries)) return 'not a list';
  const answered = new Set();
  for (const entry of entries) {
    if (entry.statusCode !== 200) return `an entry answered ${entry.statusCode}: ${entry.error}`;
    answered.add(entry.metadata?.jobId);
  }
  return answered.size === jobIds.size && [...jobIds].every((id) => answered.has(id)) ? '' : 'a job not answered';
};

const post = (url, { text, jobIds }) =>
  new Promise((resolve) => {
    const startedMs = performance.now();
    const req = request(
      `${url}/v0/destinations/kissmetrics`,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) },
      },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('error', (error) =>
          resolve({ ms: performance.now() - startedMs, problem: error.code ?? error.message }),
        );
        res.on('end', () => {
          const problem = problemOf(res.statusCode, res.headers, Buffer.concat(chunks).toString(), jobIds);
          resolve({ ms: performance.now() - startedMs, problem });
        });
      },
    );
    req.on('error', (error) => resolve({ ms: performance.now() - startedMs, problem: error.code ?? error.message }));
    req.end(text);
  });

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

/** Runs the clients for DURATION_MS, sampling the service's RSS; returns what happened. */
const run = async (url, pid, batches) => {
  const endMs = performance.now() + DURATION_MS;
  const latencies = [];
  const problems = new Map();
  const samples = [{ s: 0, rssMiB: rssMiB(pid) }];
  const startedMs = performance.now();
  const sampler = setInterval(
    () => samples.push({ s: Math.round((performance.now() - startedMs) / 1000), rssMiB: rssMiB(pid) }),
    SAMPLE_MS,
  );
  let next = 0;
  const client = async () => {
    while (performance.now() < endMs) {
      const { ms, problem } = await post(url, batches[next++ % batches.length]);
      latencies.push(ms);
      if (problem) problems.set(problem, (problems.get(problem) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, client));
  clearInterval(sampler);
  samples.push({ s: Math.round((performance.now() - startedMs) / 1000), rssMiB: rssMiB(pid) });
  return { seconds: (performance.now() - startedMs) / 1000, latencies, problems, samples };
};

const batches = Array.from({ length: DISTINCT_BATCHES }, (_, b) => batch(b));
const { child, url } = values.url ? { child: undefined, url: values.url } : await startServe();
try {
  const pid = values.url ? (values.pid === undefined ? undefined : Number(values.pid)) : child.pid;
  const { seconds, latencies, problems, samples } = await run(url, pid, batches);
  const sorted = [...latencies].sort((a, b) => a - b);
  const fifth = Math.max(1, Math.ceil(samples.length / 5));
  const peak = (list) => Math.max(...list.map((sample) => sample.rssMiB));
  const result = {
    connections: CONNECTIONS,
    keepAlive: values['keep-alive'],
    compacted: values.compacted,
    seconds: Number(seconds.toFixed(1)),
    calls: latencies.length,
    failed: [...problems.values()].reduce((a, b) => a + b, 0),
    problems: Object.fromEntries(problems),
    eventsPerSecond: Math.round((latencies.length * EVENTS_PER_BATCH) / seconds),
    callsPerSecond: Number((latencies.length / seconds).toFixed(1)),
    latencyMs: Object.fromEntries(
      [50, 90, 99]
        .map((p) => [`p${p}`, Math.round(percentile(sorted, p))])
        .concat([['max', Math.round(sorted.at(-1) ?? NaN)]]),
    ),
    rssMiB: {
      first: Math.round(samples[0].rssMiB),
      last: Math.round(samples.at(-1).rssMiB),
      peakFirstFifth: Math.round(peak(samples.slice(0, fifth))),
      peakLastFifth: Math.round(peak(samples.slice(-fifth))),
      peak: Math.round(peak(samples)),
    },
    samples: samples.map(({ s, rssMiB: rss }) => [s, Math.round(rss)]),
  };
  if (values.json) console.log(JSON.stringify(result));
  else {
    console.log(
      `${result.calls} calls of ${EVENTS_PER_BATCH} events on ${CONNECTIONS} connections in ${result.seconds} s` +
        `${result.keepAlive ? ' (kept alive)' : ''}${result.compacted ? ' (compacted)' : ''}: ${result.failed} failed`,
    );
    if (result.failed) console.log('problems:', result.problems);
    console.log(`${result.eventsPerSecond} events/s, ${result.callsPerSecond} calls/s`);
    console.log(
      `latency ms: p50 ${result.latencyMs.p50}, p90 ${result.latencyMs.p90}, p99 ${result.latencyMs.p99}, max ${result.latencyMs.max}`,
    );
    console.log(
      `service RSS MiB: start ${result.rssMiB.first}, peak ${result.rssMiB.peak}, peak of the first fifth ${result.rssMiB.peakFirstFifth}, ` +
        `of the last fifth ${result.rssMiB.peakLastFifth}, end ${result.rssMiB.last}`,
    );
    console.log('RSS samples [s, MiB]:', JSON.stringify(result.samples));
  }
} finally {
  child?.kill('SIGTERM');
}
