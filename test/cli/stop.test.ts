import { execFile, execFileSync } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Received } from '../cloud/fakeTracker';
import { CLI, KEY, ndjson, run, start, summaryOf, tempDir, trackLine, until, useTracker } from './runCli';
import type { Run } from './runCli';

/*
 * Stopping early: SIGINT and SIGTERM stop a run cleanly, and a failing endpoint stops it. Each
 * test then runs the resume command the summary printed, as a user would paste it, and checks
 * that every line ends up delivered exactly once.
 */

const dir = tempDir();
const tracker = useTracker();

const numbers = (count: number): number[] => Array.from({ length: count }, (_, i) => i + 1);
const eventNumber = (r: Received): number => Number(r.params._n?.slice(1));

const writeInput = async (name: string, count: number): Promise<string> => {
  const path = join(dir(), name);
  await writeFile(path, numbers(count).map(trackLine).join('\n') + '\n');
  return path;
};

/** Runs a printed resume command with `sh`, `rudderstack-kissmetrics` on the PATH and the key in the environment. */
const runPrinted = async (command: string): Promise<Run> => {
  const bin = join(dir(), 'bin');
  await mkdir(bin, { recursive: true });
  const shim = join(bin, 'rudderstack-kissmetrics');
  await writeFile(shim, `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
  await chmod(shim, 0o755);
  return new Promise((done) => {
    execFile(
      'sh',
      ['-c', command],
      { env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, KISSMETRICS_API_KEY: KEY } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        done({ code, signal: null, stdout, stderr });
      },
    );
  });
};

const resumeCommand = (stderr: string): string => {
  const match = /^resume: (?:send the input again from line \d+ on: … \| )?(.*)$/m.exec(stderr);
  if (!match?.[1]) throw new Error(`no resume command in:\n${stderr}`);
  return match[1];
};

describe('send stops cleanly on SIGTERM and SIGINT', () => {
  it('SIGTERM: aborts what is in flight, writes every line not sent to --failed-out, exits 143', async () => {
    const holding = await tracker(() => ({ status: 200, hold: true }));
    const input = await writeInput('sigterm.ndjson', 10);
    const failedOut = join(dir(), 'sigterm.failed.ndjson');
    const args = ['--endpoint', holding.url, '--concurrency', '4'];
    const child = start(['send', '--api-key', KEY, ...args, '--failed-out', failedOut, input]);
    await until(() => holding.attempts.length === 4);
    child.process.kill('SIGTERM');
    const result = await child.exited;

    expect(result.code).toBe(143);
    expect(result.stderr).toContain('terminated (SIGTERM): stopping; the lines in flight are reported as not sent\n');
    expect(summaryOf(result.stderr)).toBe(
      [
        'summary: 10 lines read',
        '  sent:                    0  (0 requests delivered)',
        '  retried:                 0  (retries in all)',
        '  nothing to send:         0',
        '  malformed:               0',
        '  untranslatable:          0',
        '  failed:                  0',
        '  not sent:               10  (in flight or waiting when the run stopped)',
        'stopped: terminated (SIGTERM)',
        `10 lines not delivered, written to ${failedOut} (reasons in ${failedOut}.reasons.ndjson)`,
        `resume: tail -n +11 ${input} | rudderstack-kissmetrics send ${args.join(' ')} ` +
          `--failed-out ${failedOut} --append-failed-out -`,
        `  the 10 lines in flight or waiting when the run stopped are in ${failedOut} with the other lines not ` +
          'delivered: replay that file once their causes are fixed',
        '(with KISSMETRICS_API_KEY set to your API key: the key is never printed)',
        '',
      ].join('\n'),
    );
    expect((await readFile(failedOut, 'utf8')).split('\n').sort()).toEqual(['', ...numbers(10).map(trackLine)].sort());
    expect(ndjson(await readFile(`${failedOut}.reasons.ndjson`, 'utf8'))).toContainEqual({
      line: 7,
      kind: 'not sent',
      reason: 'not sent: terminated',
    });

    // Replaying --failed-out delivers them all, once each.
    const accepting = await tracker();
    const replay = await run(['send', '--api-key', KEY, '--endpoint', accepting.url, failedOut]);
    expect(replay.code).toBe(0);
    expect(accepting.accepted.map(eventNumber).sort((a, b) => a - b)).toEqual(numbers(10));
  });

  it('SIGINT without --failed-out: exits 130 and prints the tail -n +N command that sends the rest exactly once', async () => {
    // Lines 1-3 are answered, later ones held: with concurrency 2, lines 4 and 5 are in flight.
    const first = await tracker((r) => (eventNumber(r) <= 3 ? { status: 200 } : { status: 200, hold: true }));
    const input = await writeInput('sigint.ndjson', 10);
    const child = start(['send', '--api-key', KEY, '--endpoint', first.url, '--concurrency', '2', input]);
    await until(() => first.attempts.length === 5);
    child.process.kill('SIGINT');
    const result = await child.exited;

    expect(result.code).toBe(130);
    expect(result.stderr).toContain('interrupted: stopping; the lines in flight are reported as not sent\n');
    const summary = summaryOf(result.stderr);
    expect(summary).toContain('  sent:                    3  (3 requests delivered)\n');
    expect(summary).toContain('  not sent:                7  (in flight or waiting when the run stopped)\n');
    expect(summary).toContain('stopped: interrupted (Ctrl-C)\n');
    const command = resumeCommand(result.stderr);
    expect(command).toBe(
      `tail -n +4 ${input} | rudderstack-kissmetrics send --endpoint ${first.url} --concurrency 2 -`,
    );

    const second = await tracker();
    const resumed = await runPrinted(command.replace(first.url, second.url));
    expect(resumed.code).toBe(0);
    const delivered = [...first.accepted, ...second.accepted].map(eventNumber).sort((a, b) => a - b);
    expect(delivered).toEqual(numbers(10));
  });

  it('a second signal quits at once, even while the first is still stopping', async () => {
    // --failed-out is a named pipe nobody reads: writing the lines not sent blocks once its buffer is full.
    const fifo = join(dir(), 'nobody-reads.fifo');
    execFileSync('mkfifo', [fifo]);
    const padding = 'x'.repeat(400);
    const input = join(dir(), 'twice.ndjson');
    await writeFile(
      input,
      numbers(400)
        .map((i) => JSON.stringify({ type: 'track', event: `E${i}`, userId: `u${i}`, properties: { padding } }))
        .join('\n'),
    );
    const holding = await tracker(() => ({ status: 200, hold: true }));
    const child = start(['send', '--api-key', KEY, '--endpoint', holding.url, '--failed-out', fifo, input]);
    await until(() => holding.attempts.length === 8);
    child.process.kill('SIGTERM');
    await until(() => child.stderr().includes('terminated (SIGTERM): stopping'));
    child.process.kill('SIGTERM');
    const result = await child.exited;
    expect(result.code).toBe(143);
    expect(result.stderr).toContain('SIGTERM again: quitting now\n');
    expect(result.stderr).not.toContain('summary:');
  });
});

describe('send fails fast', () => {
  it('stops after 20 lines in a row fail, exits 1, and --failed-out plus the resume command cover every line once', async () => {
    const failing = await tracker(() => ({ status: 500 }));
    const input = await writeInput('failing.ndjson', 200);
    const failedOut = join(dir(), 'failing.failed.ndjson');
    const result = await run([
      'send',
      '--api-key',
      KEY,
      '--endpoint',
      failing.url,
      '--concurrency',
      '4',
      '--max-attempts',
      '1',
      '--failed-out',
      failedOut,
      input,
    ]);
    expect(result.code).toBe(1);
    const why =
      'the endpoint keeps failing: 20 lines in a row were not delivered ' +
      '(the last: request 1 of 1 (GET /e) failed: HTTP 500, after 1 attempt)';
    expect(result.stderr).toContain(`stopping: ${why}\n`);
    expect(summaryOf(result.stderr)).toContain(`\nstopped: ${why}\n`);
    // It did not grind through the file: the 20 failures, and at most the 3 others then in flight.
    expect(failing.attempts.length).toBeGreaterThanOrEqual(20);
    expect(failing.attempts.length).toBeLessThanOrEqual(23);

    const resumeAt = Number(/^resume: tail -n \+(\d+) /m.exec(result.stderr)?.[1]);
    const recorded = (await readFile(failedOut, 'utf8')).split('\n').slice(0, -1);
    const rest = numbers(200)
      .filter((i) => i >= resumeAt)
      .map(trackLine);
    expect([...recorded, ...rest].sort()).toEqual(numbers(200).map(trackLine).sort());
  });

  it('stops at once when the endpoint refuses connections', async () => {
    const closed = await tracker();
    await closed.close();
    const input = await writeInput('refused.ndjson', 100);
    const result = await run(['send', '--api-key', KEY, '--endpoint', closed.url, '--max-attempts', '2', input]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /\nstopped: the endpoint cannot be reached \(ECONNREFUSED on line \d+, after its retries\)\n/,
    );
    // Without --failed-out, the resume starts at the first line not delivered: line 1 here.
    const command = resumeCommand(result.stderr);
    expect(command).toBe(
      `tail -n +1 ${input} | rudderstack-kissmetrics send --endpoint ${closed.url} --max-attempts 2 -`,
    );
    const open = await tracker();
    const resumed = await runPrinted(command.replace(closed.url, open.url));
    expect(resumed.code).toBe(0);
    expect(open.accepted.map(eventNumber).sort((a, b) => a - b)).toEqual(numbers(100));
  });
});
