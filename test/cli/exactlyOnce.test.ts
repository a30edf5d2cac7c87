import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { requestsFor } from '../../src/cloud/requests';
import type { Child } from './runCli';
import { KEY, resumeCommandOf, start, startPrinted, tempDir, TIMESTAMP, until, useTracker } from './runCli';

/*
 * Exactly once across interruptions, without --state: a run is interrupted (Ctrl-C or SIGTERM, in
 * turn) at random points while the endpoint answers slowly, then the command it printed is run, and
 * interrupted again, until the input is done. Lines make one to five requests each, so that
 * interruptions fall inside lines. Every request the endpoint acknowledged is counted: each must be
 * there exactly once.
 */

const dir = tempDir();
const startTracker = useTracker();

const LINES = 30;
const CONCURRENCY = 4;
/** The seed of the interruption points; `EXACTLY_ONCE_SEED` replays another run of the test. */
const SEED = Number(process.env.EXACTLY_ONCE_SEED ?? 20240301);

/** A small deterministic generator (mulberry32): the same seed, the same interruption points. */
const random = (seed: number): (() => number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

/** Line i: an order with i % 5 products (1 to 5 requests), or an identify with both ids (2 requests). */
const event = (i: number): Record<string, unknown> => {
  const person = `p${i % 6}`;
  if (i % 7 === 3)
    return { type: 'identify', userId: person, anonymousId: `a${i}`, traits: { line: i }, timestamp: TIMESTAMP };
  const products = Array.from({ length: i % 5 }, (_, k) => ({ sku: `s${i}-${k}`, price: k + 1 }));
  return {
    type: 'track',
    event: 'Order Completed',
    userId: person,
    timestamp: TIMESTAMP,
    properties: { line: i, revenue: i, products },
  };
};

const keyOf = (path: string, params: Record<string, unknown>): string =>
  `${path} ${JSON.stringify(
    Object.entries(params)
      .map(([k, v]) => [k, String(v)])
      .sort(),
  )}`;

const expectedKeys = (url: string): string[] =>
  Array.from({ length: LINES }, (_, i) => requestsFor(event(i + 1), { apiKey: KEY, trackingHost: url })).flatMap(
    (requests) => requests.map((r) => keyOf(new URL(r.endpoint).pathname, r.params)),
  );

describe('send, interrupted again and again, delivers every request exactly once', () => {
  it.each([
    ['a file', false],
    ['stdin', true],
  ])('%s, without --state, following each printed resume', async (name, fromStdin) => {
    const next = random(SEED + (fromStdin ? 1 : 0));
    const tracker = await startTracker(() => ({ status: 200, delayMs: 30 }));
    const text = `${Array.from({ length: LINES }, (_, i) => JSON.stringify(event(i + 1))).join('\n')}\n`;
    const input = join(dir(), `${name.replace(/\W/g, '')}.ndjson`);
    await writeFile(input, text);
    const total = expectedKeys(tracker.url).length;
    const stdin = fromStdin ? text : '';
    const first = ['send', '--api-key', KEY, '--endpoint', tracker.url, '--concurrency', String(CONCURRENCY)];
    let child: Child = start([...first, fromStdin ? '-' : input], { stdin });
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
    const codes: (number | null)[] = [];
    for (let round = 0; round < 6; round++) {
      const target = tracker.accepted.length + 8 + Math.floor(next() * 20);
      let ended = false;
      void child.exited.then(() => (ended = true));
      await until(() => ended || tracker.accepted.length >= target);
      child.process.kill(signals[round % 2]);
      const result = await child.exited;
      codes.push(result.code);
      if (result.code === 0) break;
      child = startPrinted(resumeCommandOf(result.stderr), dir(), stdin);
    }
    if (codes[codes.length - 1] !== 0) codes.push((await child.exited).code);
    expect(codes[codes.length - 1]).toBe(0);
    expect(codes.filter((code) => code === 130 || code === 143).length).toBeGreaterThanOrEqual(3);

    const counts = new Map<string, number>();
    for (const r of tracker.accepted)
      counts.set(keyOf(r.path, r.params), (counts.get(keyOf(r.path, r.params)) ?? 0) + 1);
    const keys = expectedKeys(tracker.url);
    expect([...counts.keys()].sort()).toEqual([...keys].sort());
    expect([...counts.entries()].filter(([, n]) => n !== 1)).toEqual([]);
    expect(tracker.accepted).toHaveLength(total);
  });
});

describe('a line interrupted between its requests', () => {
  it('Ctrl-C after an order was recorded, before its products: the resume sends the products, never the order again', async () => {
    // The order (/e, with its revenue) is answered at once; each product (/s) after 400 ms.
    const tracker = await startTracker((r) => ({ status: 200, delayMs: r.path === '/s' ? 400 : 0 }));
    const order = {
      type: 'track',
      event: 'Order Completed',
      userId: 'u1',
      timestamp: TIMESTAMP,
      properties: { revenue: 99, products: [{ sku: 'a' }, { sku: 'b' }, { sku: 'c' }] },
    };
    const input = join(dir(), 'one-order.ndjson');
    await writeFile(input, `${JSON.stringify(order)}\n`);
    const child = start(['send', '--api-key', KEY, '--endpoint', tracker.url, input]);
    await until(() => tracker.attempts.some((r) => r.path === '/s'));
    child.process.kill('SIGINT');
    const stopped = await child.exited;
    expect(stopped.code).toBe(130);
    const resumed = await startPrinted(resumeCommandOf(stopped.stderr), dir()).exited;
    expect(resumed.code).toBe(0);
    expect(tracker.accepted.map((r) => `${r.path} ${r.params._n ?? r.params.sku ?? ''}`)).toEqual([
      '/e Order Completed',
      '/s a',
      '/s b',
      '/s c',
    ]);
  });
});
