import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KEY, run, summaryOf, tempDir, trackLine, useTracker } from './runCli';

const dir = tempDir();
const startTracker = useTracker();

/** Every file the CLI wrote in the test directory, concatenated. */
const everythingWritten = async (): Promise<string> => {
  const names = await readdir(dir());
  const texts = await Promise.all(names.map((name) => readFile(join(dir(), name), 'utf8').catch(() => '')));
  return texts.join('\n');
};

describe('send: clean edges', () => {
  it('escapes control characters and terminal sequences from the input before they reach stderr', async () => {
    // Not JSON: V8's error quotes the text, control characters and all.
    const hostile = '\u001b[2J\u001b]0;owned\u0007\r\u202ex';
    const result = await run(['send', '--api-key', KEY, '--dry-run', '-'], {
      stdin: `${hostile}\n{"type":"fly\u202e"}\n`,
    });
    expect(result.code).toBe(1);
    // eslint-disable-next-line no-control-regex
    expect(result.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
    expect(result.stderr).toContain('"\\x1b[2J\\x1b]0;owned\\x07\\x0d\\u202ex" is not valid JSON');
    // JSON.stringify leaves a right-to-left override as it is; we do not.
    expect(result.stderr).toContain('line 2: expected type identify|track|page|screen|alias|group, got "fly\\u202e"');
  });

  it('prints no Node warning at the highest concurrency', async () => {
    const tracker = await startTracker(() => ({ status: 200, delayMs: 20 }));
    const lines = Array.from({ length: 600 }, (_, i) => trackLine(i)).join('\n');
    const result = await run(['send', '--api-key', KEY, '--endpoint', tracker.url, '--concurrency', '256', '-'], {
      stdin: lines,
    });
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(/Warning|MaxListeners|\(node:\d+\)/);
    expect(tracker.accepted).toHaveLength(600);
  });

  it('words the summary truthfully: a 400 is refused, not retried', async () => {
    const tracker = await startTracker((r) => ({
      status: r.params._n === 'E2' ? 400 : r.params._n === 'E3' ? 503 : 200,
    }));
    const result = await run(['send', '--api-key', KEY, '--endpoint', tracker.url, '--max-attempts', '2', '-'], {
      stdin: [1, 2, 3].map(trackLine).join('\n'),
    });
    expect(result.code).toBe(1);
    expect(summaryOf(result.stderr)).toContain(
      '  failed:                  2  (1 after retries, 1 refused, not retryable)\n',
    );
    expect(result.stderr).toContain('line 2: request 1 of 1 (GET /e) failed: HTTP 400, after 1 attempt\n');
    expect(result.stderr).toContain('line 3: request 1 of 1 (GET /e) failed: HTTP 503, after 2 attempts\n');
    expect(tracker.attempts.filter((r) => r.params._n === 'E2')).toHaveLength(1);
  });

  it('never writes the API key or endpoint credentials to stderr or to any file', async () => {
    const failedOut = join(dir(), 'secrets.failed.ndjson');
    const state = join(dir(), 'secrets.state');
    const secretEndpoint = 'http://alice:s3cr3t@127.0.0.1:9';
    const refused = await run(['send', '--api-key', KEY, '--endpoint', secretEndpoint, '-'], { stdin: trackLine(1) });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      'rudderstack-kissmetrics: --endpoint: must be an http(s) URL without query (?), fragment (#) or credentials ' +
        '(user:password@), such as "https://trk.kissmetrics.io"; got a URL with credentials\n',
    );

    const badKey = `${KEY} `;
    const badKeyRun = await run(['send', '--api-key', badKey, '-'], { stdin: trackLine(1) });
    expect(badKeyRun.code).toBe(2);
    expect(badKeyRun.stderr).not.toContain(KEY);

    // Failures of every kind, with --failed-out and --state: the key is in every request sent.
    const tracker = await startTracker((r) => ({ status: r.params._n === 'E1' ? 400 : 500 }));
    const result = await run(
      [
        'send',
        '--api-key',
        KEY,
        '--endpoint',
        tracker.url,
        '--max-attempts',
        '1',
        '--failed-out',
        failedOut,
        '--state',
        state,
        '-',
      ],
      { stdin: `${trackLine(1)}\n${trackLine(2)}\nnot json\n{"type":"fly"}\n` },
    );
    expect(result.code).toBe(1);
    expect(tracker.attempts.map((r) => r.params._k)).toEqual([KEY, KEY]);
    expect(result.stderr).not.toContain(KEY);
    expect(await everythingWritten()).not.toContain(KEY);
  });
});

