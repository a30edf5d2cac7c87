import { isUtf8 } from 'node:buffer';
import { parseExact } from './exactJson';

/**
 * Lines of bytes, split on `\n` only: line N is what `sed -n Np`, `tail -n +N` and `wc -l` call
 * line N, whatever `\r` it holds. Each line keeps its exact bytes (for `--failed-out`) and where
 * it starts and ends in the input (for `--state`).
 */

const NEWLINE = 0x0a;

/** A line of at most `maxLineBytes`, `bytes` without its `\n`; `end` is the offset just past it. */
export interface RawLine {
  kind: 'line';
  number: number;
  start: number;
  end: number;
  bytes: Buffer;
}

/**
 * A piece of a line longer than `maxLineBytes`, which is never held whole: pieces come in order,
 * and the one with `last` also gives the line's `end` and total `size`.
 */
export type LongLinePiece =
  | { kind: 'long'; number: number; start: number; bytes: Buffer; last: false }
  | { kind: 'long'; number: number; start: number; bytes: Buffer; last: true; end: number; size: number };

/** Where reading starts: line 1 at offset 0, or where a resumed run picks up. */
export interface Position {
  line: number;
  offset: number;
}

export const START: Position = { line: 1, offset: 0 };

/** Splits `chunks` into lines; a last line without `\n` is a line too. */
export async function* splitLines(
  chunks: AsyncIterable<Buffer | string>,
  maxLineBytes: number,
  from: Position = START,
): AsyncGenerator<RawLine | LongLinePiece> {
  let number = from.line;
  let start = from.offset;
  let parts: Buffer[] = [];
  let held = 0;
  // Bytes of the current line already handed out as long-line pieces.
  let emitted = 0;

  for await (const chunk of chunks) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    let cursor = 0;
    for (;;) {
      const newline = buffer.indexOf(NEWLINE, cursor);
      const piece = buffer.subarray(cursor, newline === -1 ? buffer.length : newline);
      if (newline === -1) {
        if (piece.length) {
          parts.push(piece);
          held += piece.length;
        }
        if (held > maxLineBytes || (emitted && held)) {
          yield { kind: 'long', number, start, bytes: Buffer.concat(parts, held), last: false };
          emitted += held;
          parts = [];
          held = 0;
        }
        break;
      }
      const size = emitted + held + piece.length;
      const end = start + size + 1;
      if (emitted || held + piece.length > maxLineBytes) {
        const bytes = held ? Buffer.concat([...parts, piece], held + piece.length) : Buffer.from(piece);
        yield { kind: 'long', number, start, bytes, last: true, end, size };
      } else {
        // A copy: a sub-array would keep the whole read chunk alive as long as the line waits.
        const bytes = held ? Buffer.concat([...parts, piece], held + piece.length) : Buffer.from(piece);
        yield { kind: 'line', number, start, end, bytes };
      }
      number++;
      start = end;
      parts = [];
      held = 0;
      emitted = 0;
      cursor = newline + 1;
    }
  }
  if (emitted) {
    const bytes = Buffer.concat(parts, held);
    yield { kind: 'long', number, start, bytes, last: true, end: start + emitted + held, size: emitted + held };
  } else if (held) {
    yield { kind: 'line', number, start, end: start + held, bytes: Buffer.concat(parts, held) };
  }
}

const CR = 0x0d;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
// JSON's own whitespace: a line of only these is blank.
const BLANK = /^[ \t\r\n]*$/;

/** What one line holds: nothing (blank), a JSON value, or the reason it is not one. */
export type LineContent = { kind: 'blank' } | { kind: 'json'; value: unknown } | { kind: 'malformed'; reason: string };

/** The message of what was thrown, read by shape: an error of another realm is not `instanceof Error`. */
export const reasonOf = (error: unknown): string => {
  const message = typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : undefined;
  return typeof message === 'string' ? message : String(error);
};

/**
 * Reads one line as JSON. A trailing `\r` (CRLF files) and, at the very start of the input, a
 * UTF-8 byte order mark are part of the line's bytes but not of its JSON. Bytes that are not
 * UTF-8 make the line malformed: decoding them would replace them by U+FFFD and send other text.
 */
export const readLine = (bytes: Buffer, atInputStart: boolean): LineContent => {
  const from = atInputStart && bytes.subarray(0, 3).equals(BOM) ? 3 : 0;
  const to = Math.max(from, bytes.length && bytes[bytes.length - 1] === CR ? bytes.length - 1 : bytes.length);
  const body = bytes.subarray(from, to);
  if (!isUtf8(body)) return { kind: 'malformed', reason: 'not valid UTF-8 text' };
  const text = body.toString('utf8');
  if (BLANK.test(text)) return { kind: 'blank' };
  try {
    return { kind: 'json', value: parseExact(text) };
  } catch (error) {
    return { kind: 'malformed', reason: `malformed JSON: ${reasonOf(error)}` };
  }
};
