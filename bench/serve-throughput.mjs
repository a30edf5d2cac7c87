// Throughput of `rudderstack-kissmetrics serve`, the transformer service for rudder-server (a benchmark,
// not a test). Run `npm run build` first, then:
//   node bench/serve-throughput.mjs [--batches N] [--concurrency C] [--keep-alive]
// The service runs in a child process, as rudder-server would reach it; this process posts 100-event
// batches shaped like rudder-server's (message, metadata, destination) on C connections at once and
// reports events per second, and events per second per core the service used: its CPU time (user +
// system) read from /proc/<pid>/stat before and after. rudder-server opens a new connection per call by
// default (Transformer.Client.disableKeepAlives), so this does too unless --keep-alive.
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { parseArgs } from 'node:util';

const CLI = new URL('../dist/cli.mjs', import.meta.url).pathname;
const EVENTS_PER_BATCH = 100;
const WARM_UP_BATCHES = 50;
const API_KEY = '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c';

const { values } = parseArgs({
  options: {
    batches: { type: 'string', default: '400' },
    concurrency: { type: 'string', default: '4' },
    'keep-alive': { type: 'boolean', default: false },
  },
});
const BATCHES = Number(values.batches);
const CONCURRENCY = Number(values.concurrency);

if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
if (!existsSync('/proc/self/stat')) throw new Error('this benchmark reads CPU time from /proc/<pid>/stat (Linux)');

const CLOCK_TICKS_PER_S = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

/** User + system CPU seconds of a process so far. */
const cpuSeconds = (pid) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces, hence the last ')'): utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S;
};

const destination = {
  ID: 'dest-km',
  Name: 'Kissmetrics',
  DestinationDefinition: { ID: 'def-km', Name: 'KISSMETRICS', DisplayName: 'Kiss Metrics', Config: {} },
  Config: { apiKey: API_KEY, prefixProperties: true, eventFilteringOption: 'disable' },
  Enabled: true,
  WorkspaceID: 'ws',
  Transformations: [],
  IsProcessorEnabled: true,
};

const context = (i) => ({
  app: { name: 'RudderLabs JavaScript SDK', namespace: 'com.rudderlabs.javascript', version: '3.34.1' },
  library: { name: 'RudderLabs JavaScript SDK', version: '3.34.1' },
  page: { path: '/pricing', referrer: 'https://www.google.com/', title: 'Pricing', url: 'https://example.com/pricing' },
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  locale: 'en-GB',
  screen: { width: 1920, height: 1080, density: 2 },
  sessionId: 1700000000000 + i,
  traits: { email: `user${i}@example.com`, plan: 'pro' },
});

/**
 * A realistic mix: 40% track (half of them orders with two or three products), 25% page, 15% identify,
 * 10% group, 10% alias.
 */
const message = (i) => {
  const common = {
    anonymousId: `anon-${i}`,
    userId: `user-${i % 2000}`,
    messageId: `msg-${i}`,
    channel: 'web',
    context: context(i),
    originalTimestamp: new Date(1.7e12 + i * 1000).toISOString(),
    timestamp: new Date(1.7e12 + i * 1000 + 40).toISOString(),
    integrations: { All: true },
  };
  const kind = i % 20;
  if (kind < 4)
    return {
      ...common,
      type: 'track',
      event: 'Order Completed',
      properties: {
        order_id: `o-${i}`,
        total: 129.99,
        currency: 'EUR',
        shipping: { method: 'express', address: { city: 'Brussels', country: 'BE' } },
        products: Array.from({ length: 2 + (i % 2) }, (_, p) => ({
          product_id: `p-${p}`,
          sku: `SKU-${p}`,
          name: `Product ${p}`,
          price: 19.99 + p,
          quantity: 1 + p,
          category: 'Books',
        })),
      },
    };
  if (kind < 8)
    return {
      ...common,
      type: 'track',
      event: 'Button Clicked',
      properties: { label: 'Sign up', section: { name: 'hero', position: 1 }, tags: ['cta', 'blue'] },
    };
  if (kind < 13)
    return {
      ...common,
      type: 'page',
      name: 'Pricing',
      properties: { category: 'Docs', path: '/pricing', url: 'https://example.com/pricing' },
    };
  if (kind < 16) return { ...common, type: 'identify', traits: { name: `User ${i}`, address: { city: 'Ghent' } } };
  if (kind < 18)
    return {
      ...common,
      type: 'group',
      groupId: `g-${i % 50}`,
      traits: { name: 'Acme', plan: { tier: 'enterprise', seats: 40 } },
    };
  return { ...common, type: 'alias', previousId: `anon-${i}` };
};

