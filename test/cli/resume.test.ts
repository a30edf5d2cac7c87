import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { requestsFor } from '../../src/cloud/requests';
import type { Received } from '../cloud/fakeTracker';
import { shellCommand } from '../../src/cli/text';
import {
  CLI,
  KEY,
  filesIn,
  ndjson,
  run,
  runPrinted,
  start,
  startPrinted,
  summaryOf,
  tempDir,
  TIMESTAMP,
  until,
  useTracker,
} from './runCli';

/*
 * `send --state FILE`: the very same command, run again after any stop, continues where the last
 * run stopped. The proof: SIGKILL the real CLI at several points of a run against a local tracker
 * that records every request, run the same command again each time, then check that every line
 * was delivered at least once, that at most --concurrency lines were delivered twice per kill,
 * and that --failed-out holds exactly the lines that cannot be delivered, once each.
 */

const dir = tempDir();
const startTracker = useTracker();

const CONCURRENCY = 4;

/** Line i of a realistic mix: tracks (some with products), pages, identifies, aliases; some malformed or refused. */
const lineOf = (i: number): string => {
  const person = `p${i % 7}`;
  const base = { userId: person, timestamp: TIMESTAMP };
  if (i % 41 === 0) return `{"type":"track","event":"Cut short ${i}"`;
  if (i % 53 === 0) return '';
  if (i % 37 === 0) return JSON.stringify({ ...base, type: 'track', event: 'Refused', properties: { line: i } });
  if (i % 10 === 3) return JSON.stringify({ ...base, type: 'identify', anonymousId: `a${i}`, traits: { line: i } });
  if (i % 10 === 6) return JSON.stringify({ type: 'alias', userId: `n${i}`, previousId: person, timestamp: TIMESTAMP });
  if (i % 10 === 8) return JSON.stringify({ ...base, type: 'page', name: 'Home', properties: { line: i } });
  const products =
    i % 5 === 0
      ? [
          { sku: `s${i}`, line: i },
          { sku: `t${i}`, line: i },
        ]
      : undefined;
  return JSON.stringify({ ...base, type: 'track', event: 'Bought', properties: { line: i, products } });
};

const LINES = 200;
const lineNumbers = Array.from({ length: LINES }, (_, i) => i + 1);
const text = `${lineNumbers.map(lineOf).join('\n')}\n`;

const keyOf = (path: string, params: Record<string, unknown>): string =>
  `${path} ${JSON.stringify(
    Object.fromEntries(
      Object.entries(params)
        .map(([k, v]) => [k, String(v)])
        .sort(),
    ),
  )}`;

/** Which line each request belongs to, and how many requests each deliverable line makes. */
const expected = (url: string): { lineOfRequest: Map<string, number>; requestsOf: Map<number, number> } => {
  const lineOfRequest = new Map<string, number>();
  const requestsOf = new Map<number, number>();
  for (const i of lineNumbers) {
    const line = lineOf(i);
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch {
      continue;
    }
    const requests = requestsFor(event, { apiKey: KEY, trackingHost: url });
    requestsOf.set(i, requests.length);
    for (const r of requests) lineOfRequest.set(keyOf(new URL(r.endpoint).pathname, r.params), i);
  }
  return { lineOfRequest, requestsOf };
};

const receivedKey = (r: Received): string => keyOf(r.path, r.params);

/** The command a run printed when it started, to go on after any stop. */
const goOnWith = (stderr: string): string => {
  const command = /after any stop, even a crash, go on with: (.*)$/m.exec(stderr)?.[1];
  if (command === undefined) throw new Error(`no command printed at the start:\n${stderr}`);
  return command;
};

