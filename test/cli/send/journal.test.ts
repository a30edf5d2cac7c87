import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import {
  DoneLines,
  emptyProgress,
  mismatches,
  parseState,
  readState,
  recordedExtent,
} from '../../../src/cli/send/journal';
import type { StateIdentity } from '../../../src/cli/send/journal';
import { ChecksumFile, StateJournal } from '../../../src/cli/send/journalFile';

const identity = (over: Partial<StateIdentity['command']> = {}): StateIdentity => ({
  input: { path: '/data/events.ndjson' },
  own: false,
  command: {
    endpoint: 'https://trk.kissmetrics.io',
    apiKeyHash: '0123456789abcdef',
    prefixProperties: false,
    naming: 'default',
    failedOut: null,
    ...over,
  },
});

const withCrc = (body: string): string => `${body} ${crc32(body).toString(16).padStart(8, '0')}`;

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
    expect(done.last()).toEqual({ line: 9, offset: 90 });
    expect([5, 4, 9].map((n) => done.endOf(n))).toEqual([50, undefined, 90]);
  });

  it('starts from line 1 at offset 0 while line 1 is not done', () => {
    const done = new DoneLines([[2, 4, 40]]);
    expect(done.firstGap()).toEqual({ line: 1, offset: 0 });
  });
});

