import { crc32 } from 'node:zlib';
import { DoneLines, emptyProgress } from '../../../src/cli/send/journal';
import type { Progress } from '../../../src/cli/send/journal';
import { readLines } from '../../../src/cli/send/read';
import type { ReadItem, ReadPlan, Recorded } from '../../../src/cli/send/read';
import { memoryInput } from './input';

const fresh = (): ReadPlan => ({ seen: { line: 0, offset: 0 } });

/** Each item as [number, start, end, text, delivered]; a long line's pieces are read whole here. */
const collect = async (items: AsyncIterable<ReadItem>, readLong = true): Promise<unknown[]> => {
  const out: unknown[] = [];
  for await (const item of items) {
    if (item.kind === 'line') {
      expect(item.crc).toBe(crc32(item.bytes));
      out.push([item.number, item.start, item.end, item.bytes.toString(), item.delivered]);
      continue;
    }
    if (!readLong) {
      out.push([item.number, item.start, 'long, not read']);
      continue;
    }
    const parts: Buffer[] = [];
    for await (const piece of item.pieces) parts.push(piece);
    expect(item.ending.crc).toBe(crc32(Buffer.concat(parts)));
    out.push([item.number, item.start, item.ending.end, `long: ${Buffer.concat(parts).length} bytes`]);
  }
  return out;
};

describe('read stage', () => {
  it('hands out each line with its number, byte offsets and CRC-32, \\r kept, numbered by \\n only', async () => {
    const input = memoryInput('{"a":1}\r\n\n{"b":2}\r{"c":3}\nlast');
    const plan = fresh();
    expect(await collect(readLines(input, plan))).toEqual([
      [1, 0, 9, '{"a":1}\r', 0],
      [2, 9, 10, '', 0],
      [3, 10, 26, '{"b":2}\r{"c":3}', 0],
      [4, 26, 30, 'last', 0],
    ]);
    expect(plan.seen).toEqual({ line: 4, offset: 30 });
  });

  it('gives a line longer than an event can be as one item read piece by piece, then goes on', async () => {
    const long = 'x'.repeat(16 * 1024 * 1024 + 10);
    const input = memoryInput(`a\n${long}\nb\n`, { chunkBytes: 1024 * 1024 });
    expect(await collect(readLines(input, fresh()))).toEqual([
      [1, 0, 2, 'a', 0],
      [2, 2, 2 + long.length + 1, `long: ${long.length} bytes`],
      [3, long.length + 3, long.length + 5, 'b', 0],
    ]);
  });

  it('reads past a long line its reader left unread', async () => {
    const long = 'y'.repeat(16 * 1024 * 1024 + 1);
    const input = memoryInput(`${long}\na\n`, { chunkBytes: 1024 * 1024 });
    expect(await collect(readLines(input, fresh()), false)).toEqual([
      [1, 0, 'long, not read'],
      [2, long.length + 1, long.length + 3, 'a', 0],
    ]);
  });
});

describe('read stage, resuming: every line the journal recorded is checked before any line is handed out', () => {
  const LINES = ['{"n":1}', '{"n":2}', '{"n":3}', '{"n":4}', '{"n":5}', '{"n":6}'];
  const text = (lines: string[]): string => `${lines.join('\n')}\n`;
  const ends = LINES.reduce<number[]>((out, line) => [...out, (out[out.length - 1] ?? 0) + line.length + 1], []);

  /** Lines 1, 2 and 4 done, line 3 partly sent (1 request acknowledged), as the journal recorded LINES. */
  const journal = (): Recorded => {
    const done = new DoneLines([
      [1, 2, ends[1] ?? 0],
      [4, 4, ends[3] ?? 0],
    ]);
    const progress: Progress = {
      ...emptyProgress(),
      done,
      partial: new Map([[3, { end: ends[2] ?? 0, delivered: 1 }]]),
    };
    return {
      progress,
      checksum: (line) => Promise.resolve(crc32(LINES[line - 1] ?? '')),
      name: 'run.state',
    };
  };

  it.each([
    ['a file', true],
    ['stdin', false],
  ])('%s: skips the lines done, gives a partly sent line with its requests acknowledged', async (_name, seekable) => {
    const plan = { journal: journal(), seen: { line: 0, offset: 0 } };
    expect(await collect(readLines(memoryInput(text(LINES), { seekable }), plan))).toEqual([
      [3, ends[1], ends[2], '{"n":3}', 1],
      [5, ends[3], ends[4], '{"n":5}', 0],
      [6, ends[4], ends[5], '{"n":6}', 0],
    ]);
    expect(plan.seen).toEqual({ line: 6, offset: ends[5] });
  });

  /** What a resume hands out before it fails, and why it fails. */
  const attempt = async (lines: string[], seekable: boolean): Promise<{ handed: unknown[]; error: string }> => {
    const handed: unknown[] = [];
    try {
      for await (const item of readLines(memoryInput(text(lines), { seekable }), {
        journal: journal(),
        seen: { line: 0, offset: 0 },
      }))
        handed.push(item.number);
    } catch (error) {
      return { handed, error: (error as Error).message };
    }
    return { handed, error: '' };
  };

  it.each([
    ['a file', true],
    ['stdin', false],
  ])(
    '%s: refuses, before handing out anything, when a recorded line changed, naming the first',
    async (_name, seekable) => {
      const changed = LINES.map((line, i) => (i === 3 ? '{"n":40}' : line));
      expect(await attempt(changed, seekable)).toEqual({
        handed: [],
        error:
          'the input changed since the journal run.state was written: line 4 is not the line it recorded (the first ' +
          'that differs); nothing was sent. Resuming would skip or repeat changed lines. Restore the input it was ' +
          'written for, or to send this input as it is now, start over: remove run.state and run.state.checksums ' +
          '(what the journal recorded as delivered was delivered: a new run sends it again).',
      });
    },
  );

  it('refuses a partly sent line that changed, even by one byte of the same length', async () => {
    const changed = LINES.map((line, i) => (i === 2 ? '{"n":8}' : line));
    expect((await attempt(changed, true)).error).toContain('line 3 is not the line it recorded');
  });

  it('refuses an input that ends before the last line the journal recorded', async () => {
    expect((await attempt(LINES.slice(0, 3), true)).error).toContain(
      'it has 3 lines, and the journal recorded line 4; nothing was sent.',
    );
  });

  it.each([
    ['a file', true],
    ['stdin', false],
  ])('%s: goes on with lines appended, and with a line changed that no run had recorded', async (_name, seekable) => {
    const lines = [...LINES.slice(0, 4), '{"n":"five, corrected"}', LINES[5] ?? '', '{"n":7}'];
    expect((await attempt(lines, seekable)).handed).toEqual([3, 5, 6, 7]);
  });

  it('stdin: refuses a line it cannot hold until the check is over', async () => {
    const long = 'z'.repeat(16 * 1024 * 1024 + 1);
    const lines = [...LINES.slice(0, 2), long, ...LINES.slice(3)];
    const input = memoryInput(text(lines), { seekable: false, chunkBytes: 1024 * 1024 });
    const plan = {
      journal: { ...journal(), progress: { ...journal().progress, partial: new Map() } },
      seen: { line: 0, offset: 0 },
    };
    await expect(collect(readLines(input, plan))).rejects.toThrow(
      'resuming from stdin with run.state: line 3 and those before it that are not done cannot be held',
    );
  });
});
