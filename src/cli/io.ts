import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';

/** Exit statuses of the CLI. */
export const EXIT_OK = 0;
export const EXIT_NOT_DELIVERED = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

/** A problem with the command line or its files: reported in one sentence, exit status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The input stream, and its size in bytes when it is a regular file (for a progress percentage). */
export interface Input {
  stream: Readable;
  sizeBytes?: number;
}

/** `FILE`, or stdin for `-` or no file; refuses a terminal on stdin unless `-` says so. */
export const openInput = async (file: string | undefined, stdin: Readable & { isTTY?: boolean }): Promise<Input> => {
  if (file === '-' || (file === undefined && !stdin.isTTY)) return { stream: stdin };
  if (file === undefined)
    throw new UsageError('no input: give an NDJSON FILE, pipe events to stdin, or use - to type them');
  const info = await stat(file).catch((error: unknown) => {
    throw new UsageError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  });
  if (info.isDirectory()) throw new UsageError(`cannot read ${file}: it is a directory`);
  const stream = createReadStream(file);
  await once(stream, 'open').catch((error: unknown) => {
    throw new UsageError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  });
  return info.isFile() ? { stream, sizeBytes: info.size } : { stream };
};

/** A file to write, created (or emptied) before any work starts so that a bad path fails early. */
export const openOutput = async (file: string): Promise<Writable> => {
  const stream = createWriteStream(file);
  await once(stream, 'open').catch((error: unknown) => {
    throw new UsageError(`cannot write ${file}: ${error instanceof Error ? error.message : String(error)}`);
  });
  return stream;
};

/** Writes and, when the stream's buffer is full, waits until it drains: output never piles up in memory. */
export const write = async (stream: Writable, text: string): Promise<void> => {
  if (!stream.write(text)) await once(stream, 'drain');
};

export const close = async (stream: Writable): Promise<void> => {
  if (stream.writableFinished) return;
  const finished = once(stream, 'finish');
  stream.end();
  await finished;
};

/** One input line and its 1-based number. */
export interface Line {
  number: number;
  text: string;
}

/** The lines of a stream, read lazily: a file of any size is never held in memory. */
export async function* readLines(input: Readable): AsyncGenerator<Line> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let number = 0;
  for await (const text of lines) {
    number++;
    yield { number, text: number === 1 ? text.replace(/^\uFEFF/, '') : text };
  }
}

export type Parsed = { ok: true; value: unknown } | { ok: false; reason: string };

export const parseJson = (text: string): Parsed => {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, reason: `malformed JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
};

export const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