describe('send survives SIGKILL at any point, with or without --state', () => {
  it.each([
    ['a file, --state', false, true],
    ['stdin, --state', true, true],
    ['a file, the journal send keeps', false, false],
  ])(
    '%s: every request delivered, at most --concurrency sent twice per kill, --failed-out exact',
    async (name, fromStdin, withState) => {
      const label = name.replace(/\W/g, '');
      const input = join(dir(), `events-${label}.ndjson`);
      await writeFile(input, text);
      // Every request is answered after a few milliseconds, so that a run is still going when killed.
      const tracker = await startTracker((r) => ({ status: r.params._n === 'Refused' ? 400 : 200, delayMs: 3 }));
      const { url } = tracker;
      const state = join(dir(), `events-${label}.state`);
      const failedOut = join(dir(), `events-${label}.failed.ndjson`);
      const first = [
        'send',
        '--api-key',
        KEY,
        '--endpoint',
        url,
        '--concurrency',
        String(CONCURRENCY),
        '--failed-out',
        failedOut,
        ...(withState ? ['--state', state] : []),
        fromStdin ? '-' : input,
      ];
      const options = fromStdin ? { stdin: text } : {};
      const { lineOfRequest, requestsOf } = expected(url);
      const totalRequests = [...requestsOf.values()].reduce((a, b) => a + b, 0);

      // Kill the run after about a tenth, a half and four fifths of the requests; go on each time
      // with what the run printed when it started (the same command, with --state).
      const killAt = [0.1, 0.5, 0.8].map((f) => Math.round(f * totalRequests));
      let again: string | undefined;
      for (const count of killAt) {
        const child = again === undefined ? start(first, options) : startPrinted(again, dir(), fromStdin ? text : '');
        await until(() => tracker.accepted.length >= count);
        child.process.kill('SIGKILL');
        const killed = await child.exited;
        expect(killed.signal).toBe('SIGKILL');
        again ??= withState ? shellCommand([process.execPath, CLI, ...first]) : goOnWith(child.stderr());
      }
      const last = await runPrinted(again ?? '', dir(), fromStdin ? text : '');
      expect(last.code).toBe(1);
      expect(summaryOf(last.stderr)).toMatch(
        /\n {2}done before: +\d+ {2}\(by earlier runs with this --state, skipped\)\n/,
      );

      // Every deliverable request arrived at least once; at most --concurrency requests per kill arrived twice.
      const seen = new Map<string, number>();
      for (const r of tracker.accepted) {
        const key = receivedKey(r);
        if (lineOfRequest.get(key) === undefined) throw new Error(`a request of no line: ${key}`);
        seen.set(key, (seen.get(key) ?? 0) + 1);
      }
      const refused = lineNumbers.filter((i) => i % 37 === 0 && i % 41 !== 0 && i % 53 !== 0);
      const deliverable = [...lineOfRequest].filter(([, line]) => !refused.includes(line)).map(([key]) => key);
      expect(deliverable.filter((key) => !seen.has(key))).toEqual([]);
      const repeats = [...seen.values()].reduce((sum, n) => sum + n - 1, 0);
      expect(repeats).toBeLessThanOrEqual(CONCURRENCY * killAt.length);

      // --failed-out: the malformed and the refused lines, once each, byte for byte, with their reasons.
      const malformed = lineNumbers.filter((i) => i % 41 === 0);
      const failedLines = (await readFile(failedOut, 'utf8')).split('\n').slice(0, -1);
      expect([...failedLines].sort()).toEqual([...malformed, ...refused].map(lineOf).sort());
      const reasons = ndjson(await readFile(`${failedOut}.reasons.ndjson`, 'utf8')) as { line: number }[];
      expect(reasons.map((r) => r.line).sort((a, b) => a - b)).toEqual(
        [...malformed, ...refused].sort((a, b) => a - b),
      );
      expect(reasons.map((r) => lineOf(r.line))).toEqual(failedLines);

      if (!withState) {
        // Every line done: the journal send kept is gone, and with it the command to run again.
        expect((await filesIn(dir())).filter((f) => f.startsWith('send-'))).toEqual([]);
        return;
      }
      // Once more: nothing left to send; the exit status still says that lines were not delivered.
      const before = tracker.attempts.length;
      const once = await run(first, options);
      expect(once.code).toBe(1);
      expect(summaryOf(once.stderr)).toMatch(
        new RegExp(
          `^summary: 0 lines read\\n {2}done before: +${LINES} {2}\\(by earlier runs with this --state, skipped\\)\\n`,
        ),
      );
      expect(summaryOf(once.stderr)).toContain(
        `earlier runs with this --state: ${malformed.length + refused.length} lines not delivered, in --failed-out`,
      );
      expect(tracker.attempts.length).toBe(before);
    },
  );
});

