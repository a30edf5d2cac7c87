// Throughput of `rudderstack-kissmetrics serve`, the transformer service for rudder-server (a benchmark,
// not a test). Run `npm run build` first, then:
//   node bench/serve-throughput.mjs [--batches N] [--concurrency C] [--keep-alive] [--prefix off|on|both]
//                                   [--naming default|rudder-transformer] [--peer DIR]
// The service runs in a child process, as rudder-server would reach it; this process posts 100-event
// batches shaped like rudder-server's (message, metadata, destination) on C connections at once and
// reports events per second, and events per second per core the service used: its CPU time (user +
// system) read from /proc/<pid>/stat before and after. rudder-server opens a new connection per call by
// default (Transformer.Client.disableKeepAlives), so this does too unless --keep-alive.
// The events are the realistic mix of bench/lib/events.mjs (20 different batches, 2,000 events). With a
// peer (--peer DIR or RUDDER_TRANSFORMER_DIR: a built copy of rudder-transformer, see bench/lib/peer.mjs),
// its own service (one process) gets the same calls the same way, measured the same way, and its
// kissmetrics process() runs them in this process too (the in-process comparison is bench/transformer.mjs).
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { parseArgs } from 'node:util';
import { callEvent, destination } from './lib/events.mjs';
import { PEER_COMMIT, PEER_HOWTO, loadPeer, peerRate, startPeerService } from './lib/peer.mjs';

const CLI = new URL('../dist/cli.mjs', import.meta.url).pathname;
const EVENTS_PER_BATCH = 100;
const DIFFERENT_BATCHES = 20;
const WARM_UP_BATCHES = 50;

const { values } = parseArgs({
  options: {
    batches: { type: 'string', default: '400' },
    concurrency: { type: 'string', default: '4' },
    'keep-alive': { type: 'boolean', default: false },
    prefix: { type: 'string', default: 'both' },
    naming: { type: 'string', default: 'default' },
    peer: { type: 'string' },
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

/** The body of call b: events b*100 … b*100+99 of the mix, as rudder-server sends them. */
const batch = (b, dest) =>
  JSON.stringify(Array.from({ length: EVENTS_PER_BATCH }, (_, e) => callEvent(b * EVENTS_PER_BATCH + e, dest)));

const startOurs = () =>
  new Promise((resolve, reject) => {
    const naming = values.naming === 'default' ? [] : ['--naming', values.naming];
    const args = [CLI, 'serve', '--port', '0', ...naming];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
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

const round = (n) => Math.round(n).toLocaleString('en-US');

/** Posts BATCHES calls of the mix to a fresh service; prints and returns its events per CPU-second. */
const measure = async (bodies, start) => {
  const { child, url } = await start();
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
    console.log(`    body per call:          ${round(bodies[0].length / 1024)} kB`);
    console.log(`    wall time:              ${wallS.toFixed(2)} s`);
    console.log(`    events/s:               ${round(events / wallS)}  (${round(BATCHES / wallS)} calls/s)`);
    console.log(
      `    requests answered:      ${round(entries)} (${(entries / events).toFixed(2)} per event, ${refused} refused)`,
    );
    console.log(
      `    service CPU time:       ${serverCpuS.toFixed(2)} s  (${(serverCpuS / wallS).toFixed(2)} cores busy on average)`,
    );
    console.log(`    events/s per core used: ${round(events / serverCpuS)}`);
    console.log(
      `    client CPU time:        ${((client.user + client.system) / 1e6).toFixed(2)} s (this process, same machine)`,
    );
    return events / serverCpuS;
  } finally {
    child.kill('SIGTERM');
  }
};

const peer = loadPeer(values.peer);
console.log(
  `serve throughput: ${BATCHES} calls of ${EVENTS_PER_BATCH} events (${DIFFERENT_BATCHES} different), ` +
    `${CONCURRENCY} at once, ` +
    `${values['keep-alive'] ? 'kept-alive connections' : 'a new connection per call (rudder-server default)'}, ` +
    `naming ${values.naming}`,
);
if (!peer) console.log(PEER_HOWTO);
for (const prefixProperties of values.prefix === 'both' ? [false, true] : [values.prefix === 'on']) {
  console.log(`prefixProperties ${prefixProperties ? 'on' : 'off'}:`);
  const dest = destination(prefixProperties);
  const bodies = Array.from({ length: DIFFERENT_BATCHES }, (_, b) => batch(b, dest));
  console.log('  ours (rudderstack-kissmetrics serve):');
  const ours = await measure(bodies, startOurs);
  if (peer) {
    console.log(`  rudder-transformer ${PEER_COMMIT} service (one process, CLUSTER_ENABLED=false):`);
    const theirs = await measure(bodies, () => startPeerService(peer));
    const items = bodies.flatMap((body) => JSON.parse(body));
    console.log(`  rudder-transformer process(), in this process: ${round(peerRate(peer, items))} events/CPU-s`);
    console.log(`  ratio ours / rudder-transformer, behind HTTP: ${(ours / theirs).toFixed(2)}x events/s per core`);
  }
}
