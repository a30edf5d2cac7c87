import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Received } from '../cloud/fakeTracker';
import { accepting, useEndpoints } from './endpoints';
import {
  CLI,
  KEY,
  journalOf,
  resumeCommandOf,
  run,
  runPrinted,
  start,
  summaryOf,
  tempDir,
  trackLine,
  until,
  useTracker,
} from './runCli';

/*
 * Stopping early: SIGINT and SIGTERM stop a run cleanly (the requests in flight get their answer),
 * and a failing endpoint stops it. Each test then runs the resume command the summary printed, as a
 * user would paste it, and checks that every line ends up delivered exactly once.
 */

const dir = tempDir();
const tracker = useTracker();
const endpoint = useEndpoints();

const numbers = (count: number): number[] => Array.from({ length: count }, (_, i) => i + 1);
const eventNumber = (r: Received): number => Number(r.params._n?.slice(1));
const sorted = (values: number[]): number[] => [...values].sort((a, b) => a - b);

const writeInput = async (name: string, count: number): Promise<string> => {
  const path = join(dir(), name);
  await writeFile(path, numbers(count).map(trackLine).join('\n') + '\n');
  return path;
};

describe('send stops cleanly on SIGTERM and SIGINT', () => {
  it('SIGTERM: the requests in flight get their answer, nothing new starts, exit 143; the resume sends the rest once', async () => {
    // Every request is answered after 300 ms: four are in flight when the signal comes.
    const slow = await tracker(() => ({ status: 200, delayMs: 300 }));
    const input = await writeInput('sigterm.ndjson', 10);
    const failedOut = join(dir(), 'sigterm.failed.ndjson');
    const args = ['--endpoint', slow.url, '--concurrency', '4'];
    const child = start(['send', '--api-key', KEY, ...args, '--failed-out', failedOut, input]);
    await until(() => slow.attempts.length === 4);
    child.process.kill('SIGTERM');
    const result = await child.exited;

    expect(result.code).toBe(143);
    expect(result.stderr).toContain(
      'terminated (SIGTERM): stopping; requests in flight get up to 5 s to be answered, the rest is left for the ' +
        'resume (a second signal quits at once)\n',
    );
    const journal = journalOf(result.stderr);
    expect(summaryOf(result.stderr)).toBe(
      [
        'summary: 10 lines read',
        '  sent:                    4  (4 requests delivered)',
        '  retried:                 0  (retries in all)',
        '  nothing to send:         0',
        '  malformed:               0',
        '  untranslatable:          0',
        '  failed:                  0',
        '  not sent:                6  (in flight or waiting when the run stopped: left for the resume)',
        'stopped: terminated (SIGTERM)',
        `resume: node ${CLI} send ${args.join(' ')} --failed-out ${failedOut} --state ${journal} ${input}`,
        `  (${journal} knows every request acknowledged: none is sent again, a line partly sent goes on from its ` +
          'first request not acknowledged)',
        '(with KISSMETRICS_API_KEY set to your API key: the key is never printed)',
        '',
      ].join('\n'),
    );
    // Nothing went to --failed-out: the lines not sent are the resume's.
    expect(await readFile(failedOut, 'utf8')).toBe('');

    const resumed = await runPrinted(resumeCommandOf(result.stderr), dir());
    expect(resumed.code).toBe(0);
    expect(sorted(slow.accepted.map(eventNumber))).toEqual(numbers(10));
    // Every line done: the journal is gone.
    await expect(stat(join(dir(), journal))).rejects.toThrow('ENOENT');
  });

  it('SIGINT reading stdin: exit 130, and the printed resume, fed the same input, sends the rest exactly once', async () => {
    const slow = await tracker(() => ({ status: 200, delayMs: 200 }));
    const text = numbers(12).map(trackLine).join('\n') + '\n';
    const child = start(['send', '--api-key', KEY, '--endpoint', slow.url, '--concurrency', '2', '-'], { stdin: text });
    await until(() => slow.accepted.length >= 3);
    child.process.kill('SIGINT');
    const result = await child.exited;

    expect(result.code).toBe(130);
    expect(summaryOf(result.stderr)).toContain('stopped: interrupted (Ctrl-C)\n');
    const line = /^resume: .*$/m.exec(result.stderr)?.[0];
    expect(line).toBe(
      `resume: … | node ${CLI} send --endpoint ${slow.url} --concurrency 2 --state ${journalOf(result.stderr)} -`,
    );
    const resumed = await runPrinted(resumeCommandOf(result.stderr), dir(), text);
    expect(resumed.code).toBe(0);
    expect(sorted(slow.accepted.map(eventNumber))).toEqual(numbers(12));
  });

  it('a second signal quits at once, even while the first is still waiting for answers; the journal still resumes', async () => {
    let holding = true;
    const endpointOf = await tracker((r) =>
      holding && eventNumber(r) > 2 ? { status: 200, hold: true } : { status: 200 },
    );
    const input = await writeInput('twice.ndjson', 20);
    const child = start(['send', '--api-key', KEY, '--endpoint', endpointOf.url, '--concurrency', '2', input]);
    await until(() => endpointOf.attempts.length === 4);
    child.process.kill('SIGTERM');
    await until(() => child.stderr().includes('terminated (SIGTERM): stopping'));
    child.process.kill('SIGTERM');
    const result = await child.exited;
    expect(result.code).toBe(143);
    expect(result.stderr).toContain('SIGTERM again: quitting now\n');
    expect(result.stderr).not.toContain('summary:');

    // What was printed when the run started goes on from where it was cut.
    holding = false;
    const command = /after any stop, even a crash, go on with: (.*)$/m.exec(result.stderr)?.[1] ?? '';
    const resumed = await runPrinted(command, dir());
    expect(resumed.code).toBe(0);
    expect(sorted(endpointOf.accepted.map(eventNumber))).toEqual(numbers(20));
  });
});