describe('send --state refuses what is not its own', () => {
  // Nothing is ever sent to this endpoint: each input has only a blank line.
  const args = (state: string, input: string, key = KEY): string[] => [
    'send',
    '--api-key',
    key,
    '--endpoint',
    'http://127.0.0.1:9',
    '--state',
    state,
    input,
  ];

  const setUp = async (name: string): Promise<{ input: string; state: string }> => {
    const input = join(dir(), `${name}.ndjson`);
    await writeFile(input, '\n');
    const state = join(dir(), `${name}.state`);
    // A first run with only a blank line creates the state and sends nothing.
    const first = await run(args(state, input));
    expect(first.code).toBe(0);
    return { input, state };
  };

  it('refuses a state of another input: by its content, naming the file it was written for', async () => {
    const { state } = await setUp('mine');
    const other = join(dir(), 'other.ndjson');
    await writeFile(other, ' \n');
    const result = await run(args(state, other));
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `rudderstack-kissmetrics: the input changed since the journal ${state} was written (it was written reading ` +
        `${join(dir(), 'mine.ndjson')}; this run reads ${other}): line 1 is not the line it recorded (the first that ` +
        'differs); nothing was sent. Resuming would skip or repeat changed lines. Restore the input it was written ' +
        `for, or to send this input as it is now, start over: remove ${state} and ${state}.checksums (what the ` +
        'journal recorded as delivered was delivered: a new run sends it again).\n',
    );
  });

  it('goes on with the same content under another name', async () => {
    const { state } = await setUp('renamed');
    const moved = join(dir(), 'moved.ndjson');
    await writeFile(moved, '\n');
    const result = await run(args(state, moved));
    expect(result.code).toBe(0);
    expect(summaryOf(result.stderr)).toMatch(/^summary: 0 lines read\n {2}done before: +1 /);
  });

  it('refuses a state that used another API key, without repeating it', async () => {
    const { input, state } = await setUp('changed');
    const result = await run(args(state, input, 'c'.repeat(40)));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--state ${state} belongs to another run: it used another API key.`);
    expect(result.stderr).not.toContain('c'.repeat(40));
  });

  it('refuses a file that is not a state, and never writes over it', async () => {
    const input = join(dir(), 'any.ndjson');
    await writeFile(input, '\n');
    const notState = join(dir(), 'notes.txt');
    await writeFile(notState, 'my notes\n');
    const result = await run(args(notState, input));
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `rudderstack-kissmetrics: --state ${notState}: it is not a send --state file (its first line is not a valid ` +
        'header); give another file, or remove it to start over\n',
    );
    expect(await readFile(notState, 'utf8')).toBe('my notes\n');
  });

  it('refuses a --state that is not a regular file', async () => {
    const input = join(dir(), 'device.ndjson');
    await writeFile(input, '\n');
    const result = await run(args('/dev/full', input));
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'rudderstack-kissmetrics: --state /dev/full is not a regular file: give the name of a file\n',
    );
  });

  it('refuses the input itself as --state', async () => {
    const input = join(dir(), 'self.ndjson');
    await writeFile(input, '\n');
    const result = await run(args(input, input));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--state ${input} is the input ${input} (same file)`);
    expect(await readFile(input, 'utf8')).toBe('\n');
  });

  it('cuts --failed-out back to what the state recorded: a line written just before a crash is not kept twice', async () => {
    const tracker = await startTracker();
    const input = join(dir(), 'cut.ndjson');
    const ok = JSON.stringify({ type: 'track', event: 'E1', userId: 'u', timestamp: TIMESTAMP });
    await writeFile(input, `${ok}\nnot json 2\n`);
    const state = join(dir(), 'cut.state');
    const failedOut = join(dir(), 'cut.failed.ndjson');
    const command = [
      'send',
      '--api-key',
      KEY,
      '--endpoint',
      tracker.url,
      '--failed-out',
      failedOut,
      '--state',
      state,
      input,
    ];
    expect((await run(command)).code).toBe(1);
    // A crash as line 3 was recorded: its bytes and reason reached the files, its state record did not.
    await appendFile(input, 'not json 3\n');
    await appendFile(failedOut, 'not json 3\n');
    await appendFile(`${failedOut}.reasons.ndjson`, '{"line":3,"kind":"malformed","reason":"…"}\n');
    const resumed = await run(command);
    expect(resumed.code).toBe(1);
    expect(await readFile(failedOut, 'utf8')).toBe('not json 2\nnot json 3\n');
    expect(
      (ndjson(await readFile(`${failedOut}.reasons.ndjson`, 'utf8')) as { line: number }[]).map((r) => r.line),
    ).toEqual([2, 3]);
  });

  it('ignores a torn last record (a crash in the middle of a write)', async () => {
    const tracker = await startTracker();
    const input = join(dir(), 'torn.ndjson');
    const events = [1, 2, 3].map((i) =>
      JSON.stringify({ type: 'track', event: `E${i}`, userId: 'u', timestamp: TIMESTAMP }),
    );
    await writeFile(input, `${events.join('\n')}\n`);
    const state = join(dir(), 'torn.state');
    const command = ['send', '--api-key', KEY, '--endpoint', tracker.url, '--state', state, input];
    const first = await run(command);
    expect(first.code).toBe(0);
    // Progress records of lines 4 and 5 that a crash cut: a wrong checksum, then half a record.
    await appendFile(state, 's 4 999 00000000\ns 5 1');
    await appendFile(input, `${JSON.stringify({ type: 'page', userId: 'u', name: 'Late', timestamp: TIMESTAMP })}\n`);
    // The input grew, its first bytes did not change: the same run goes on with line 4.
    const second = await run(command);
    expect(second.code).toBe(0);
    expect(summaryOf(second.stderr)).toMatch(/^summary: 1 line read\n {2}done before: +3 /);
    expect(tracker.accepted.map((r) => r.params._n)).toEqual(['E1', 'E2', 'E3', 'Viewed Late page']);
  });
});
