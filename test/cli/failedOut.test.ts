import { closeSync, openSync } from 'node:fs';
import { link, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CLI, KEY, journalOf, ndjson, run, summaryOf, tempDir, TIMESTAMP, trackLine, useTracker } from './runCli';

const dir = tempDir();
const startTracker = useTracker();

const EVENTS = `${[1, 2, 3].map(trackLine).join('\n')}\n`;

const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

describe('send --failed-out never destroys data', () => {
  it.each<[string, (input: string) => Promise<string>]>([
    ['the same path', (input) => Promise.resolve(input)],
    ['a ./ spelling of it', (input) => Promise.resolve(join(dirname(input), '.', '.', basename(input)))],
    [
      'a symlink to it',
      async (input) => {
        await symlink(input, `${input}.symlink`);
        return `${input}.symlink`;
      },
    ],
    [
      'a hard link to it',
      async (input) => {
        await link(input, `${input}.hardlink`);
        return `${input}.hardlink`;
      },
    ],
  ])('refuses %s as the input, before writing anything, exit 2', async (name, target) => {
    const tracker = await startTracker();
    const input = join(dir(), `input-${name.replace(/\W/g, '')}.ndjson`);
    await writeFile(input, EVENTS);
    const failedOut = await target(input);
    const result = await run(['send', '--api-key', KEY, '--endpoint', tracker.url, '--failed-out', failedOut, input]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `rudderstack-kissmetrics: --failed-out ${failedOut} is the input ${input} (same file): ` +
        'writing to it would destroy the input; give another file name\n',
    );
    expect(await readFile(input, 'utf8')).toBe(EVENTS);
    expect(await exists(`${failedOut}.reasons.ndjson`)).toBe(false);
    expect(tracker.attempts).toEqual([]);
  });

  it('refuses the file that stdin reads (send --failed-out f - < f)', async () => {
    const input = join(dir(), 'stdin-input.ndjson');
    await writeFile(input, EVENTS);
    const fd = openSync(input, 'r');
    try {
      const result = await run(['send', '--api-key', KEY, '--failed-out', input, '-'], { stdin: fd });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`--failed-out ${input} is the input (stdin) (same file)`);
    } finally {
      closeSync(fd);
    }
    expect(await readFile(input, 'utf8')).toBe(EVENTS);
  });

  it('refuses an existing non-empty file even when nothing would fail, and says how to go on', async () => {
    const tracker = await startTracker();
    const input = join(dir(), 'ok.ndjson');
    const failedOut = join(dir(), 'earlier-failures.ndjson');
    await writeFile(input, EVENTS);
    await writeFile(failedOut, 'kept\n');
    const result = await run(['send', '--api-key', KEY, '--endpoint', tracker.url, '--failed-out', failedOut, input]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `rudderstack-kissmetrics: --failed-out ${failedOut} already holds 5 bytes: give another file name, ` +
        'remove it, or add --append-failed-out to add to it\n',
    );
    expect(await readFile(failedOut, 'utf8')).toBe('kept\n');
    expect(tracker.attempts).toEqual([]);
  });

  it('refuses it too when the input is piped from it (cat f | send --failed-out f -)', async () => {
    const input = join(dir(), 'piped.ndjson');
    await writeFile(input, EVENTS);
    const result = await run(['send', '--api-key', KEY, '--failed-out', input, '-'], {
      stdin: await readFile(input),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--failed-out ${input} already holds ${EVENTS.length} bytes`);
    expect(await readFile(input, 'utf8')).toBe(EVENTS);
  });

  it('adds to an existing file with --append-failed-out, keeping what it held', async () => {
    const failedOut = join(dir(), 'appended.ndjson');
    await writeFile(failedOut, 'an earlier line without newline');
    await writeFile(`${failedOut}.reasons.ndjson`, '{"line":9,"kind":"malformed","reason":"earlier"}\n');
    const result = await run(['send', '--api-key', KEY, '--failed-out', failedOut, '--append-failed-out', '-'], {
      stdin: 'not json\n',
    });
    expect(result.code).toBe(1);
    expect(await readFile(failedOut, 'utf8')).toBe('an earlier line without newline\nnot json\n');
    expect(ndjson(await readFile(`${failedOut}.reasons.ndjson`, 'utf8'))).toEqual([
      { line: 9, kind: 'malformed', reason: 'earlier' },
      { line: 1, kind: 'malformed', reason: expect.stringMatching(/^malformed JSON: /) as unknown },
    ]);
  });

  it('accepts an existing empty file', async () => {
    const tracker = await startTracker();
    const failedOut = join(dir(), 'empty.ndjson');
    await writeFile(failedOut, '');
    const result = await run(['send', '--api-key', KEY, '--endpoint', tracker.url, '--failed-out', failedOut, '-'], {
      stdin: EVENTS,
    });
    expect(result.code).toBe(0);
    expect(tracker.accepted).toHaveLength(3);
  });

  it('ends cleanly when --failed-out cannot be written (disk full): summary, exit 1, the lost lines named', async () => {
    const tracker = await startTracker();
    const result = await run(
      ['send', '--api-key', KEY, '--endpoint', tracker.url, '--concurrency', '1', '--failed-out', '/dev/full', '-'],
      { stdin: `not json\n${trackLine(2)}\n` },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).not.toContain('Unhandled');
    expect(result.stderr).toContain(
      'stopping: cannot write line 1 to /dev/full: ENOSPC: no space left on device, write\n',
    );
    expect(summaryOf(result.stderr)).toBe(
      [
        'summary: 1 line read',
        '  sent:                    0  (0 requests delivered)',
        '  retried:                 0  (retries in all)',
        '  nothing to send:         0',
        '  malformed:               1',
        '  untranslatable:          0',
        '  failed:                  0',
        'stopped: cannot write line 1 to /dev/full: ENOSPC: no space left on device, write',
        '1 line not delivered and not recorded anywhere because of the write error: line 1; the resume tries them again',
        `resume: … | node ${CLI} send --endpoint ${tracker.url} --concurrency 1 --failed-out /dev/full ` +
          `--state ${journalOf(result.stderr)} -`,
        '  (… is the same input as before, on stdin)',
        `  (${journalOf(result.stderr)} knows every request acknowledged: none is sent again, a line partly sent ` +
          'goes on from its first request not acknowledged)',
        '(with KISSMETRICS_API_KEY set to your API key: the key is never printed)',
        '',
      ].join('\n'),
    );
    expect(tracker.attempts).toEqual([]);
  });
});

describe('send --failed-out keeps lines byte for byte, ready to replay', () => {
  it('writes each undelivered line exactly as read, and a replay of the file delivers them exactly', async () => {
    const lines = [
      Buffer.from(`{"type":"track","event":"Big","userId":12345678901234567891,"timestamp":"${TIMESTAMP}"}`),
      Buffer.from(`  {"type" : "track", "event":"Spaced","userId":"u2","timestamp":"${TIMESTAMP}"}  \r`),
      Buffer.concat([Buffer.from('{"type":"track","event":"Latin-1 '), Buffer.from([0xe9]), Buffer.from('"}')]),
      Buffer.from(
        `{"type":"track","event":"Also big","userId":"u4","properties":{"n":-99999999999999999999},"timestamp":"${TIMESTAMP}"}`,
      ),
    ];
    const input = join(dir(), 'exact.ndjson');
    await writeFile(input, Buffer.concat(lines.flatMap((line) => [line, Buffer.from('\n')])));
    // The first run: the endpoint refuses everything (400, not retried).
    const refusing = await startTracker(() => ({ status: 400 }));
    const first = join(dir(), 'exact.failed.ndjson');
    const refused = await run(['send', '--api-key', KEY, '--endpoint', refusing.url, '--failed-out', first, input]);
    expect(refused.code).toBe(1);
    expect(summaryOf(refused.stderr)).toContain('  failed:                  3  (3 refused, not retryable)\n');
    expect(summaryOf(refused.stderr)).toContain('  malformed:               1\n');
    const written = await readFile(first);
    const reasons = ndjson(await readFile(`${first}.reasons.ndjson`, 'utf8')) as { line: number }[];
    const writtenLines = written.toString('latin1').split('\n').slice(0, -1);
    expect(writtenLines).toHaveLength(4);
    // Line by line, in the order the reasons give: the very bytes of the input.
    for (const [k, reason] of reasons.entries())
      expect(Buffer.from(writtenLines[k] ?? '', 'latin1')).toEqual(lines[reason.line - 1]);
    expect(reasons.find((r) => r.line === 3)).toEqual({ line: 3, kind: 'malformed', reason: 'not valid UTF-8 text' });
    await refusing.close();

    // The replay: the same file, as it is, to an endpoint that now accepts.
    const tracker = await startTracker();
    const second = join(dir(), 'exact.failed-again.ndjson');
    const replay = await run(['send', '--api-key', KEY, '--endpoint', tracker.url, '--failed-out', second, first]);
    expect(replay.code).toBe(1);
    expect(summaryOf(replay.stderr)).toMatch(/^summary: 4 lines read\n {2}sent: +3 /);
    expect(tracker.accepted.map((r) => [r.params._n, r.params._p, r.params.n]).sort()).toEqual([
      ['Also big', 'u4', '-99999999999999999999'],
      ['Big', '12345678901234567891', undefined],
      ['Spaced', 'u2', undefined],
    ]);
    expect((await readFile(second)).equals(Buffer.concat([lines[2] ?? Buffer.alloc(0), Buffer.from('\n')]))).toBe(true);
  });

  it('numbers lines by \\n only: a bare \\r stays inside its line, as tail -n +N and wc -l count', async () => {
    const failedOut = join(dir(), 'cr.failed.ndjson');
    const result = await run(['send', '--api-key', KEY, '--dry-run', '--failed-out', failedOut, '-'], {
      stdin: `${trackLine(1)}\r${trackLine(2)}\n${trackLine(3)}\nnot json\n`,
    });
    expect(result.code).toBe(1);
    expect((ndjson(result.stdout) as { line: number }[]).map((r) => r.line)).toEqual([2]);
    expect(ndjson(await readFile(`${failedOut}.reasons.ndjson`, 'utf8'))).toEqual([
      { line: 1, kind: 'malformed', reason: expect.stringMatching(/^malformed JSON: /) as unknown },
      { line: 3, kind: 'malformed', reason: expect.stringMatching(/^malformed JSON: /) as unknown },
    ]);
    expect(await readFile(failedOut, 'utf8')).toBe(`${trackLine(1)}\r${trackLine(2)}\nnot json\n`);
  });
});
