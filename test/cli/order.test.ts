import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Received } from '../cloud/fakeTracker';
import { KEY, run, tempDir, TIMESTAMP, useTracker } from './runCli';

/*
 * Lines of the same person reach the endpoint in input order at any concurrency: a later line of
 * a person is only sent once every request of the earlier one was answered. The tracker holds the
 * first line of each person back, so that, without ordering, later lines would overtake it.
 */

const dir = tempDir();
const startTracker = useTracker();

const PEOPLE = 8;
const LINES = 160;

interface Line {
  event: Record<string, unknown>;
  /** The people the line is about, by the rule of the contract. */
  people: string[];
}

/** Person k's lines: as anonymous a<k>, then identified as u<k>, then aliased to v<k>; all types mixed. */
const lineOf = (i: number): Line => {
  const k = i % PEOPLE;
  const step = Math.floor(i / PEOPLE);
  const base = { timestamp: TIMESTAMP, properties: { line: i } };
  if (step === 0)
    return { event: { ...base, type: 'track', event: 'Visited', anonymousId: `a${k}` }, people: [`a${k}`] };
  if (step === 1)
    return {
      event: { type: 'identify', userId: `u${k}`, anonymousId: `a${k}`, timestamp: TIMESTAMP, traits: { line: i } },
      people: [`u${k}`, `a${k}`],
    };
  if (step === 10)
    return {
      event: { type: 'alias', userId: `v${k}`, previousId: `u${k}`, timestamp: TIMESTAMP },
      people: [`v${k}`, `u${k}`],
    };
  const userId = step > 10 ? `v${k}` : `u${k}`;
  if (step % 3 === 0) return { event: { ...base, type: 'page', name: 'Home', userId }, people: [userId] };
  const products =
    step % 3 === 1
      ? [
          { sku: 'a', line: i },
          { sku: 'b', line: i },
        ]
      : undefined;
  return {
    event: { type: 'track', event: 'Bought', userId, timestamp: TIMESTAMP, properties: { line: i, products } },
    people: [userId],
  };
};

const lines = Array.from({ length: LINES }, (_, i) => lineOf(i));

/** The line a request belongs to: its `line` property, or for an alias the ids it names. */
const lineOfRequest = (r: Received): number => {
  if (r.params.line !== undefined) return Number(r.params.line);
  const alias = lines.findIndex(
    ({ event }) => event.type === 'alias' && event.userId === r.params._n && event.previousId === r.params._p,
  );
  if (alias >= 0) return alias;
  // The /a of an identify: anonymous id to user id.
  return lines.findIndex(
    ({ event }) => event.type === 'identify' && event.userId === r.params._n && event.anonymousId === r.params._p,
  );
};

it.each([4, 16, 64])('delivers the lines of each person in input order at --concurrency %i', async (concurrency) => {
  // The first line of each person is answered late; everything else at once.
  const tracker = await startTracker((r) => ({ status: 200, delayMs: lineOfRequest(r) < PEOPLE ? 300 : 0 }));
  const input = join(dir(), `order-${concurrency}.ndjson`);
  await writeFile(input, `${lines.map((l) => JSON.stringify(l.event)).join('\n')}\n`);
  const result = await run([
    'send',
    '--api-key',
    KEY,
    '--endpoint',
    tracker.url,
    '--concurrency',
    String(concurrency),
    input,
  ]);
  expect(result.code).toBe(0);

  // When each line's first request arrived, and when its last one was answered.
  const firstArrival = new Map<number, number>();
  const lastAnswer = new Map<number, number>();
  tracker.log.forEach(({ event, request }, position) => {
    const line = lineOfRequest(request);
    if (line < 0) throw new Error(`a request of no line: ${JSON.stringify(request.params)}`);
    if (event === 'arrived' && !firstArrival.has(line)) firstArrival.set(line, position);
    if (event === 'answered') lastAnswer.set(line, position);
  });
  expect(firstArrival.size).toBe(LINES);

  // For every two lines that share a person, the earlier one was answered before the later one was sent.
  const overtaken: string[] = [];
  for (let a = 0; a < LINES; a++) {
    for (let b = a + 1; b < LINES; b++) {
      const shared = lines[a]?.people.some((p) => lines[b]?.people.includes(p));
      if (shared && (lastAnswer.get(a) ?? Infinity) > (firstArrival.get(b) ?? -Infinity))
        overtaken.push(`${a} by ${b}`);
    }
  }
  expect(overtaken).toEqual([]);
});
