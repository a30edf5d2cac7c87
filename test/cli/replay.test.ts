import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { requestsFor } from '../../src/cloud/requests';
import { requestId } from '../../src/cli/send/translate';
import type { Received } from '../cloud/fakeTracker';
import { KEY, ndjson, replayCommandOf, run, runPrinted, tempDir, TIMESTAMP, trackLine, useTracker } from './runCli';

/*
 * A line that failed half-way goes to --failed-out with the requests that were delivered named in
 * its reason; the printed replay sends only the others, and keeps the line numbers of the original
 * input, however many times the replay itself is replayed.
 */

const dir = tempDir();
const startTracker = useTracker();

const order = {
  type: 'track',
  event: 'Order Completed',
  userId: 'u2',
  timestamp: TIMESTAMP,
  properties: { revenue: 30, products: [{ sku: 'good' }, { sku: 'bad' }] },
};
const text =
  [trackLine(1), JSON.stringify(order), trackLine(3), trackLine(4), trackLine(5), trackLine(6)].join('\n') + '\n';

const keyOf = (r: Received): string => `${r.path} ${r.params._n ?? r.params.sku ?? ''}`;

describe('replaying --failed-out', () => {
  it('sends only the requests not delivered, exactly once, and names the lines as the original input did', async () => {
    // At first, product "bad" is refused (400) and line 5 fails; then "bad" is fixed; then line 5 is.
    const fixed = { bad: false, five: false };
    const tracker = await startTracker((r) => {
      if (r.params.sku === 'bad' && !fixed.bad) return { status: 400 };
      if (r.params._n === 'E5' && !fixed.five) return { status: 500 };
      return { status: 200 };
    });
    const input = join(dir(), 'orders.ndjson');
    await writeFile(input, text);
    const failedOut = join(dir(), 'orders.failed.ndjson');
    const first = await run([
      'send',
      '--api-key',
      KEY,
      '--endpoint',
      tracker.url,
      '--max-attempts',
      '1',
      '--failed-out',
      failedOut,
      input,
    ]);
    expect(first.code).toBe(1);
    const [record, good] = requestsFor(order, { apiKey: KEY, trackingHost: tracker.url });
    if (!record || !good) throw new Error('expected the requests of the order');
    const reasons = ndjson(await readFile(`${failedOut}.reasons.ndjson`, 'utf8')) as { line: number }[];
    expect(reasons.sort((a, b) => a.line - b.line)).toEqual(
      [
        {
          line: 2,
          kind: 'failed',
          reason: 'request 3 of 3 (GET /s) failed: HTTP 400, after 1 attempt; requests 1-2 were delivered',
          requests: 3,
          delivered: [
            { request: 1, path: '/e', id: requestId(record, 0) },
            { request: 2, path: '/s', id: requestId(good, 1) },
          ],
        },
        {
          line: 5,
          kind: 'failed',
          reason: 'request 1 of 1 (GET /e) failed: HTTP 500, after 1 attempt',
          requests: 1,
          delivered: [],
        },
      ].sort((a, b) => a.line - b.line),
    );

    fixed.bad = true;
    const replay = await runPrinted(replayCommandOf(first.stderr), dir());
    expect(replay.code).toBe(1);
    // The replay's lines are 1 and 2 of the failed-out file: it names them 2 and 5, as the original input did.
    expect(replay.stderr).toContain('line 5: request 1 of 1 (GET /e) failed: HTTP 500, after 1 attempt\n');
    const replayed = join(dir(), 'orders.failed.replay.ndjson');
    expect(ndjson(await readFile(`${replayed}.reasons.ndjson`, 'utf8'))).toEqual([
      {
        line: 5,
        kind: 'failed',
        reason: 'request 1 of 1 (GET /e) failed: HTTP 500, after 1 attempt',
        requests: 1,
        delivered: [],
      },
    ]);

    fixed.five = true;
    const again = await runPrinted(replayCommandOf(replay.stderr), dir());
    expect(again.code).toBe(0);

    // Every request of the input acknowledged exactly once: the order's /e (its revenue) was never sent twice.
    const counts = new Map<string, number>();
    for (const r of tracker.accepted) counts.set(keyOf(r), (counts.get(keyOf(r)) ?? 0) + 1);
    expect(Object.fromEntries(counts)).toEqual({
      '/e E1': 1,
      '/e Order Completed': 1,
      '/s good': 1,
      '/s bad': 1,
      '/e E3': 1,
      '/e E4': 1,
      '/e E5': 1,
      '/e E6': 1,
    });
  });

  it('says so, and sends every request of each line, when the reasons do not match the file', async () => {
    const tracker = await startTracker();
    const edited = join(dir(), 'edited.failed.ndjson');
    await writeFile(edited, `${trackLine(1)}\n${trackLine(2)}\n`);
    await writeFile(`${edited}.reasons.ndjson`, `${JSON.stringify({ line: 40, kind: 'failed', reason: 'x' })}\n`);
    const result = await run(['send', '--api-key', KEY, '--endpoint', tracker.url, edited]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      `${edited}.reasons.ndjson has 1 reason for 2 lines: not used (line numbers are those of ${edited}, and every request of each line is sent)\n`,
    );
    expect(tracker.accepted).toHaveLength(2);
  });
});
