import { PassThrough } from 'node:stream';
import { emptyCounts } from '../../../src/cli/send/progress';
import type { Counts } from '../../../src/cli/send/progress';
import { Reporter, resumeHint, summary } from '../../../src/cli/send/report';
import type { HintFacts, SummaryFacts } from '../../../src/cli/send/report';
import { newRunState } from '../../../src/cli/send/run';

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

  const facts: SummaryFacts = { dryRun: false, journal: false, earlier: noEarlier };

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
      '2 lines not delivered and not recorded anywhere because of the write error: lines 1, 2',
    ]);
  });

  const hintFacts: HintFacts = {
    invocation: { options: ['--endpoint', 'http://127.0.0.1:9'], keyFromEnv: false },
    input: { name: 'my events.ndjson', path: '/data/my events.ndjson' },
    journal: false,
  };

  it('without a journal, resumes with tail -n +N from the first line not delivered', () => {
    const run = newRunState(counts({ lines: 10, sent: 5 }), 1);
    run.lastRead = 10;
    run.undelivered.first = 6;
    run.undelivered.count = 5;
    expect(resumeHint(hintFacts, run)).toEqual([
      "resume: tail -n +6 'my events.ndjson' | rudderstack-kissmetrics send --endpoint http://127.0.0.1:9 -",
      '(with KISSMETRICS_API_KEY set to your API key: the key is never printed)',
    ]);
  });

  it('with a journal, runs the same command again', () => {
    const run = newRunState(counts({}), 1);
    const withState = { ...hintFacts, invocation: { ...hintFacts.invocation, statePath: 'b.state', keyFromEnv: true } };
    expect(resumeHint({ ...withState, journal: true }, run)).toEqual([
      'resume: run the same command again (--state b.state knows what was done):',
      "  rudderstack-kissmetrics send --endpoint http://127.0.0.1:9 --state b.state 'my events.ndjson'",
    ]);
  });
});
