import { open, rename, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CHECKSUMS_SUFFIX, STATE_COMPACT_BYTES } from '../constants';
import { apply, recordLine, snapshotText } from './journal';
import type { JournalRecord, Progress, StateIdentity } from './journal';

/*
 * The journal on disk. Records are appended and fsync'ed in groups; a line's concurrency slot is
 * only freed once its record is durable, and a request is only sent once the record of the request
 * before it in its line is: at any instant at most --concurrency requests are acknowledged or in
 * flight without the journal knowing it. A record cut short by a crash fails its CRC: it and what
 * follows are ignored (they were never acknowledged). At every start and every STATE_COMPACT_BYTES
 * the journal is rewritten as header + checkpoint through a temporary file, fsync and rename, so it
 * grows with the gaps, not with the input; the checksums of the lines the checkpoint sums up go
 * first, durably, to FILE + CHECKSUMS_SUFFIX: 4 bytes per line, at offset 4 × (line − 1).
 */

const writeAll = async (file: FileHandle, buffer: Buffer, position?: number): Promise<void> => {
  for (let offset = 0; offset < buffer.length;) {
    const at = position === undefined ? null : position + offset;
    const { bytesWritten } = await file.write(buffer, offset, buffer.length - offset, at);
    offset += bytesWritten;
  }
};

/** fsync of a directory, so that a rename or a new file in it survives a power loss. */
export const syncDirectory = async (path: string): Promise<void> => {
  const directory = await open(dirname(path), 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
};

/** Writes `text` as the whole content of `path` atomically: a temporary file, fsync, rename, fsync of the directory. */
const replaceFile = async (path: string, text: string): Promise<void> => {
  const temporary = `${path}.${process.pid}.tmp`;
  const file = await open(temporary, 'w');
  try {
    await writeAll(file, Buffer.from(text));
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temporary, path);
  await syncDirectory(path);
};

export const CHECKSUM_BYTES = 4;

/** The checksums file: the CRC-32 of line n at offset 4 × (n − 1), big-endian. */
export class ChecksumFile {
  private constructor(private readonly file: FileHandle) {}

  /** Opens (creating) the checksums file of a journal; `fresh` empties it (a new journal). */
  static async open(path: string, fresh: boolean): Promise<ChecksumFile> {
    const file = await open(path, fresh ? 'w+' : 'r+').catch(async (error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      return open(path, 'w+');
    });
    return new ChecksumFile(file);
  }

  /** Writes checksums, in runs of consecutive lines, then makes them durable. */
  async write(checksums: Map<number, number>): Promise<void> {
    const lines = [...checksums.keys()].sort((a, b) => a - b);
    for (let i = 0; i < lines.length;) {
      let j = i + 1;
      while (j < lines.length && lines[j] === (lines[j - 1] ?? 0) + 1) j++;
      const run = Buffer.alloc((j - i) * CHECKSUM_BYTES);
      for (let k = i; k < j; k++) run.writeUInt32BE(checksums.get(lines[k] ?? 0) ?? 0, (k - i) * CHECKSUM_BYTES);
      await writeAll(this.file, run, ((lines[i] ?? 1) - 1) * CHECKSUM_BYTES);
      i = j;
    }
    if (lines.length) await this.file.datasync();
  }

  /** Reads the checksums of lines `first` to `first + count − 1`; undefined past the end of the file. */
  async read(first: number, count: number): Promise<Buffer | undefined> {
    const buffer = Buffer.alloc(count * CHECKSUM_BYTES);
    const { bytesRead } = await this.file.read(buffer, 0, buffer.length, (first - 1) * CHECKSUM_BYTES);
    return bytesRead === buffer.length ? buffer : undefined;
  }

  async close(): Promise<void> {
    await this.file.close();
  }
}

interface Pending {
  text: string;
  record: JournalRecord;
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * The open journal. `commit` resolves once the record is on disk (group commit: records that
 * arrive while a write is under way go out together with the next fsync). `beforeSync` runs
 * before each group is written: it makes the --failed-out lines that the records count durable
 * first. After a write error every commit rejects with it.
 */
export class StateJournal {
  private queue: Pending[] = [];
  /** The flush under way, if any: `close` waits for it. */
  private flushing: Promise<void> | undefined;
  private error: Error | undefined;
  private appendedBytes = 0;

  private constructor(
    readonly path: string,
    private readonly identity: StateIdentity,
    private file: FileHandle,
    private readonly checksums: ChecksumFile,
    /** Checksums of the lines recorded since the last checkpoint: they go to `checksums` before it. */
    private recent: Map<number, number>,
    /** What is durable: only records whose fsync has returned. */
    readonly progress: Progress,
    private readonly beforeSync: () => Promise<void>,
  ) {}

  /**
   * Writes `progress` as a fresh checkpoint (dropping a torn tail) and opens the journal for
   * records. `recent` holds the checksums of the lines recorded after the checkpoint it was read
   * from: they go to `checksums` first.
   */
  static async start(
    path: string,
    identity: StateIdentity,
    progress: Progress,
    recent: Map<number, number>,
    beforeSync: () => Promise<void>,
    checksums: ChecksumFile,
  ): Promise<StateJournal> {
    await checksums.write(recent);
    await replaceFile(path, snapshotText(identity, progress));
    const file = await open(path, 'a');
    return new StateJournal(path, identity, file, checksums, new Map(), progress, beforeSync);
  }

  /** The checksums file's path for the journal at `path`. */
  static checksumsPath(path: string): string {
    return path + CHECKSUMS_SUFFIX;
  }

  commit(record: JournalRecord): Promise<void> {
    if (this.error !== undefined) return Promise.reject(this.error);
    return new Promise((resolve, reject) => {
      this.queue.push({ text: recordLine(record), record, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    this.flushing ??= this.flush().finally(() => {
      this.flushing = undefined;
      // A record that arrived as the last group finished has not been written yet.
      if (this.queue.length && this.error === undefined) this.kick();
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length && this.error === undefined) {
      const group = this.queue;
      this.queue = [];
      try {
        await this.beforeSync();
        const text = group.map((p) => p.text).join('');
        await writeAll(this.file, Buffer.from(text));
        await this.file.datasync();
        this.appendedBytes += text.length;
        for (const p of group) {
          apply(this.progress, p.record);
          this.recent.set(p.record.line, p.record.crc);
        }
        if (this.appendedBytes >= STATE_COMPACT_BYTES) await this.compact();
        for (const p of group) p.resolve();
      } catch (error) {
        this.error = error instanceof Error ? error : new Error(String(error));
        for (const p of [...group, ...this.queue]) p.reject(this.error);
        this.queue = [];
      }
    }
  }

  /** Rewrites the journal as one checkpoint, once the checksums it sums up are durable. */
  private async compact(): Promise<void> {
    await this.checksums.write(this.recent);
    this.recent = new Map();
    await replaceFile(this.path, snapshotText(this.identity, this.progress));
    const previous = this.file;
    this.file = await open(this.path, 'a');
    this.appendedBytes = 0;
    await previous.close();
  }

  /** Waits for the records already committed, then closes the files. */
  async close(): Promise<void> {
    while (this.flushing) await this.flushing;
    await this.file.close();
    await this.checksums.close();
  }

  /** Removes the closed journal and its checksums (one `send` kept itself, once nothing is left to do). */
  async remove(): Promise<void> {
    await rm(this.path, { force: true });
    await rm(StateJournal.checksumsPath(this.path), { force: true });
  }
}
