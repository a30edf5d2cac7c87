import { readLines } from '../../../src/cli/send/read';
import type { ReadItem, ReadPlan } from '../../../src/cli/send/read';
import { memoryInput } from './input';

const everything: ReadPlan = { from: { line: 1, offset: 0 }, skip: () => false };

/** Each item as [number, start, end, text]; a long line's pieces are read whole here. */
const collect = async (items: AsyncIterable<ReadItem>, readLong = true): Promise<unknown[]> => {
  const out: unknown[] = [];
  for await (const item of items) {
    if (item.kind === 'line') {
      out.push([item.number, item.start, item.end, item.bytes.toString()]);
      continue;
    }
    if (!readLong) {
      out.push([item.number, item.start, 'long, not read']);
      continue;
    }
    const parts: Buffer[] = [];
    for await (const piece of item.pieces) parts.push(piece);
    out.push([item.number, item.start, item.ending.end, `long: ${Buffer.concat(parts).length} bytes`]);
  }
  return out;
};

describe('read stage', () => {
  it('hands out each line with its number and byte offsets, \\r kept, numbered by \\n only', async () => {
    const input = memoryInput('{"a":1}\r\n\n{"b":2}\r{"c":3}\nlast');
    expect(await collect(readLines(input, everything))).toEqual([
      [1, 0, 9, '{"a":1}\r'],
      [2, 9, 10, ''],
      [3, 10, 26, '{"b":2}\r{"c":3}'],
      [4, 26, 30, 'last'],
    ]);
  });

  it('starts where a resumed file run starts, and leaves out the lines it is told to skip', async () => {
    const input = memoryInput('a\nb\nc\nd\ne\n');
    const plan: ReadPlan = { from: { line: 2, offset: 2 }, skip: (line) => line === 4 };
    expect(await collect(readLines(input, plan))).toEqual([
      [2, 2, 4, 'b'],
      [3, 4, 6, 'c'],
      [5, 8, 10, 'e'],
    ]);
  });

  it('reads stdin from its start whatever the position, skipping the lines done', async () => {
    const input = memoryInput('a\nb\nc\n', { seekable: false });
    const plan: ReadPlan = { from: { line: 1, offset: 0 }, skip: (line) => line < 3 };
    expect(await collect(readLines(input, plan))).toEqual([[3, 4, 6, 'c']]);
  });

  it('gives a line longer than an event can be as one item read piece by piece, then goes on', async () => {
    const long = 'x'.repeat(16 * 1024 * 1024 + 10);
    const input = memoryInput(`a\n${long}\nb\n`, { chunkBytes: 1024 * 1024 });
    expect(await collect(readLines(input, everything))).toEqual([
      [1, 0, 2, 'a'],
      [2, 2, 2 + long.length + 1, `long: ${long.length} bytes`],
      [3, long.length + 3, long.length + 5, 'b'],
    ]);
  });

  it('reads past a long line its reader left unread, and past a long line it skips', async () => {
    const long = 'y'.repeat(16 * 1024 * 1024 + 1);
    const text = `${long}\na\n${long}\nb\n`;
    const input = memoryInput(text, { chunkBytes: 1024 * 1024 });
    expect(await collect(readLines(input, everything), false)).toEqual([
      [1, 0, 'long, not read'],
      [2, long.length + 1, long.length + 3, 'a'],
      [3, long.length + 3, 'long, not read'],
      [4, 2 * long.length + 4, 2 * long.length + 6, 'b'],
    ]);
    const skipping = memoryInput(text, { chunkBytes: 1024 * 1024 });
    expect(await collect(readLines(skipping, { ...everything, skip: (line) => line === 1 }))).toEqual([
      [2, long.length + 1, long.length + 3, 'a'],
      [3, long.length + 3, 2 * long.length + 4, `long: ${long.length} bytes`],
      [4, 2 * long.length + 4, 2 * long.length + 6, 'b'],
    ]);
  });
});