const batch = (b) =>
  JSON.stringify(
    Array.from({ length: EVENTS_PER_BATCH }, (_, e) => {
      const i = b * EVENTS_PER_BATCH + e;
      return {
        message: message(i),
        metadata: { jobId: i + 1, messageId: `msg-${i}`, sourceId: 'src', destinationId: 'dest-km', workspaceId: 'ws' },
        destination,
      };
    }),
  );

const startServe = () =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) {
        // The service logs one line per call: read and dropped, so the pipe never fills.
        child.stdout.removeAllListeners('data');
        child.stdout.resume();
        resolve({ child, url: match[1] });
      }
    });
    child.on('exit', (code) => reject(new Error(`serve exited (${code}) before listening`)));
  });

const agent = values['keep-alive'] ? new Agent({ keepAlive: true, maxSockets: CONCURRENCY }) : false;

const post = (url, body) =>
  new Promise((resolve, reject) => {
    const req = request(
      `${url}/v0/destinations/kissmetrics`,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => {
          if (res.statusCode !== 200 || res.headers.apiversion !== '2') reject(new Error(`HTTP ${res.statusCode}`));
          else resolve(JSON.parse(Buffer.concat(chunks).toString()));
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });

/** Posts `count` batches on CONCURRENCY connections at once; returns the entries answered. */
const run = async (url, bodies, count) => {
  let next = 0;
  let entries = 0;
  let refused = 0;
  const worker = async () => {
    while (next < count) {
      const answer = await post(url, bodies[next++ % bodies.length]);
      entries += answer.length;
      refused += answer.filter((entry) => entry.statusCode !== 200).length;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { entries, refused };
};

const bodies = Array.from({ length: 20 }, (_, b) => batch(b));
const { child, url } = await startServe();
try {
  await run(url, bodies, WARM_UP_BATCHES);
  const cpuBefore = cpuSeconds(child.pid);
  const clientBefore = process.cpuUsage();
  const started = performance.now();
  const { entries, refused } = await run(url, bodies, BATCHES);
  const wallS = (performance.now() - started) / 1000;
  const serverCpuS = cpuSeconds(child.pid) - cpuBefore;
  const client = process.cpuUsage(clientBefore);
  const events = BATCHES * EVENTS_PER_BATCH;
  const round = (n) => Math.round(n).toLocaleString('en-US');

  console.log(
    `serve throughput: ${BATCHES} calls of ${EVENTS_PER_BATCH} events, ${CONCURRENCY} at once, ` +
      `${values['keep-alive'] ? 'kept-alive connections' : 'a new connection per call (rudder-server default)'}`,
  );
  console.log(`  body per call:            ${round(bodies[0].length / 1024)} kB`);
  console.log(`  wall time:                ${wallS.toFixed(2)} s`);
  console.log(`  events/s:                 ${round(events / wallS)}  (${round(BATCHES / wallS)} calls/s)`);
  console.log(
    `  requests answered:        ${round(entries)} (${(entries / events).toFixed(2)} per event, ${refused} refused)`,
  );
  console.log(
    `  service CPU time:         ${serverCpuS.toFixed(2)} s  (${(serverCpuS / wallS).toFixed(2)} cores busy on average)`,
  );
  console.log(`  events/s per core used:   ${round(events / serverCpuS)}`);
  console.log(
    `  client CPU time:          ${((client.user + client.system) / 1e6).toFixed(2)} s (this process, same machine)`,
  );
} finally {
  child.kill('SIGTERM');
}
