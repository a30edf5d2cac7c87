// A check, not a test (it needs the peer, which never enters this repository): the names our service gives
// with `naming: 'rudder-transformer'` against the names rudder-transformer's kissmetrics process() gives the
// same events. Run:
//   node bench/naming-vs-peer.mjs --peer DIR [--events N] [--show N]
// For each event of the benchmark mix (bench/lib/events.mjs), prefixing off and on, and a few edge cases,
// it compares per request the endpoint, the event name and the set of property names. Their values are
// not compared (ours are meant to differ), so their names are read the way Kissmetrics would get them:
// an object value (which rudder-server would write as Go's `map[…]`) as the names of its leaves, null
// values as absent. Our identify alias and their empty identify /s carry no names and are left aside.
// It prints every difference (up to --show) and counts them by kind.
import { parseArgs } from 'node:util';
import { callEvent, destination } from './lib/events.mjs';
import { loadOurs } from './lib/ours.mjs';
import { PEER_HOWTO, loadPeer } from './lib/peer.mjs';

const { values } = parseArgs({
  options: {
    peer: { type: 'string' },
    events: { type: 'string', default: '2000' },
    show: { type: 'string', default: '10' },
  },
});
const API_PARAMS = new Set(['_k', '_p', '_t', '_d', '_n']);
const NOW_MS = 1.7e12;

/** Edge cases written from reading its code: what it reads, prefixes, drops or refuses. */
const EDGES = [
  { type: 'page', userId: 'u', properties: { name: 'Home', category: 'Docs', a: 1 } },
  { type: 'page', userId: 'u', name: 'Home', category: 'Top', properties: { a: 1 } },
  { type: 'page', userId: 'u', name: 'Home', properties: { category: 'Docs', revenue: '$5', products: [{ s: 1 }] } },
  { type: 'screen', userId: 'u', name: 'Main', properties: { category: 'App', revenue: '9', x: { y: 1 } } },
  { type: 'screen', userId: 'u', properties: { x: 1 } },
  {
    type: 'track',
    event: 'Order Completed',
    userId: 'u',
    properties: { total: '$10', products: [{ sku: 'a', revenue: '$3', 'Billing Amount': 1 }, { revenue: 4 }] },
  },
  { type: 'track', event: 'E', userId: 'u', properties: { revenue: 10, 'Billing Amount': 12, deep: { a: { b: 1 } } } },
  { type: 'track', event: 'E', userId: 'u', properties: { revenue: 'soon', list: [1, 2], items: [{ a: 1 }] } },
  { type: 'track', event: 'E', userId: 'u', properties: { revenue: 0, products: { sku: 'a' } } },
  { type: 'identify', userId: 'u', traits: { a: { b: { c: 1 } }, l: [1, 2] } },
  { type: 'alias', userId: 'u', previousId: 'p' },
  { type: 'group', userId: 'u', groupId: 'g', traits: { a: 1 } },
];

const leaves = (name, value, out) => {
  if (value === null || value === undefined) return;
  if (typeof value === 'object') {
    const entries = Object.entries(value);
    if (!Array.isArray(value) || value.some((item) => item && typeof item === 'object'))
      for (const [key, item] of entries) leaves(`${name}.${key}`, item, out);
    else out.push(name);
  } else out.push(name);
};
const theirNames = (params) => {
  const out = [];
  for (const [key, value] of Object.entries(params)) if (!API_PARAMS.has(key)) leaves(key, value, out);
  return out.sort();
};
const ourNames = (params) =>
  Object.keys(params)
    .filter((key) => !API_PARAMS.has(key))
    .sort();

const ours = (o, item) => {
  const event = { item, message: item.message, metadata: {}, destination: item.destination };
  const outcome = o.outcomeOf(event, NOW_MS, 'rudder-transformer');
  if (outcome.statusCode !== 200) return outcome.error;
  return outcome.requests
    .filter((r) => !(item.message.type === 'identify' && r.endpoint.endsWith('/a')))
    .map((r) => {
      const params = r.method === 'GET' ? r.params : r.body.FORM;
      return [r.endpoint.slice(-2), params._n ?? null, ourNames(params)];
    });
};

const theirs = (peer, item) => {
  try {
    return peer
      .process(item)
      .map((r) => [r.endpoint.slice(-2), r.params._n ?? null, theirNames(r.params)])
      .filter(([path, , names]) => !(item.message.type === 'identify' && path === '/s' && !names.length));
  } catch (error) {
    return error.message;
  }
};

/** The names one side has and the other lacks, request by request. */
const apart = (a, b) =>
  a.flatMap(([, , names], r) => {
    const other = new Set(b[r]?.[2] ?? []);
    return names.filter((name) => !other.has(name));
  });

/** What kind of difference this is, for the count. */
const kindOf = (item, a, b) => {
  if (typeof b === 'string') return `it refuses the event (${b})`;
  if (typeof a === 'string') return `we refuse the event (${a})`;
  const onlyOurs = apart(a, b);
  const onlyTheirs = apart(b, a);
  if (!onlyOurs.length && onlyTheirs.every((name) => name === 'Billing Amount'))
    return `Billing Amount of a revenue that is not money: ${JSON.stringify(item.message.properties?.revenue)}`;
  if (onlyOurs.every((name) => /\.\d+(\.|$)/.test(name)) && onlyTheirs.every((name) => name === 'Billing Amount'))
    return (
      'a list of objects, which it sent as "[object Object]" (or not at all)' +
      (onlyTheirs.length ? ', and a Billing Amount of a revenue that is not money' : '')
    );
  return 'other';
};

const peer = loadPeer(values.peer);
if (!peer) {
  console.log(PEER_HOWTO);
  process.exit(2);
}
const o = await loadOurs();
const kinds = new Map();
let shown = 0;
let compared = 0;
for (const prefixProperties of [false, true]) {
  const dest = destination(prefixProperties);
  const items = Array.from({ length: Number(values.events) }, (_, i) => callEvent(i, dest));
  for (const message of EDGES) items.push({ message, metadata: {}, destination: dest });
  for (const item of items) {
    compared++;
    const a = ours(o, JSON.parse(JSON.stringify(item)));
    const b = theirs(peer, JSON.parse(JSON.stringify(item)));
    if (JSON.stringify(a) === JSON.stringify(b)) continue;
    const kind = kindOf(item, a, b);
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    if (shown++ < Number(values.show))
      console.log(`prefix ${prefixProperties ? 'on' : 'off'}: ${JSON.stringify(item.message).slice(0, 300)}`);
    if (shown <= Number(values.show)) console.log(`  ours:   ${JSON.stringify(a)}\n  theirs: ${JSON.stringify(b)}`);
  }
}
console.log(`${compared} events compared; differences by kind:`);
for (const [kind, count] of kinds) console.log(`  ${count}  ${kind}`);
