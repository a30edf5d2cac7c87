import { fstatSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { FINGERPRINT_BYTES } from './constants';
import type { Position } from './lines';
import { START, reasonOf } from './lines';

/** A problem with the command line or its files: reported in one sentence, exit status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Device and inode: two names (a `./` spelling, a symlink, a hard link) are the same file when these match. */
export interface FileId {
  dev: number;
  ino: number;
}

const idOf = (info: Stats): FileId => ({ dev: info.dev, ino: info.ino });
export const sameFile = (a: FileId | undefined, b: FileId | undefined): boolean =>
  a !== undefined && a.dev === b?.dev && a.ino === b.ino;

const codeOf = (error: unknown): unknown =>
  error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;

/** What is at `path`, following symlinks; undefined when nothing is. */
export const statOrNothing = async (path: string): Promise<Stats | undefined> => {
  try {
    return await stat(path);
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return undefined;
    throw new UsageError(`cannot use ${path}: ${reasonOf(error)}`);
  }
};

/** The input of `send` or `translate`: a file or stdin, read as byte chunks from a position. */
export interface Input {
  /** For messages: the path as given, or `-` for stdin. */
  name: string;
  /** Absolute path of a file; undefined for stdin. */
  path?: string;
  /** What the input is on disk (for stdin, whatever fd 0 is: a file, a pipe…), to refuse writing over it. */
  id?: FileId;
  /** Size in bytes when the input is a regular file, for a progress percentage. */
  sizeBytes?: number;
  /** Whether `read` can start past the beginning without reading what comes before (a regular file). */
  seekable: boolean;
  /** The first FINGERPRINT_BYTES bytes (fewer when the input is shorter), read once. */
  head(): Promise<Buffer>;
  /** The bytes from `from.offset` on; a stream that is not seekable always starts at its beginning. */
  read(from?: Position): AsyncIterable<Buffer>;
  /** Stops reading at once: a pending read ends. */
  close(): void;
}

const fileInput = async (file: string): Promise<Input> => {
  let handle: FileHandle;
  let info: Stats;
  try {
    handle = await open(file, 'r');
    info = await handle.stat();
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${reasonOf(error)}`);
  }
  if (info.isDirectory()) {
    await handle.close();
    throw new UsageError(`cannot read ${file}: it is a directory`);
  }
  const regular = info.isFile();
  let stream: Readable | undefined;
  let head: Promise<Buffer> | undefined;
  return {
    name: file,
    path: resolve(file),
    id: idOf(info),
    ...(regular ? { sizeBytes: info.size } : {}),
    seekable: regular,
    head: () =>
      (head ??= (async () => {
        if (!regular) throw new Error('only a regular file can be fingerprinted before it is read');
        const buffer = Buffer.alloc(FINGERPRINT_BYTES);
        const { bytesRead } = await handle.read(buffer, 0, FINGERPRINT_BYTES, 0);
        return buffer.subarray(0, bytesRead);
      })()),
    read: (from = START) => {
      stream = handle.createReadStream({ start: regular ? from.offset : 0, autoClose: true });
      return stream;
    },
    close: () => {
      if (stream !== undefined) stream.destroy();
      else void handle.close().catch(() => undefined);
    },
  };
};

/**
 * Stdin, whose first bytes can be looked at (for `--state`) before the lines are read: the
 * chunks read for the fingerprint are handed out again first.
 */
const stdinInput = (stdin: Readable): Input => {
  let id: FileId | undefined;
  try {
    id = idOf(fstatSync(0));
  } catch {
    id = undefined;
  }
  const iterator = stdin[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const seen: Buffer[] = [];
  let ended = false;
  let head: Promise<Buffer> | undefined;
  const pull = async (): Promise<Buffer | undefined> => {
    if (ended) return undefined;
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      return undefined;
    }
    return typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
  };
  return {
    name: '-',
    ...(id === undefined ? {} : { id }),
    seekable: false,
    head: () =>
      (head ??= (async () => {
        let size = 0;
        while (size < FINGERPRINT_BYTES) {
          const chunk = await pull();
          if (!chunk) break;
          seen.push(chunk);
          size += chunk.length;
        }
        return Buffer.concat(seen, size).subarray(0, FINGERPRINT_BYTES);
      })()),
    read: () =>
      (async function* chunks(): AsyncGenerator<Buffer> {
        for (let chunk = seen.shift(); chunk; chunk = seen.shift()) yield chunk;
        for (let chunk = await pull(); chunk; chunk = await pull()) yield chunk;
      })(),
    close: () => {
      stdin.destroy();
    },
  };
};

/** `FILE`, or stdin for `-` or no file; refuses a terminal on stdin unless `-` says so. */
export const openInput = async (file: string | undefined, stdin: Readable & { isTTY?: boolean }): Promise<Input> => {
  if (file === '-' || (file === undefined && !stdin.isTTY)) return stdinInput(stdin);
  if (file === undefined)
    throw new UsageError('no input: give an NDJSON FILE, pipe events to stdin, or use - to type them');
  return fileInput(file);
};

/** Writes and, when the stream's buffer is full, waits until it drains: output never piles up in memory. */
export const write = async (stream: Writable, text: string): Promise<void> => {
  if (!stream.write(text)) await new Promise((resolve) => stream.once('drain', resolve));
};
