import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FailedOut, LineFile } from '../../../src/cli/send/failedOut';
import { emptyProgress, parseState } from '../../../src/cli/send/journal';
import type { StateIdentity } from '../../../src/cli/send/journal';
import { ChecksumFile, StateJournal } from '../../../src/cli/send/journalFile';
import { emptyCounts } from '../../../src/cli/send/progress';
import { Recorder } from '../../../src/cli/send/record';
import { newRunState } from '../../../src/cli/send/run';
import type { LineRef, RunState } from '../../../src/cli/send/run';

const identity: StateIdentity = {
  input: { path: '/data/events.ndjson' },
  own: false,
  command: {
    endpoint: 'http://127.0.0.1:9',
    apiKeyHash: '0123456789abcdef',
    prefixProperties: false,
    naming: 'default',
    failedOut: null,
  },
};

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'km-record-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ref = (line: number, text: string, label = line): LineRef => ({
  line,
  label,
  end: line * 100,
  bytes: Buffer.from(text),
  crc: line,
});

interface Harness {
  run: RunState;
  recorder: Recorder;
  journal: StateJournal;
  failedOut: string;
}

const harness = async (name: string, withFailedOut = true): Promise<Harness> => {
  const run = newRunState(emptyCounts());
  const failedOut = join(dir, `${name}.failed.ndjson`);
  const state = join(dir, `${name}.state`);
  const files = withFailedOut
    ? new FailedOut(await LineFile.open(failedOut), await LineFile.open(`${failedOut}.reasons.ndjson`))
    : undefined;
  const checksums = await ChecksumFile.open(`${state}.checksums`, true);
  const sync = (): Promise<void> => files?.sync() ?? Promise.resolve();
  const journal = await StateJournal.start(state, identity, emptyProgress(), new Map(), sync, checksums);
  const recorder = new Recorder(run, { ...(files ? { failedOut: files } : {}), journal, journalName: state }, () => {
    throw new Error('no write error expected');
  });
  return { run, recorder, journal, failedOut };
};

const journalOf = async (h: Harness) => {
  await h.recorder.close();
  const parsed = parseState(await readFile(h.journal.path, 'utf8'));
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed;
};

describe('record stage', () => {
  it('writes a line not delivered to --failed-out with its reason (its original number), then records it done', async () => {
    const h = await harness('reject');
    const why = {
      line: 40,
      kind: 'failed' as const,
      reason: 'request 2 of 2 (GET /s) failed: HTTP 400, after 1 attempt; request 1 was delivered',
      requests: 2,
      delivered: [{ request: 1, path: '/e', id: '0123456789abcdef' }],
    };
    const recorded = await h.recorder.reject(ref(4, '{"type":"track"}', 40), why);
    expect(await readFile(h.failedOut, 'utf8')).toBe('{"type":"track"}\n');
    expect(await readFile(`${h.failedOut}.reasons.ndjson`, 'utf8')).toBe(`${JSON.stringify(why)}\n`);
    await recorded.after;
    const parsed = await journalOf(h);
    expect([parsed.progress.done.toJSON(), parsed.progress.counts.failed, [...parsed.recent]]).toEqual([
      [[4, 4, 400]],
      1,
      [[4, 4]],
    ]);
    expect([parsed.progress.failedOutBytes, parsed.progress.reasonsBytes]).toEqual([
      17,
      JSON.stringify(why).length + 1,
    ]);
  });

  it('records a line done, and the requests of a line acknowledged so far', async () => {
    const h = await harness('commit');
    await h.recorder.partial(ref(1, 'x'), 1);
    await h.recorder.done(ref(2, ''), 'blank');
    const parsed = await journalOf(h);
    expect([parsed.progress.done.toJSON(), [...parsed.progress.partial]]).toEqual([
      [[2, 2, 200]],
      [[1, { end: 100, delivered: 1 }]],
    ]);
  });

  it('without --failed-out, writes nothing and leaves the line not done: the resume tries it again', async () => {
    const h = await harness('nowhere', false);
    await (
      await h.recorder.reject(ref(7, 'x'), { line: 7, kind: 'failed', reason: 'HTTP 500' })
    ).after;
    const parsed = await journalOf(h);
    expect(parsed.progress.done.toJSON()).toEqual([]);
  });

  it('after a write error, names the lines it could not record (by their original numbers) and stops the run', async () => {
    const run = newRunState(emptyCounts());
    const full = new FailedOut(await LineFile.open('/dev/full'), undefined);
    const stops: string[] = [];
    const recorder = new Recorder(run, { failedOut: full, journalName: 'run.state' }, (m) => {
      stops.push(m);
      run.stop = { cause: 'write', message: m };
    });
    await recorder.reject(ref(2, 'x', 20), { line: 20, kind: 'malformed', reason: 'bad' });
    await recorder.reject(ref(5, 'y', 50), { line: 50, kind: 'malformed', reason: 'bad' });
    expect(stops).toEqual(['cannot write line 20 to /dev/full: ENOSPC: no space left on device, write']);
    expect(run.lost).toEqual([20, 50]);
    await recorder.close();
  });
});
