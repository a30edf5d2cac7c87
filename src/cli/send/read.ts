import { MAX_LINE_BYTES } from '../constants';
import type { Input } from '../files';
import { splitLines } from '../lines';
import type { LongLinePiece, Position, RawLine } from '../lines';

/*
 * Stage 1, read: the input as lines of exact bytes, numbered by `\n` only, from where a resumed run
 * starts. Lines an earlier run finished are skipped here; a line longer than MAX_LINE_BYTES comes
 * as one item whose bytes are read piece by piece, never held whole.
 */

/** A line longer than MAX_LINE_BYTES. Read `pieces` to the end before asking for the next item. */
export interface LongLine {
  kind: 'long';
  number: number;
  start: number;
  /** The line's bytes, piece by piece; when they are all read, `ending` holds its end and size. */
  pieces: AsyncGenerator<Buffer>;
  ending: { end: number; size: number };
}

export type ReadItem = RawLine | LongLine;

export interface ReadPlan {
  from: Position;
  /** Lines an earlier run finished: not handed out. */
  skip: (line: number) => boolean;
}

/** The pieces of a long line, from `first` to its last piece, whose end and size land in `ending`. */
async function* longPieces(
  first: LongLinePiece,
  rest: AsyncIterator<RawLine | LongLinePiece>,
  ending: { end: number; size: number },
): AsyncGenerator<Buffer> {
  for (let piece = first; ;) {
    yield piece.bytes;
    if (piece.last) {
      ending.end = piece.end;
      ending.size = piece.size;
      return;
    }
    const next = await rest.next();
    if (next.done || next.value.kind !== 'long') throw new Error(`line ${first.number} ended early`);
    piece = next.value;
  }
}

/** Reads what a caller left of a long line's pieces, so that the next line can be read. */
const drain = async (pieces: AsyncGenerator<Buffer>): Promise<void> => {
  while (!(await pieces.next()).done) {
    // Read past it.
  }
};

/** The lines of `input` from `plan.from`, without those `plan.skip` names. */
export async function* readLines(input: Input, plan: ReadPlan): AsyncGenerator<ReadItem> {
  const split = splitLines(input.read(plan.from), MAX_LINE_BYTES, plan.from)[Symbol.asyncIterator]();
  for (let next = await split.next(); !next.done; next = await split.next()) {
    const piece = next.value;
    if (piece.kind === 'line') {
      if (!plan.skip(piece.number)) yield piece;
      continue;
    }
    const ending = { end: 0, size: 0 };
    const pieces = longPieces(piece, split, ending);
    if (!plan.skip(piece.number)) yield { kind: 'long', number: piece.number, start: piece.start, pieces, ending };
    await drain(pieces);
  }
}
