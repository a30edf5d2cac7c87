// Throughput and memory of `rudderstack-kissmetrics send` against a local tracking endpoint (a benchmark, not a test).
// Run `npm run build` first, then:
//   node bench/cloud-throughput.mjs [--events N] [--latency-ms MS] [--concurrency C] [--people P] [--big N] [--runs R]
//                                   [--cli PATH] (another build of dist/cli.mjs, to compare; it may lack --state)
//                                   [--sections bound,throughput,memory] (which of the three below to run)
//  1. the latency bound: at --concurrency C (16) against an endpoint that answers after MS ms (20, a stand-in
//     for the round trip to trk.kissmetrics.io), the requests per second send reaches, as a ratio of the most
//     that C requests in flight can give, C / MS; with the journal send keeps itself (no --state) and with
//     --state (per-person ordering is always on; a build older than the journal keeps none without --state);
//  2. events/second at concurrency 1 and C, the endpoint answering at once and after MS ms;
//  3. a --big-line NDJSON file (default 100,000) at concurrency C: wall time and peak RSS.
// The events are a realistic mix of P people (500): tracks (a fifth with two products), pages, identifies,
// aliases, interleaved as a site's export would be. The endpoint runs in this process, the CLI in a child
// process, so they do not share a CPU thread. Each figure is the best of R runs (1): the machine is shared.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const TIME = '/usr/bin/time';
/** The bar of the issue: requests per second at least this share of the latency bound, journal on. */
const MIN_RATIO = 0.6;
const { values } = parseArgs({
  options: {
    cli: { type: 'string', default: new URL('../dist/cli.mjs', import.meta.url).pathname },
    events: { type: 'string', default: '5000' },
    'latency-ms': { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '16' },
    people: { type: 'string', default: '500' },
    big: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '1' },
    sections: { type: 'string', default: 'bound,throughput,memory' },
  },
});
const EVENTS = Number(values.events);
const LATENCY_MS = Number(values['latency-ms']);
const CONCURRENCY = Number(values.concurrency);
const PEOPLE = Number(values.people);
const BIG = Number(values.big);
const RUNS = Number(values.runs);
const API_KEY = 'f'.repeat(40);
const CLI = values.cli;
const SECTIONS = new Set(values.sections.split(','));

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

/** A deterministic shuffle of who does what: person of event i, and a second draw for the kind of event. */
const draw = (i, salt) => {
  let x = (i + 1) * 2654435761 + salt * 40503;
  x = Math.imul(x ^ (x >>> 15), 2246822507);
  x = Math.imul(x ^ (x >>> 13), 3266489909);
  return (x ^ (x >>> 16)) >>> 0;
};

