import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FailedOut, LineFile } from '../../../src/cli/send/failedOut';
import { StateJournal, emptyProgress, fingerprintOf, parseState } from '../../../src/cli/send/journal';
import type { StateIdentity } from '../../../src/cli/send/journal';
import { Recorder } from '../../../src/cli/send/record';
import { emptyCounts } from '../../../src/cli/send/progress';
import { newRunState } from '../../../src/cli/send/run';
import type { RunState } from '../../../src/cli/send/run';

const identity: StateIdentity = {
  input: { path: '/data/events.ndjson', fingerprint: fingerprintOf(Buffer.from('x')), fingerprintBytes: 1 },
  command: { endpoint: 'http://127.0.0.1:9', apiKeyHash: '0123456789abcdef', prefixProperties: false, failedOut: null },
};

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'km-record-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ref = (line: number, text: string) => ({ line, end: line * 100, bytes: Buffer.from(text) });

interface Harness {
  run: RunState;
  recorder: Recorder;
  stops: string[];
  failedOut: string;
  state: string;
}

const harness = async (name: string, withFailedOut = true): Promise<Harness> => {
  const run = newRunState(emptyCounts(), 1);
  const failedOut = join(dir, `${name}.failed.ndjson`);
  const state = join(dir, `${name}.state`);
  const files = withFailedOut
    ? new FailedOut(await LineFile.open(failedOut), await LineFile.open(`${failedOut}.reasons.ndjson`))
    : undefined;
  const journal = await StateJournal.start(state, identity, emptyProgress(), () => files?.sync() ?? Promise.resolve());
  const stops: string[] = [];
  const recorder = new Recorder(run, { ...(files ? { failedOut: files } : {}), journal, journalName: state }, (m) => {
    stops.push(m);
  });
  return { run, recorder, stops, failedOut, state };
};

describe('record stage', () => {
  it('writes a line not delivered to --failed-out with its reason, then records it as done in the journal', async () => {
    const h = await harness('reject');
    const recorded = await h.recorder.reject(ref(4, 'not json'), { line: 4, kind: 'malformed', reason: 'bad' });
    expect(await readFile(h.failedOut, 'utf8')).toBe('not json\n');
    expect(await readFile(`${h.failedOut}.reasons.ndjson`, 'utf8')).toBe(
      '{"line":4,"kind":"malformed","reason":"bad"}\n',
    );
    await recorded.after;
    await h.recorder.close();
    const parsed = parseState(await readFile(h.state, 'utf8'));
    expect(parsed.ok && [parsed.progress.done.toJSON(), parsed.progress.counts.malformed]).toEqual([[[4, 4, 400]], 1]);
    expect(parsed.ok && [parsed.progress.failedOutBytes, parsed.progress.reasonsBytes]).toEqual([9, 45]);
  });

  it('records a line done in the journal', async () => {
    const h = await harness('commit');
    await h.recorder.commit({ kind: 'sent', line: 1, end: 30 });
    await h.recorder.close();
    const parsed = parseState(await readFile(h.state, 'utf8'));
    expect(parsed.ok && parsed.progress.done.toJSON()).toEqual([[1, 1, 30]]);
  });

  it('without --failed-out, keeps a line nowhere and notes it for the resume', async () => {
    const h = await harness('nowhere', false);
    await h.recorder.reject(ref(7, 'x'), { line: 7, kind: 'failed', reason: 'HTTP 500' });
    await h.recorder.reject(ref(3, 'y'), { line: 3, kind: 'failed', reason: 'HTTP 500' });
    expect(h.run.undelivered).toEqual({ first: 3, count: 2 });
    await h.recorder.close();
  });

  it('after a write error, names the lines it could not record and stops the run', async () => {
    const run = newRunState(emptyCounts(), 1);
    const full = new FailedOut(await LineFile.open('/dev/full'), undefined);
    const stops: string[] = [];
    const recorder = new Recorder(run, { failedOut: full, journalName: '--state' }, (m) => {
      stops.push(m);
      run.stop = { cause: 'write', message: m };
    });
    await recorder.reject(ref(2, 'x'), { line: 2, kind: 'malformed', reason: 'bad' });
    await recorder.reject(ref(5, 'y'), { line: 5, kind: 'malformed', reason: 'bad' });
    expect(stops).toEqual(['cannot write line 2 to /dev/full: ENOSPC: no space left on device, write']);
    expect(run.lost).toEqual([2, 5]);
    await recorder.close();
  });
});
