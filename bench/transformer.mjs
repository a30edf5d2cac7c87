// Events per CPU-second of our per-event translation (what `serve` runs for each event of a call) against
// rudder-transformer's kissmetrics `process()` on the same events, in this one process (a benchmark, not
// a test). Run:
//   node bench/transformer.mjs [--peer DIR] [--events N] [--rounds R] [--prefix off|on|both]
//                              [--naming default|rudder-transformer] [--profile]
// The events are a realistic mix (bench/lib/events.mjs: identify with nested traits, tracks with money
// strings and nested objects, orders with products, page, screen, alias), already parsed, each side with
// its own copy. Each round times every event on one side, then on the other (the order alternates), with
// the CPU time of this process (process.cpuUsage: user + system, so GC threads count): events per
// CPU-second per core. The figure is the median of the rounds; the ratio is ours / the peer's.
// Without a peer (--peer or RUDDER_TRANSFORMER_DIR) it prints ours alone and how to get the peer.
// --profile: a CPU profile of our side alone, self time per function (mapped back to src/).
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { callEvent, destination, message, mixOf } from './lib/events.mjs';
import { loadOurs } from './lib/ours.mjs';
import { PEER_COMMIT, PEER_HOWTO, loadPeer } from './lib/peer.mjs';

const { values } = parseArgs({
  options: {
    peer: { type: 'string' },
    events: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '7' },
    prefix: { type: 'string', default: 'both' },
    naming: { type: 'string', default: 'default' },
    profile: { type: 'boolean', default: false },
  },
});
const EVENTS = Number(values.events);
const ROUNDS = Number(values.rounds);
/** Each side runs the pool as many times as fit in this much CPU time per round. */
const MIN_SIDE_CPU_S = 0.25;
/** The clock our side uses for an event without a timestamp (every event of the mix has one). */
const NOW_MS = 1.7e12;

// A full collection between the two sides of a round, so that neither pays for the other's garbage.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

const cpuS = (since) => {
  const { user, system } = process.cpuUsage(since);
  return (user + system) / 1e6;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (n) => Math.round(n).toLocaleString('en-US');
const copy = (value) => JSON.parse(JSON.stringify(value));

/** Our side: the service's translate stage (`outcomeOf`) on every event; counts requests and refusals. */
const oursSide = (ours, items) => {
  const events = items.map((item) => ({
    item,
    message: item.message,
    metadata: item.metadata,
    destination: item.destination,
  }));
  return (tally) => {
    for (const event of events) {
      const outcome = ours.outcomeOf(event, NOW_MS);
      if (outcome.statusCode === 200) tally.requests += outcome.requests.length;
      else tally.refused++;
    }
  };
};

/** The peer's side: `process()` on every event, as rudder-transformer's processor calls it. */
const peerSide = (peer, items) => (tally) => {
  for (const item of items) {
    try {
      tally.requests += peer.process(item).length;
    } catch {
      tally.refused++;
    }
  }
};

/** CPU seconds of `passes` runs of `side` over the pool. */
const timed = (side, passes) => {
  const tally = { requests: 0, refused: 0 };
  gc();
  const before = process.cpuUsage();
  for (let p = 0; p < passes; p++) side(tally);
  return { cpu: cpuS(before), tally };
};

const passesFor = (side) => {
  const { cpu } = timed(side, 1);
  return Math.max(1, Math.ceil(MIN_SIDE_CPU_S / Math.max(cpu, 1e-4)));
};

const compare = (sides) => {
  for (const side of sides) for (let i = 0; i < 3; i++) timed(side.run, 1); // warm-up
  for (const side of sides) side.passes = passesFor(side.run);
  const rates = sides.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 ? [...sides.keys()].reverse() : [...sides.keys()];
    for (const s of order) {
      const { cpu } = timed(sides[s].run, sides[s].passes);
      rates[s].push((sides[s].passes * EVENTS) / cpu);
    }
  }
  return rates;
};

const profileOurs = async (run, locate) => {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  timed(run, 20);
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  // Samples taken while the pool runs (below `timed`), and the collector's, which runs for it.
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const counts = (id) => {
    for (let at = id; at !== undefined; at = parents.get(at))
      if (nodes.get(at).callFrame.functionName === 'timed') return true;
    return nodes.get(id).callFrame.functionName === '(garbage collector)';
  };
  const self = new Map();
  let total = 0;
  profile.samples.forEach((id, i) => {
    if (!counts(id)) return;
    const dt = profile.timeDeltas[i + 1] ?? 0;
    total += dt;
    const frame = nodes.get(id).callFrame;
    const key = `${frame.functionName || '(anonymous)'} ${locate(frame)}`;
    self.set(key, (self.get(key) ?? 0) + dt);
  });
  console.log('  profile of our side (self time, top 15):');
  for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 15))
    console.log(`    ${((100 * us) / total).toFixed(1).padStart(5)}%  ${key}`);
};

const ours = await loadOurs();
const peer = loadPeer(values.peer);
const messages = Array.from({ length: EVENTS }, (_, i) => copy(message(i)));
console.log(
  `transformer benchmark: ${EVENTS} events (${mixOf(messages)}), ${ROUNDS} rounds, sides interleaved; ` +
    'events per CPU-second of this process (one core)',
);
console.log(`  ours: src/service/outcome.ts outcomeOf (the translate stage), naming ${values.naming}`);
console.log(peer ? `  peer: ${peer.file} (rudder-transformer ${PEER_COMMIT}) process()` : PEER_HOWTO);

for (const prefixProperties of values.prefix === 'both' ? [false, true] : [values.prefix === 'on']) {
  const extra = values.naming === 'default' ? {} : { naming: values.naming };
  const items = Array.from({ length: EVENTS }, (_, i) => callEvent(i, destination(prefixProperties, extra)));
  const sides = [{ name: 'ours', run: oursSide(ours, copy(items)) }];
  if (peer) sides.push({ name: 'rudder-transformer', run: peerSide(peer, copy(items)) });
  console.log(`prefixProperties ${prefixProperties ? 'on' : 'off'}:`);
  const rates = compare(sides);
  sides.forEach((side, s) => {
    const { tally } = timed(side.run, 1);
    console.log(
      `  ${side.name.padEnd(20)} ${round(median(rates[s])).padStart(9)} events/CPU-s ` +
        `(rounds ${round(Math.min(...rates[s]))}-${round(Math.max(...rates[s]))}; ` +
        `${(tally.requests / EVENTS).toFixed(2)} requests per event, ${tally.refused} refused)`,
    );
  });
  if (peer) {
    const perRound = rates[0].map((rate, r) => rate / rates[1][r]);
    console.log(
      `  ratio ours / peer:   ${(median(rates[0]) / median(rates[1])).toFixed(2)}x ` +
        `(per round ${Math.min(...perRound).toFixed(2)}-${Math.max(...perRound).toFixed(2)}x)`,
    );
  }
  if (values.profile) await profileOurs(sides[0].run, ours.locate);
}
