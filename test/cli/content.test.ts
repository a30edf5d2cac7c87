import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Received } from '../cloud/fakeTracker';
import { KEY, run, summaryOf, tempDir, trackLine, useTracker } from './runCli';

/*
 * The journal is bound to the input's content, not to its name: a resume reads again every line
 * the journal recorded and refuses, before sending anything, when one of them changed. Lines
 * appended to an unchanged input are continued.
 */

const dir = tempDir();
const startTracker = useTracker();

const numbers = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const eventNumber = (r: Received): number => Number(r.params._n?.slice(1));
const lines = (from: number, to: number): string => numbers(from, to).map(trackLine).join('\n') + '\n';

const refusal = (state: string, line: number): string =>
  `rudderstack-kissmetrics: the input changed since the journal ${state} was written: line ${line} is not the line ` +
  'it recorded (the first that differs); nothing was sent. Resuming would skip or repeat changed lines. Restore ' +
  'the input it was written for, or to send this input as it is now, start over: remove ' +
  `${state} and ${state}.checksums (what the journal recorded as delivered was delivered: a new run sends it again).\n`;

describe('a resume is bound to the content of the input', () => {
  const setUp = async (name: string, plan?: Parameters<typeof startTracker>[0]) => {
    const tracker = await startTracker(plan);
    const input = join(dir(), `${name}.ndjson`);
    const state = join(dir(), `${name}.state`);
    const args = ['send', '--api-key', KEY, '--endpoint', tracker.url, '--state', state];
    return { tracker, input, state, args };
  };

  it.each([
    ['one byte of a line, same length', (text: string) => text.replace('"E4"', '"F4"')],
    ['a line made longer', (text: string) => text.replace('"E4"', '"E4 corrected"')],
    ['a line removed', (text: string) => text.replace(`${trackLine(4)}\n`, '')],
  ])('refuses %s, naming the first line that differs, before sending anything (exit 2)', async (_name, change) => {
    const { tracker, input, state, args } = await setUp(`changed-${_name.replace(/\W/g, '')}`);
    await writeFile(input, lines(1, 8));
    expect((await run([...args, input])).code).toBe(0);
    const sent = tracker.attempts.length;
    await writeFile(input, change(await readFile(input, 'utf8')));
    const again = await run([...args, input]);
    expect(again).toEqual({ code: 2, signal: null, stdout: '', stderr: refusal(state, 4) });
    expect(tracker.attempts.length).toBe(sent);
  });

  it('refuses a change far past the first 64 KiB, where an earlier journal only looked', async () => {
    const { tracker, input, state, args } = await setUp('far');
    // 300 lines of about 300 bytes: line 290 starts past 64 KiB.
    const padded = (i: number): string =>
      JSON.stringify({ type: 'track', event: `E${i}`, userId: `u${i}`, properties: { note: 'x'.repeat(220) } });
    await writeFile(input, `${numbers(1, 300).map(padded).join('\n')}\n`);
    expect((await run([...args, '--concurrency', '32', input])).code).toBe(0);
    const sent = tracker.attempts.length;
    await writeFile(input, (await readFile(input, 'utf8')).replace('"E290"', '"F290"'));
    expect(await run([...args, '--concurrency', '32', input])).toEqual({
      code: 2,
      signal: null,
      stdout: '',
      stderr: refusal(state, 290),
    });
    expect(tracker.attempts.length).toBe(sent);
  });

  it('refuses an input cut short of the lines it recorded', async () => {
    const { input, state, args } = await setUp('cut');
    await writeFile(input, lines(1, 8));
    expect((await run([...args, input])).code).toBe(0);
    await writeFile(input, lines(1, 5));
    const again = await run([...args, input]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(
      `the input changed since the journal ${state} was written: it has 5 lines, and the journal recorded line 8; nothing was sent.`,
    );
  });

  it('continues lines appended to an unchanged input, and sends only those', async () => {
    const { tracker, input, args } = await setUp('appended');
    await writeFile(input, lines(1, 5));
    expect((await run([...args, input])).code).toBe(0);
    await appendFile(input, lines(6, 9));
    const again = await run([...args, input]);
    expect(again.code).toBe(0);
    expect(summaryOf(again.stderr)).toMatch(/^summary: 4 lines read\n {2}done before: +5 /);
    expect(tracker.accepted.map(eventNumber)).toEqual(numbers(1, 9));
  });

  it('stdin: refuses a changed line before sending anything, even a line not done before it', async () => {
    // Line 3 fails (not retryable) and is not done: the resume would send it again, but line 6 changed.
    const { tracker, state, args } = await setUp('stdin', (r) => ({ status: r.params._n === 'E3' ? 400 : 200 }));
    const text = lines(1, 8);
    expect((await run([...args, '-'], { stdin: text })).code).toBe(1);
    const sent = tracker.attempts.length;
    const again = await run([...args, '-'], { stdin: text.replace('"E6"', '"F6"') });
    expect(again).toEqual({ code: 2, signal: null, stdout: '', stderr: refusal(state, 6) });
    expect(tracker.attempts.length).toBe(sent);
  });
});
