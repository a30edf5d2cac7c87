import { PassThrough } from 'node:stream';
import { emptyCounts } from '../../../src/cli/send/progress';
import type { Counts } from '../../../src/cli/send/progress';
import { Reporter, exitStatus, replayHint, replayTarget, resumeHint, summary } from '../../../src/cli/send/report';
import { newRunState } from '../../../src/cli/send/run';
import type { Stop } from '../../../src/cli/send/run';
import type { HintFacts, Invocation, SummaryFacts } from '../../../src/cli/send/report';

const KEY = 'k'.repeat(40);
const noEarlier = { sent: 0, nothingToSend: 0, malformed: 0, untranslatable: 0, failed: 0 };
const counts = (over: Partial<Counts>): Counts => ({ ...emptyCounts(), ...over });

/** A stderr that is not a terminal: what the reporter writes, as text. */
const capture = (): { stream: NodeJS.WriteStream; text: () => string } => {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => text };
};

describe('report stage', () => {
  it('shows the first 20 lines not delivered when they are also in --failed-out, then says where the rest are', async () => {
    const err = capture();
    const reporter = new Reporter({ stdout: new PassThrough(), stderr: err.stream }, KEY, undefined, 'f.ndjson');
    for (let line = 1; line <= 22; line++) reporter.echo(line, `HTTP 400 for ${KEY}`);
    await reporter.finish(emptyCounts(), undefined, []);
    const lines = err.text().split('\n');
    expect(lines.slice(0, 2)).toEqual(['line 1: HTTP 400 for [redacted]', 'line 2: HTTP 400 for [redacted]']);
    expect(lines.slice(19, 22)).toEqual([
      'line 20: HTTP 400 for [redacted]',
      '… further lines not delivered are only in f.ndjson',
      '',
    ]);
  });

  it('escapes control characters before they reach the terminal', async () => {
    const err = capture();
    const reporter = new Reporter({ stdout: new PassThrough(), stderr: err.stream }, KEY, undefined, undefined);
    reporter.say('line 1: \u001b[2J\u202e');
    await reporter.finish(emptyCounts(), undefined, ['summary']);
    expect(err.text()).toBe('line 1: \\x1b[2J\\u202e\nsummary\n');
  });

  const facts: SummaryFacts = { dryRun: false, earlier: noEarlier };

  it.each<[string, Counts, SummaryFacts, string[]]>([
    [
      'a run that delivered everything',
      counts({ lines: 3, sent: 3, requests: 4 }),
      facts,
      [
        'summary: 3 lines read',
        '  sent:                    3  (4 requests delivered)',
        '  retried:                 0  (retries in all)',
        '  nothing to send:         0',
        '  malformed:               0',
        '  untranslatable:          0',
        '  failed:                  0',
      ],
    ],
    [
      'failures kept in --failed-out',
      counts({ lines: 4, sent: 1, requests: 1, failed: 2, notRetryable: 1, malformed: 1, trimmed: 1 }),
      { ...facts, failedOut: { name: 'f.ndjson', reasonsName: 'f.ndjson.reasons.ndjson' } },
      [
        'summary: 4 lines read',
        '  sent:                    1  (1 request delivered)',
        '  retried:                 0  (retries in all)',
        '  nothing to send:         0',
        '  malformed:               1',
        '  untranslatable:          0',
        '  failed:                  2  (1 after retries, 1 refused, not retryable)',
        '  trimmed:                 1  (sent without values Kissmetrics cannot store)',
        '3 lines not delivered, written to f.ndjson (reasons in f.ndjson.reasons.ndjson)',
      ],
    ],
    [
      'a dry run',
      counts({ lines: 2, sent: 2, requests: 3 }),
      { ...facts, dryRun: true },
      [
        'summary: 2 lines read',
        '  translated:              2  (3 requests printed, none sent: dry run)',
        '  nothing to send:         0',
        '  malformed:               0',
        '  untranslatable:          0',
      ],
    ],
  ])('sums up %s', (_name, c, f, expected) => {
    expect(summary(c, f, undefined, [])).toEqual(expected);
  });

  it('names the lines a write error kept from being recorded', () => {
    const lines = summary(
      counts({ lines: 2, malformed: 2 }),
      { ...facts, failedOut: { name: '/dev/full' } },
      { cause: 'write', message: 'cannot write line 1 to /dev/full: ENOSPC' },
      [1, 2],
    );
    expect(lines.slice(-2)).toEqual([
      'stopped: cannot write line 1 to /dev/full: ENOSPC',
      '2 lines not delivered and not recorded anywhere because of the write error: lines 1, 2; the resume tries them again',
    ]);
  });

  it('leaves the lines not delivered to the resume without --failed-out, and names those a stop left', () => {
    expect(
      summary(counts({ lines: 5, sent: 2, requests: 3, failed: 1, notSent: 2 }), facts, { cause: 'SIGINT' }, []),
    ).toEqual([
      'summary: 5 lines read',
      '  sent:                    2  (3 requests delivered)',
      '  retried:                 0  (retries in all)',
      '  nothing to send:         0',
      '  malformed:               0',
      '  untranslatable:          0',
      '  failed:                  1  (1 after retries)',
      '  not sent:                2  (in flight or waiting when the run stopped: left for the resume)',
      'stopped: interrupted (Ctrl-C)',
      '1 line not delivered, listed above; the resume tries them again (with --failed-out FILE they are kept there instead)',
    ]);
  });

  const invocation: Invocation = {
    command: ['npx', 'rudderstack-kissmetrics'],
    options: ['--endpoint', 'http://127.0.0.1:9'],
    keyFromEnv: false,
  };
  const hintFacts: HintFacts = {
    invocation,
    input: { name: 'my events.ndjson', path: '/data/my events.ndjson' },
    journal: 'send-20240301-120000-42.state',
  };

  it('resumes a file with the same command and the journal, every path quoted', () => {
    expect(resumeHint({ ...hintFacts, invocation: { ...invocation, failedOutPath: "it's failed.ndjson" } })).toEqual([
      "resume: npx rudderstack-kissmetrics send --endpoint http://127.0.0.1:9 --failed-out 'it'\\''s failed.ndjson' " +
        "--state send-20240301-120000-42.state 'my events.ndjson'",
      '  (send-20240301-120000-42.state knows every request acknowledged: none is sent again, a line partly sent ' +
        'goes on from its first request not acknowledged)',
      '(with KISSMETRICS_API_KEY set to your API key: the key is never printed)',
    ]);
  });

  it('resumes stdin with the same input piped in again', () => {
    const stdin = { ...hintFacts, input: { name: '-' }, invocation: { ...invocation, keyFromEnv: true } };
    expect(resumeHint(stdin).slice(0, 2)).toEqual([
      'resume: … | npx rudderstack-kissmetrics send --endpoint http://127.0.0.1:9 --state send-20240301-120000-42.state -',
      '  (… is the same input as before, on stdin)',
    ]);
  });

  it('replays --failed-out into a file that does not exist yet', () => {
    const taken = new Set(['out/failed.replay.ndjson', 'out/failed.replay-2.ndjson.reasons.ndjson']);
    const target = replayTarget('out/failed.ndjson', (path) => taken.has(path));
    expect(target).toBe('out/failed.replay-3.ndjson');
    expect(replayTarget('failed', () => false)).toBe('failed.replay');
    expect(replayHint(invocation, 'out/failed.ndjson', target)).toEqual([
      'replay, once their causes are fixed: npx rudderstack-kissmetrics send --endpoint http://127.0.0.1:9 ' +
        '--failed-out out/failed.replay-3.ndjson out/failed.ndjson',
      '  (the reasons next to out/failed.ndjson say which requests were delivered: a replay sends only the others)',
      '(with KISSMETRICS_API_KEY set to your API key: the key is never printed)',
    ]);
  });

  it('on a terminal, leaves the bar where the run stopped, not at 100%', async () => {
    let text = '';
    const terminal = { isTTY: true, columns: 120, write: (chunk: string) => ((text += chunk), true) };
    const stderr = terminal as unknown as NodeJS.WriteStream;
    const reporter = new Reporter({ stdout: new PassThrough(), stderr }, KEY, 1000, undefined);
    reporter.update(counts({ lines: 4, sent: 4 }), 400);
    await reporter.finish(counts({ lines: 5, sent: 4, notSent: 1 }), 500, ['summary: 5 lines read']);
    const ESC = String.fromCharCode(0x1b);
    const bars = text.split(new RegExp(`\\r|\\n|${ESC}\\[[0-9;]*[A-Za-z]`)).filter((part) => part.includes('%'));
    expect(bars[bars.length - 1]).toMatch(/ 50% \| 5 lines \| 4 sent \| 1 not delivered \| \d+ lines\/s$/);
    expect(text).not.toContain('100%');
  });
});

describe('exit status', () => {
  const status = (over: Partial<Counts>, stop?: Stop, earlierFailed = 0, lost: number[] = []): number => {
    const run = newRunState(counts(over));
    run.stop = stop;
    run.lost.push(...lost);
    return exitStatus(run, { ...noEarlier, failed: earlierFailed });
  };

  it.each<[string, number, number]>([
    ['every line delivered', status({ lines: 2, sent: 2 }), 0],
    ['a line failed', status({ lines: 2, sent: 1, failed: 1 }), 1],
    ['a line failed in an earlier run of the journal', status({ lines: 1, sent: 1 }, undefined, 1), 1],
    ['a line lost to a write error', status({ lines: 1 }, undefined, 0, [1]), 1],
    ['the endpoint kept failing', status({}, { cause: 'endpoint', message: 'x' }), 1],
    ['Ctrl-C', status({}, { cause: 'SIGINT' }), 130],
    ['SIGTERM', status({}, { cause: 'SIGTERM' }), 143],
  ])('%s', (_name, code, expected) => {
    expect(code).toBe(expected);
  });
});