/** Event i of the mix: 60% track (a fifth with two products), 20% page, 10% identify, 5% alias, 5% group. */
const event = (i) => {
  const p = draw(i, 1) % PEOPLE;
  const kind = draw(i, 2) % 20;
  const base = { userId: `user-${p}`, anonymousId: `anon-${p}`, timestamp: new Date(1.7e12 + i * 1000).toISOString() };
  if (kind < 2)
    return {
      ...base,
      type: 'identify',
      traits: { email: `u${p}@example.com`, plan: 'pro', company: { name: 'Acme' } },
    };
  if (kind === 2) return { type: 'alias', userId: `user-${p}`, previousId: `old-${p}-${i}`, timestamp: base.timestamp };
  if (kind === 3) return { ...base, type: 'group', groupId: `g${p % 17}`, traits: { name: 'Acme', seats: 12 } };
  if (kind < 8)
    return {
      ...base,
      type: 'page',
      name: 'Pricing',
      properties: { path: '/pricing', url: 'https://example.com/pricing' },
    };
  const products =
    kind % 5 === 0
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
const send = async (file, url, concurrency, extra = [], cwd = tmpdir()) => {
  const args = [
    CLI,
    'send',
    '--api-key',
    API_KEY,
    '--endpoint',
    url,
    '--concurrency',
    String(concurrency),
    ...extra,
    file,
  ];
  const timed = existsSync(TIME);
  // The journal send keeps without --state goes to the folder it runs in.
  const child = timed
    ? spawn(TIME, ['-v', process.execPath, ...args], { cwd })
    : spawn(process.execPath, args, { cwd });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  child.stdout.resume();
  const started = performance.now();
  const [code] = await once(child, 'close');
  const seconds = (performance.now() - started) / 1000;
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  return { seconds, peakRssMb: rss ? Number(rss[1]) / 1024 : undefined, code, stderr };
};

/** The best of RUNS runs of `send` against a fresh endpoint: the fastest, with its request count. */
const best = async (file, latencyMs, concurrency, extra = () => []) => {
  let fastest;
  for (let run = 0; run < RUNS; run++) {
    const tracker = await startTracker(latencyMs);
    const result = await send(file, tracker.url, concurrency, extra(run), dir);
    tracker.close();
    if (result.code !== 0) throw new Error(`send exited ${result.code}:\n${result.stderr}`);
    if (!fastest || result.seconds < fastest.seconds) fastest = { ...result, requests: tracker.requests() };
  }
  return fastest;
};

const dir = await mkdtemp(join(tmpdir(), 'km-bench-'));
try {
  const small = join(dir, 'events.ndjson');
  await writeEvents(small, EVENTS);
  const boundRequestsPerSecond = (CONCURRENCY * 1000) / LATENCY_MS;
  console.log(
    `send, ${EVENTS} events of ${PEOPLE} people, endpoint latency ${LATENCY_MS} ms, concurrency ${CONCURRENCY} ` +
      `(${process.version}); latency bound ${boundRequestsPerSecond} requests/s:`,
  );
  for (const [label, extra] of !SECTIONS.has('bound')
    ? []
    : [
        ['journal send keeps (no --state)', () => []],
        ['with --state                   ', (run) => ['--state', join(dir, `bench-${run}-${Math.random()}.state`)]],
      ]) {
    const r = await best(small, LATENCY_MS, CONCURRENCY, extra).catch((error) => ({ error }));
    if (r.error) {
      console.log(`  ${label}: not run (${r.error.message.split('\n')[1] ?? r.error.message})`);
      continue;
    }
    const rps = r.requests / r.seconds;
    const ratio = rps / boundRequestsPerSecond;
    console.log(
      `  ${label}: ${Math.round(EVENTS / r.seconds)} events/s, ${Math.round(rps)} requests/s = ` +
        `${ratio.toFixed(2)} of the bound (${r.requests} requests in ${r.seconds.toFixed(2)} s)` +
        (ratio < MIN_RATIO ? `: below the ${MIN_RATIO} bar` : ''),
    );
  }

  if (SECTIONS.has('throughput')) console.log(`send throughput, same mix:`);
  for (const latencyMs of SECTIONS.has('throughput') ? [0, LATENCY_MS] : []) {
    for (const concurrency of [1, CONCURRENCY]) {
      const count = latencyMs && concurrency === 1 ? Math.min(EVENTS, 500) : EVENTS;
      const file = count === EVENTS ? small : join(dir, `events-${count}.ndjson`);
      if (file !== small && !existsSync(file)) await writeEvents(file, count);
      const r = await best(file, latencyMs, concurrency);
      console.log(
        `  endpoint latency ${String(latencyMs).padStart(3)} ms, concurrency ${String(concurrency).padStart(2)}: ` +
          `${Math.round(count / r.seconds)} events/s, ${Math.round(r.requests / r.seconds)} requests/s ` +
          `(${count} events, ${r.requests} requests in ${r.seconds.toFixed(2)} s)`,
      );
    }
  }

  if (BIG > 0 && SECTIONS.has('memory')) {
    const big = join(dir, 'big.ndjson');
    await writeEvents(big, BIG);
    const { size } = await stat(big);
    for (const [label, extra] of [
      [' (journal send keeps)', () => []],
      [' with --state', () => ['--state', join(dir, `big-${Math.random()}.state`)]],
    ]) {
      const r = await best(big, 0, CONCURRENCY, extra).catch(() => undefined);
      if (!r) continue;
      console.log(
        `${BIG} lines (${(size / 1e6).toFixed(1)} MB) at concurrency ${CONCURRENCY}${label}: ${r.seconds.toFixed(1)} s, ` +
          `${Math.round(BIG / r.seconds)} events/s, ${r.requests} requests, ` +
          `peak RSS ${r.peakRssMb === undefined ? 'n/a (no /usr/bin/time)' : `${r.peakRssMb.toFixed(0)} MB`}`,
      );
    }
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
