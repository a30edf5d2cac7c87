import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import {
  DoneLines,
  StateJournal,
  emptyProgress,
  fingerprintOf,
  mismatches,
  parseState,
  readState,
} from '../../../src/cli/send/journal';
import type { StateIdentity } from '../../../src/cli/send/journal';

const identity = (over: Partial<StateIdentity['command']> = {}, head = Buffer.from('{"a":1}\n')): StateIdentity => ({
  input: { path: '/data/events.ndjson', fingerprint: fingerprintOf(head), fingerprintBytes: head.length },
  command: {
    endpoint: 'https://trk.kissmetrics.io',
    apiKeyHash: '0123456789abcdef',
    prefixProperties: false,
    failedOut: null,
    ...over,
  },
});

describe('DoneLines', () => {
  it('keeps lines as merged ranges, with the offset after the last line of each', () => {
    const done = new DoneLines();
    for (const [line, end] of [
      [3, 30],
      [1, 10],
      [5, 50],
      [2, 20],
      [4, 40],
      [9, 90],
      [2, 20],
    ] as const)
      done.add(line, end);
    expect(done.toJSON()).toEqual([
      [1, 5, 50],
      [9, 9, 90],
    ]);
    expect([1, 5, 6, 8, 9, 10].map((n) => done.has(n))).toEqual([true, true, false, false, true, false]);
    expect(done.size).toBe(6);
    expect(done.firstGap()).toEqual({ line: 6, offset: 50 });
  });

  it('starts from line 1 at offset 0 while line 1 is not done', () => {
    const done = new DoneLines([[2, 4, 40]]);
    expect(done.firstGap()).toEqual({ line: 1, offset: 0 });
  });
});

describe('state files', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'km-state-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a checkpoint, appends one checksummed record per line, and reads them back', async () => {
    const path = join(dir, 'a.state');
    const journal = await StateJournal.start(path, identity(), emptyProgress(), () => Promise.resolve());
    await Promise.all([
      journal.commit({ kind: 'sent', line: 1, end: 10 }),
      journal.commit({ kind: 'blank', line: 2, end: 11 }),
      journal.commit({ kind: 'failed', line: 4, end: 40, failedOutBytes: 29, reasonsBytes: 70 }),
    ]);
    await journal.close();
    const text = await readFile(path, 'utf8');
    const records = text.split('\n').slice(2);
    const withCrc = (body: string): string => `${body} ${crc32(body).toString(16).padStart(8, '0')}`;
    expect(records).toEqual([withCrc('s 1 10'), withCrc('b 2 11'), withCrc('f 4 40 29 70'), '']);
    const parsed = parseState(text);
    expect(parsed.ok && parsed.progress.done.toJSON()).toEqual([
      [1, 2, 11],
      [4, 4, 40],
    ]);
    expect(parsed.ok && parsed.progress.counts).toEqual({
      sent: 1,
      nothingToSend: 0,
      malformed: 0,
      untranslatable: 0,
      failed: 1,
    });
    expect(parsed.ok && [parsed.progress.failedOutBytes, parsed.progress.reasonsBytes]).toEqual([29, 70]);
  });

  it('stops reading at a torn or damaged record', async () => {
    const path = join(dir, 'b.state');
    const journal = await StateJournal.start(path, identity(), emptyProgress(), () => Promise.resolve());
    await journal.commit({ kind: 'sent', line: 1, end: 10 });
    await journal.close();
    const good = await readFile(path, 'utf8');
    const bad = (body: string): string => `${body} ${crc32(body).toString(16).padStart(8, '0')}`;
    for (const tail of ['s 2 20 deadbeef\n', 's 2 2', `${bad('s 2 20').slice(0, -1)}0\n`, 'garbage\n']) {
      const parsed = parseState(good + tail + bad('s 3 30') + '\n');
      expect([tail, parsed.ok && parsed.progress.done.toJSON()]).toEqual([tail, [[1, 1, 10]]]);
    }
  });

  it('rewrites itself as one checkpoint when it is started again, dropping a torn tail', async () => {
    const path = join(dir, 'c.state');
    const first = await StateJournal.start(path, identity(), emptyProgress(), () => Promise.resolve());
    await first.commit({ kind: 'sent', line: 1, end: 10 });
    await first.close();
    await writeFile(path, `${await readFile(path, 'utf8')}s 2 2`);
    const saved = await readState(path);
    if (!saved?.ok) throw new Error('expected a state');
    const second = await StateJournal.start(path, saved.identity, saved.progress, () => Promise.resolve());
    await second.close();
    const lines = (await readFile(path, 'utf8')).split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^C \{"done":\[\[1,1,10\]\],/);
  });

  it('runs the hook (the --failed-out fsync) before records that count on it are written', async () => {
    const path = join(dir, 'd.state');
    const order: string[] = [];
    const journal = await StateJournal.start(path, identity(), emptyProgress(), async () => {
      order.push(`sync with ${(await readFile(path, 'utf8')).split('\n').length - 3} records`);
    });
    await journal.commit({ kind: 'malformed', line: 1, end: 5, failedOutBytes: 5, reasonsBytes: 50 });
    order.push('committed');
    await journal.close();
    expect(order).toEqual(['sync with 0 records', 'committed']);
  });

  it('says what differs in a state of another run', () => {
    const head = Buffer.from('{"a":1}\n');
    expect(mismatches(identity(), identity(), head)).toEqual([]);
    // An input that grew keeps its first bytes: it is the same input.
    expect(
      mismatches(identity(), identity({}, Buffer.from('{"a":1}\n{"b":2}\n')), Buffer.from('{"a":1}\n{"b":2}\n')),
    ).toEqual([]);
    expect(
      mismatches(
        identity(),
        identity({ endpoint: 'http://127.0.0.1:8080', apiKeyHash: 'ffff', prefixProperties: true, failedOut: '/f' }),
        Buffer.from('{"b":1}\n'),
      ),
    ).toEqual([
      'the first 8 bytes of the input are not those it was started with',
      'it sent to https://trk.kissmetrics.io, this run sends to http://127.0.0.1:8080',
      'it used another API key',
      'it ran without --prefix-properties',
      'it wrote undelivered lines to no --failed-out, this run to /f',
    ]);
  });

  it('refuses a file that is not a state', () => {
    expect(parseState('{"type":"track"}\n')).toEqual({
      ok: false,
      reason: 'it is not a send --state file (its first line is not a valid header)',
    });
  });
});
