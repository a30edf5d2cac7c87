// Throughput and memory of `rudderstack-kissmetrics send` against a local tracking endpoint.
// Run `npm run build` first, then: node bench/cloud-throughput.mjs [--events N] [--latency-ms MS] [--big N]
//  1. events/second at --concurrency 1 and 16, with the endpoint answering at once and after MS ms
//     (a stand-in for the round trip to trk.kissmetrics.io);
//  2. a --big-line NDJSON file (default 100,000) sent at concurrency 16: wall time and peak RSS.
// The endpoint runs in this process, the CLI in a child process, so they do not share a CPU thread.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const CLI = new URL('../dist/cli.mjs', import.meta.url).pathname;
const TIME = '/usr/bin/time';
const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '5000' },
    'latency-ms': { type: 'string', default: '20' },
    big: { type: 'string', default: '100000' },
  },
});
const EVENTS = Number(values.events);
const LATENCY_MS = Number(values['latency-ms']);
const BIG = Number(values.big);
const API_KEY = 'f'.repeat(40);

if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);

const startTracker = async (latencyMs) => {
  let requests = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests++;
      const reply = () => res.end('GIF89a');
      if (latencyMs) setTimeout(reply, latencyMs);
      else reply();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    requests: () => requests,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
};

/** A realistic mix: 70% track (a fifth with two products), 20% page, 10% identify. One line each. */
const event = (i) => {
  const base = {
    userId: `user-${i % 5000}`,
    anonymousId: `anon-${i}`,
    timestamp: new Date(1.7e12 + i * 1000).toISOString(),
  };
  if (i % 10 === 9)
    return {
      ...base,
      type: 'identify',
      traits: { email: `u${i}@example.com`, plan: 'pro', company: { name: 'Acme' } },
    };
  if (i % 10 >= 7)
    return {
      ...base,
      type: 'page',
      name: 'Pricing',
      properties: { path: '/pricing', url: 'https://example.com/pricing' },
    };
  const products =
    i % 5 === 0
      ? [
          { sku: 'a', price: 10 },
          { sku: 'b', price: 20 },
        ]
      : undefined;
  return { ...base, type: 'track', event: 'Order Completed', properties: { order_id: `o${i}`, total: 30, products } };
};

const writeEvents = async (file, count) => {
  const out = createWriteStream(file);
  for (let i = 0; i < count; i++) if (!out.write(`${JSON.stringify(event(i))}\n`)) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
};

/** Runs `send` under /usr/bin/time -v (when present); returns seconds, peak RSS in MB and the exit code. */
const send = async (file, url, concurrency) => {
  const args = [CLI, 'send', '--api-key', API_KEY, '--endpoint', url, '--concurrency', String(concurrency), file];
  const timed = existsSync(TIME);
  const child = timed ? spawn(TIME, ['-v', process.execPath, ...args]) : spawn(process.execPath, args);
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  child.stdout.resume();
  const started = performance.now();
  const [code] = await once(child, 'close');
  const seconds = (performance.now() - started) / 1000;
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  return { seconds, peakRssMb: rss ? Number(rss[1]) / 1024 : undefined, code, stderr };
};

const dir = await mkdtemp(join(tmpdir(), 'km-bench-'));
try {
  const small = join(dir, 'events.ndjson');
  await writeEvents(small, EVENTS);
  console.log(`send throughput, ${EVENTS} events (${process.version}):`);
  for (const latencyMs of [0, LATENCY_MS]) {
    for (const concurrency of [1, 16]) {
      const tracker = await startTracker(latencyMs);
      const count = latencyMs && concurrency === 1 ? Math.min(EVENTS, 500) : EVENTS;
      const file = count === EVENTS ? small : join(dir, `events-${count}.ndjson`);
      if (file !== small) await writeEvents(file, count);
      const run = await send(file, tracker.url, concurrency);
      tracker.close();
      if (run.code !== 0) throw new Error(`send exited ${run.code}:\n${run.stderr}`);
      console.log(
        `  endpoint latency ${String(latencyMs).padStart(3)} ms, concurrency ${String(concurrency).padStart(2)}: ` +
          `${Math.round(count / run.seconds)} events/s, ${Math.round(tracker.requests() / run.seconds)} requests/s ` +
          `(${count} events, ${tracker.requests()} requests in ${run.seconds.toFixed(2)} s)`,
      );
    }
  }

  const big = join(dir, 'big.ndjson');
  await writeEvents(big, BIG);
  const { size } = await stat(big);
  const tracker = await startTracker(0);
  const run = await send(big, tracker.url, 16);
  tracker.close();
  if (run.code !== 0) throw new Error(`send exited ${run.code}:\n${run.stderr}`);
  console.log(
    `${BIG} lines (${(size / 1e6).toFixed(1)} MB) at concurrency 16: ${run.seconds.toFixed(1)} s, ` +
      `${Math.round(BIG / run.seconds)} events/s, ${tracker.requests()} requests, ` +
      `peak RSS ${run.peakRssMb === undefined ? 'n/a (no /usr/bin/time)' : `${run.peakRssMb.toFixed(0)} MB`}`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
