import { fstatSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
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

/** The code of a system error, read by shape: an error of another realm is not `instanceof Error`. */
const codeOf = (error: unknown): unknown =>
  typeof error === 'object' && error !== null ? (error as NodeJS.ErrnoException).code : undefined;

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
  /** Whether `read` can start past the beginning, and be called again (a regular file). */
  seekable: boolean;
  /** The bytes from `from.offset` on; a stream that is not seekable always goes on from where it is. */
  read(from?: Position): AsyncIterable<Buffer>;
  /** Stops reading at once: a pending read ends. */
  close(): void;
}

/** Bytes read at once from a file input. */
const READ_CHUNK_BYTES = 64 * 1024;

/** The bytes of an open file from `offset` on (from where it is, when it cannot seek), until it ends or `closed` is set. */
async function* chunksOf(
  handle: FileHandle,
  offset: number | null,
  closed: { value: boolean },
): AsyncGenerator<Buffer> {
  for (let at = offset; !closed.value;) {
    const buffer = Buffer.allocUnsafe(READ_CHUNK_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, READ_CHUNK_BYTES, at);
    if (bytesRead === 0) return;
    if (at !== null) at += bytesRead;
    yield buffer.subarray(0, bytesRead);
  }
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
  const closed = { value: false };
  return {
    name: file,
    path: resolve(file),
    id: idOf(info),
    ...(regular ? { sizeBytes: info.size } : {}),
    seekable: regular,
    // Positional reads on the one handle: a file is read again from any offset, as often as asked.
    read: (from = START) => chunksOf(handle, regular ? from.offset : null, closed),
    close: () => {
      if (closed.value) return;
      closed.value = true;
      void handle.close().catch(() => undefined);
    },
  };
};

/** Stdin: one stream, read once. */
const stdinInput = (stdin: Readable): Input => {
  let id: FileId | undefined;
  try {
    id = idOf(fstatSync(0));
  } catch {
    id = undefined;
  }
  return {
    name: '-',
    ...(id === undefined ? {} : { id }),
    seekable: false,
    read: () => stdin,
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