describe('journal files', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'km-state-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const start = async (name: string, hook: () => Promise<void> = () => Promise.resolve()): Promise<StateJournal> => {
    const path = join(dir, name);
    const checksums = await ChecksumFile.open(`${path}.checksums`, true);
    return StateJournal.start(path, identity(), emptyProgress(), new Map(), hook, checksums);
  };

  it('appends one checksummed record per line, with the checksum of the line, and reads them back', async () => {
    const journal = await start('a.state');
    await Promise.all([
      journal.commit({ kind: 'sent', line: 1, end: 10, crc: 0x1a2b3c4d }),
      journal.commit({ kind: 'blank', line: 2, end: 11, crc: 0 }),
      journal.commit({ kind: 'partial', line: 3, end: 30, crc: 0xdeadbeef, delivered: 2 }),
      journal.commit({ kind: 'failed', line: 4, end: 40, crc: 0xff, failedOutBytes: 29, reasonsBytes: 70 }),
    ]);
    await journal.close();
    const text = await readFile(journal.path, 'utf8');
    expect(text.split('\n').slice(2)).toEqual([
      withCrc('s 1 10 1a2b3c4d'),
      withCrc('b 2 11 00000000'),
      withCrc('p 3 30 deadbeef 2'),
      withCrc('f 4 40 000000ff 29 70'),
      '',
    ]);
    const parsed = parseState(text);
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.progress.done.toJSON()).toEqual([
      [1, 2, 11],
      [4, 4, 40],
    ]);
    expect([...parsed.progress.partial]).toEqual([[3, { end: 30, delivered: 2 }]]);
    expect(parsed.progress.counts).toEqual({ sent: 1, nothingToSend: 0, malformed: 0, untranslatable: 0, failed: 1 });
    expect([parsed.progress.failedOutBytes, parsed.progress.reasonsBytes]).toEqual([29, 70]);
    expect([...parsed.recent]).toEqual([
      [1, 0x1a2b3c4d],
      [2, 0],
      [3, 0xdeadbeef],
      [4, 0xff],
    ]);
    expect(recordedExtent(parsed.progress)).toEqual({ line: 4, offset: 40 });
  });

  it('forgets a partly sent line once it is done', async () => {
    const journal = await start('partial.state');
    await journal.commit({ kind: 'partial', line: 1, end: 10, crc: 1, delivered: 1 });
    await journal.commit({ kind: 'partial', line: 1, end: 10, crc: 1, delivered: 2 });
    expect([...journal.progress.partial]).toEqual([[1, { end: 10, delivered: 2 }]]);
    await journal.commit({ kind: 'sent', line: 1, end: 10, crc: 1 });
    await journal.close();
    const parsed = parseState(await readFile(journal.path, 'utf8'));
    expect(parsed.ok && [[...parsed.progress.partial], parsed.progress.done.toJSON()]).toEqual([[], [[1, 1, 10]]]);
  });

  it('stops reading at a torn or damaged record', async () => {
    const journal = await start('b.state');
    await journal.commit({ kind: 'sent', line: 1, end: 10, crc: 7 });
    await journal.close();
    const good = await readFile(journal.path, 'utf8');
    for (const tail of [
      's 2 20 00000007 deadbeef\n',
      's 2 2',
      `${withCrc('s 2 20 00000007').slice(0, -1)}0\n`,
      'garbage\n',
    ]) {
      const parsed = parseState(`${good}${tail}${withCrc('s 3 30 00000007')}\n`);
      expect([tail, parsed.ok && parsed.progress.done.toJSON()]).toEqual([tail, [[1, 1, 10]]]);
    }
  });

  it('started again, rewrites itself as one checkpoint once the checksums it sums up are in the checksums file', async () => {
    const first = await start('c.state');
    await first.commit({ kind: 'sent', line: 1, end: 10, crc: 0x11111111 });
    await first.commit({ kind: 'sent', line: 3, end: 30, crc: 0x33333333 });
    await first.close();
    await writeFile(first.path, `${await readFile(first.path, 'utf8')}s 4 4`);
    const saved = await readState(first.path);
    if (!saved?.ok) throw new Error('expected a journal');
    const checksums = await ChecksumFile.open(`${first.path}.checksums`, false);
    const second = await StateJournal.start(
      first.path,
      saved.identity,
      saved.progress,
      saved.recent,
      () => Promise.resolve(),
      checksums,
    );
    await second.close();
    const lines = (await readFile(first.path, 'utf8')).split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^C \{"done":\[\[1,1,10\],\[3,3,30\]\],"partial":\[\],/);
    const bytes = await readFile(`${first.path}.checksums`);
    expect(bytes.toString('hex')).toBe('111111110000000033333333');
  });

  it('every 1 MiB of records, puts their checksums in the checksums file and rewrites itself as one checkpoint', async () => {
    const journal = await start('compact.state');
    const lines = Array.from({ length: 45_000 }, (_, i) => i + 1);
    await Promise.all(lines.map((line) => journal.commit({ kind: 'sent', line, end: line * 10, crc: line })));
    await journal.close();
    const text = await readFile(journal.path, 'utf8');
    expect(text.length).toBeLessThan(1024 * 1024);
    const parsed = parseState(text);
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.progress.done.toJSON()).toEqual([[1, 45_000, 450_000]]);
    // What the checkpoint sums up is in the checksums file; what came after it is in the records.
    const checksums = await readFile(`${journal.path}.checksums`);
    const compacted = checksums.length / 4;
    expect(compacted).toBeGreaterThan(0);
    expect([checksums.readUInt32BE(0), checksums.readUInt32BE((compacted - 1) * 4)]).toEqual([1, compacted]);
    expect([...parsed.recent.keys()]).toEqual(lines.slice(compacted));
  });

  it('runs the hook (the --failed-out fsync) before records that count on it are written', async () => {
    const path = join(dir, 'd.state');
    const order: string[] = [];
    const checksums = await ChecksumFile.open(`${path}.checksums`, true);
    const journal = await StateJournal.start(
      path,
      identity(),
      emptyProgress(),
      new Map(),
      async () => {
        order.push(`sync with ${(await readFile(path, 'utf8')).split('\n').length - 3} records`);
      },
      checksums,
    );
    await journal.commit({ kind: 'malformed', line: 1, end: 5, crc: 0, failedOutBytes: 5, reasonsBytes: 50 });
    order.push('committed');
    await journal.close();
    expect(order).toEqual(['sync with 0 records', 'committed']);
  });

  it('removes itself and its checksums', async () => {
    const journal = await start('e.state');
    await journal.close();
    await journal.remove();
    await expect(readFile(journal.path)).rejects.toThrow('ENOENT');
    await expect(readFile(`${journal.path}.checksums`)).rejects.toThrow('ENOENT');
  });

  it('says how the command of a journal differs; one without --failed-out may go on with one', () => {
    expect(mismatches(identity(), identity())).toEqual([]);
    expect(mismatches(identity(), identity({ failedOut: '/f' }))).toEqual([]);
    expect(
      mismatches(
        identity({ failedOut: '/e' }),
        identity({ endpoint: 'http://127.0.0.1:8080', apiKeyHash: 'ffff', prefixProperties: true, failedOut: '/f' }),
      ),
    ).toEqual([
      'it sent to https://trk.kissmetrics.io, this run sends to http://127.0.0.1:8080',
      'it used another API key',
      'it ran without --prefix-properties',
      'it wrote undelivered lines to /e, this run to /f',
    ]);
  });

  it('says when a resume would give the same events other names (--naming)', () => {
    expect(mismatches(identity(), identity({ naming: 'rudder-transformer' }))).toEqual([
      'it ran with --naming default, this run with --naming rudder-transformer',
    ]);
  });

  it('refuses a file that is not a journal, and a journal of the earlier format', () => {
    expect(parseState('{"type":"track"}\n')).toEqual({
      ok: false,
      reason: 'it is not a send --state file (its first line is not a valid header)',
    });
    const v1 = withCrc(
      `H ${JSON.stringify({ format: 'rudderstack-kissmetrics send state', version: 1, ...identity() })}`,
    );
    expect(parseState(`${v1}\n`).ok).toBe(false);
  });
});