describe('send: a line longer than an event can be', () => {
  it('is refused without being held, passed whole to --failed-out, and recorded in --state', async () => {
    const tracker = await startTracker();
    const long = `{"type":"track","event":"${'a'.repeat(17 * 1024 * 1024)}"}`;
    const input = join(dir(), 'long.ndjson');
    await writeFile(input, `${trackLine(1)}\n${long}\n${trackLine(3)}\n`);
    const failedOut = join(dir(), 'long.failed.ndjson');
    const state = join(dir(), 'long.state');
    const args = [
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
    const result = await run(args);
    expect(result.code).toBe(1);
    const reason = `longer than the 16777216 bytes an event can be (${long.length} bytes): not read`;
    expect(result.stderr).toContain(`line 2: ${reason}\n`);
    expect(summaryOf(result.stderr)).toMatch(/^summary: 3 lines read\n {2}sent: +2 .*\n(.*\n){2} {2}malformed: +1\n/);
    expect((await readFile(failedOut, 'utf8')) === `${long}\n`).toBe(true);
    expect(await readFile(`${failedOut}.reasons.ndjson`, 'utf8')).toBe(
      `${JSON.stringify({ line: 2, kind: 'malformed', reason })}\n`,
    );
    expect(tracker.accepted.map((r) => r.params._n)).toEqual(['E1', 'E3']);

    const again = await run(args);
    expect(again.code).toBe(1);
    expect(summaryOf(again.stderr)).toMatch(/^summary: 0 lines read\n {2}done before: +3 /);
    expect(tracker.attempts).toHaveLength(2);
  });
  it('is reported and skipped without --failed-out', async () => {
    const tracker = await startTracker();
    const long = 'x'.repeat(17 * 1024 * 1024);
    const result = await run(['send', '--api-key', KEY, '--endpoint', tracker.url, '-'], {
      stdin: `${long}\n${trackLine(2)}`,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `line 1: longer than the 16777216 bytes an event can be (${long.length} bytes): not read\n`,
    );
    expect(summaryOf(result.stderr)).toMatch(/^summary: 2 lines read\n {2}sent: +1 /);
    expect(tracker.accepted.map((r) => r.params._n)).toEqual(['E2']);
  });
});

describe('--help', () => {
  it('lists every option of send and the exit statuses', async () => {
    const result = await run(['send', '--help']);
    expect(result.code).toBe(0);
    for (const option of [
      '--api-key',
      '--endpoint',
      '--concurrency',
      '--failed-out',
      '--append-failed-out',
      '--state',
      '--dry-run',
      '--prefix-properties',
      '--max-attempts',
      '--timeout-ms',
    ])
      expect([option, result.stdout.includes(`  ${option}`)]).toEqual([option, true]);
    expect(result.stdout).toContain(
      [
        'Exit status:',
        '  0    every line delivered (or with nothing to send); translate: every message translated',
        '  1    some lines were not delivered (see --failed-out), or send stopped early because the',
        '       endpoint kept failing or a file could not be written',
        '  2    usage error: unknown or invalid option, unreadable input, --failed-out or --state refused',
        '  130  interrupted (Ctrl-C, SIGINT)',
        '  143  terminated (SIGTERM)',
      ].join('\n'),
    );
  });
});

describe('translate: bounded', () => {
  it('gives up on input that is neither NDJSON nor a JSON document of at most 16 MiB, without holding it', async () => {
    const line = `${'x'.repeat(1023)}\n`;
    const result = await run(['translate'], { stdin: `not json\n${line.repeat(17 * 1024)}` });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'input: line 1 is not JSON by itself and the input is longer than 16777216 bytes: expected NDJSON ' +
        '(one message per line) or one JSON document of at most 16777216 bytes\n',
    );
  });

  it('keeps big integer ids exact', async () => {
    const result = await run(['translate', '--mode', 'cloud', '--api-key', KEY], {
      stdin: '{"type":"track","event":"E","userId":12345678901234567891,"timestamp":"2024-03-01T12:00:00Z"}\n',
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('"_p":"12345678901234567891"');
  });
});
