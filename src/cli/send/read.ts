import { crc32 } from 'node:zlib';
import { MAX_LINE_BYTES, MAX_RESUME_HELD_BYTES } from '../constants';
import type { Input } from '../files';
import { START, splitLines } from '../lines';
import type { LongLinePiece, Position, RawLine } from '../lines';
import { recordedExtent } from './journal';
import type { Progress } from './journal';
import { changedLine, endedEarly, tooMuchHeld } from './messages';

/*
 * Stage 1, read: the input as lines of exact bytes, numbered by `\n` only, each with the CRC-32 of
 * its bytes. A resume first reads again every line its journal recorded and refuses, before
 * anything is sent, when one of them changed (a file is read twice for that, from the start up to
 * the last recorded line; stdin once, holding the lines not done until the check is over). Lines
 * done are then skipped; a line partly sent comes with the number of its requests acknowledged.
 * A line longer than MAX_LINE_BYTES comes as one item whose bytes are read piece by piece.
 */

/** A line, with its checksum and the number of its first requests an earlier run delivered. */
export interface Line extends RawLine {
  crc: number;
  delivered: number;
}

/** A line longer than MAX_LINE_BYTES. Read `pieces` to the end before asking for the next item. */
export interface LongLine {
  kind: 'long';
  number: number;
  start: number;
  /** The line's bytes, piece by piece; when they are all read, `ending` holds its end, size and checksum. */
  pieces: AsyncGenerator<Buffer>;
  ending: { end: number; size: number; crc: number };
}

export type ReadItem = Line | LongLine;

/** What a journal knows of the input: the lines it recorded, and their checksums. */
export interface Recorded {
  progress: Progress;
  /** The CRC-32 a recorded line had; undefined when the journal cannot say (a damaged checksums file). */
  checksum: (line: number) => Promise<number | undefined>;
  /** How messages name the journal. */
  name: string;
  /** When the journal was written reading another file: said in a refusal (the content decides, not the name). */
  elsewhere?: string;
}

export interface ReadPlan {
  /** The journal of the run, when it resumes one. */
  journal?: Recorded;
  /** The last line seen (read or skipped) and where it ends: how far the input was accounted for. */
  seen: Position;
}

/** The pieces of a long line, from `first` to its last piece, whose end, size and checksum land in `ending`. */
async function* longPieces(
  first: LongLinePiece,
  rest: AsyncIterator<RawLine | LongLinePiece>,
  ending: LongLine['ending'],
): AsyncGenerator<Buffer> {
  for (let piece = first; ;) {
    ending.crc = crc32(piece.bytes, ending.crc);
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

/** Every line of `input` from `from`, as items; a long line's pieces are drained if its reader left them. */
async function* itemsFrom(input: Input, from: Position, seen: Position): AsyncGenerator<ReadItem> {
  const split = splitLines(input.read(from), MAX_LINE_BYTES, from)[Symbol.asyncIterator]();
  for (let next = await split.next(); !next.done; next = await split.next()) {
    const piece = next.value;
    if (piece.kind === 'line') {
      seen.line = piece.number;
      seen.offset = piece.end;
      yield { ...piece, crc: crc32(piece.bytes), delivered: 0 };
      continue;
    }
    const ending = { end: 0, size: 0, crc: 0 };
    const pieces = longPieces(piece, split, ending);
    yield { kind: 'long', number: piece.number, start: piece.start, pieces, ending };
    await drain(pieces);
    seen.line = piece.number;
    seen.offset = ending.end;
  }
}

const endOf = (item: ReadItem): number => (item.kind === 'line' ? item.end : item.ending.end);

/** Checks one line the journal recorded against what it recorded; throws a UsageError naming it when it changed. */
const check = async (item: ReadItem, journal: Recorded): Promise<void> => {
  if (item.kind === 'long') await drain(item.pieces);
  const crc = item.kind === 'line' ? item.crc : item.ending.crc;
  const { done, partial } = journal.progress;
  const end = partial.get(item.number)?.end ?? done.endOf(item.number);
  const expected = await journal.checksum(item.number);
  if (expected !== crc || (end !== undefined && end !== endOf(item)))
    throw changedLine(journal.name, item.number, journal.elsewhere);
};

const isRecorded = (progress: Progress, line: number): boolean => progress.done.has(line) || progress.partial.has(line);

/** A file resumed: every recorded line read again and checked, before the lines left are read from the first not done. */
async function* resumeFile(input: Input, journal: Recorded, plan: ReadPlan): AsyncGenerator<ReadItem> {
  const extent = recordedExtent(journal.progress);
  let last = 0;
  for await (const item of itemsFrom(input, START, { ...START })) {
    last = item.number;
    if (isRecorded(journal.progress, item.number)) await check(item, journal);
    if (last >= extent.line) break;
  }
  if (last < extent.line) throw endedEarly(journal.name, last, extent.line, journal.elsewhere);
  yield* remaining(itemsFrom(input, journal.progress.done.firstGap(), plan.seen), journal.progress);
}

/** The lines not done, a line partly sent with the number of its requests already acknowledged. */
async function* remaining(items: AsyncIterable<ReadItem>, progress: Progress): AsyncGenerator<ReadItem> {
  for await (const item of items) {
    if (progress.done.has(item.number)) continue;
    yield item.kind === 'line' ? { ...item, delivered: progress.partial.get(item.number)?.delivered ?? 0 } : item;
  }
}

/** Stdin resumed: read once; the lines not done before the last recorded one wait until every recorded line is checked. */
async function* resumeStream(input: Input, journal: Recorded, plan: ReadPlan): AsyncGenerator<ReadItem> {
  const { progress } = journal;
  const extent = recordedExtent(progress);
  const held: ReadItem[] = [];
  let heldBytes = 0;
  for await (const item of itemsFrom(input, START, plan.seen)) {
    if (item.number > extent.line) {
      // Past what the journal recorded: every line was checked.
      yield* held.splice(0);
      yield item;
      continue;
    }
    if (isRecorded(progress, item.number)) await check(item, journal);
    if (progress.done.has(item.number)) continue;
    if (item.kind === 'long') throw tooMuchHeld(journal.name, item.number);
    heldBytes += item.bytes.length;
    if (heldBytes > MAX_RESUME_HELD_BYTES) throw tooMuchHeld(journal.name, item.number);
    held.push({ ...item, delivered: progress.partial.get(item.number)?.delivered ?? 0 });
  }
  if (plan.seen.line < extent.line) throw endedEarly(journal.name, plan.seen.line, extent.line, journal.elsewhere);
  yield* held;
}

/**
 * The lines of `input` still to send: all of them for a new run; for a resume, once every line its
 * journal recorded is checked unchanged, those not done.
 */
export async function* readLines(input: Input, plan: ReadPlan): AsyncGenerator<ReadItem> {
  const { journal } = plan;
  if (!journal || recordedExtent(journal.progress).line === 0) {
    yield* itemsFrom(input, START, plan.seen);
    return;
  }
  if (input.seekable) yield* resumeFile(input, journal, plan);
  else yield* resumeStream(input, journal, plan);
}