describe('send fails fast', () => {
  it('stops after 20 lines in a row fail, exits 1; --failed-out plus the printed resume cover every line once', async () => {
    let failing = true;
    const flaky = await tracker(() => ({ status: failing ? 500 : 200 }));
    const input = await writeInput('failing.ndjson', 200);
    const failedOut = join(dir(), 'failing.failed.ndjson');
    const result = await run([
      'send',
      '--api-key',
      KEY,
      '--endpoint',
      flaky.url,
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
    expect(flaky.attempts.length).toBeGreaterThanOrEqual(20);
    expect(flaky.attempts.length).toBeLessThanOrEqual(23);

    failing = false;
    const resumed = await runPrinted(resumeCommandOf(result.stderr), dir());
    expect(resumed.code).toBe(1);
    const recorded = (await readFile(failedOut, 'utf8')).split('\n').slice(0, -1);
    const delivered = flaky.accepted.map(eventNumber);
    expect(sorted([...recorded.map((line) => Number(/"E(\d+)"/.exec(line)?.[1])), ...delivered])).toEqual(numbers(200));
  });

  it('stops at once when the endpoint refuses connections; the printed resume sends every line once when it is back', async () => {
    const closed = await tracker();
    const { port } = new URL(closed.url);
    await closed.close();
    const input = await writeInput('refused.ndjson', 100);
    const result = await run(['send', '--api-key', KEY, '--endpoint', closed.url, '--max-attempts', '2', input]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /\nstopped: the endpoint cannot be reached \(ECONNREFUSED on line \d+, after its retries\)\n/,
    );
    const command = resumeCommandOf(result.stderr);
    expect(command).toBe(
      `node ${CLI} send --endpoint ${closed.url} --max-attempts 2 --state ${journalOf(result.stderr)} ${input}`,
    );
    const back = await endpoint(accepting, Number(port));
    const resumed = await runPrinted(command, dir());
    expect(resumed.code).toBe(0);
    expect(sorted(back.received.map((url) => Number(new URL(url, back.url).searchParams.get('_n')?.slice(1))))).toEqual(
      numbers(100),
    );
  });
});
