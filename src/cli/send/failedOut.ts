import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { reasonOf } from '../lines';

/**
 * `--failed-out FILE`: every line that was not delivered, byte for byte, one per line, so that
 * FILE can be sent again as it is (`send --failed-out retry.ndjson FILE`). Why each line is
 * there goes, in the same order, to a reasons file next to it (the k-th reason is about the k-th
 * line); never into FILE itself, which would no longer be replayable.
 */

/** A write to --failed-out (or its reasons) failed: the run stops, and the line is named. */
export class WriteError extends Error {
  override name = 'WriteError';
}

const NEWLINE = Buffer.from('\n');

/**
 * A file only ever appended to, whole lines at a time. A write that fails (disk full) is undone by
 * truncating back, so the file never ends with half a line.
 */
export class LineFile {
  private constructor(
    readonly name: string,
    private readonly file: FileHandle,
    /** Bytes in the file; what a `--state` record saves. */
    public size: number,
    private readonly regular: boolean,
  ) {}

  private dirty = false;

  /**
   * Opens `path` for appending, creating it when missing, never truncating it — except down to
   * `truncateTo`, the size a resumed run's state recorded (what follows was written after the
   * last durable record, and will be written again).
   */
  static async open(path: string, truncateTo?: number): Promise<LineFile> {
    // a+: appends, and can read the last byte back.
    const file = await open(path, 'a+');
    try {
      const info = await file.stat();
      const regular = info.isFile();
      let size = regular ? info.size : 0;
      if (regular && truncateTo !== undefined && truncateTo < size) {
        await file.truncate(truncateTo);
        size = truncateTo;
      }
      const lines = new LineFile(path, file, size, regular);
      // Appending after a last line without `\n` would glue our first line to it.
      if (regular && size > 0 && !(await lines.endsWithNewline())) await lines.append([NEWLINE]);
      return lines;
    } catch (error) {
      await file.close();
      throw error;
    }
  }

  private async endsWithNewline(): Promise<boolean> {
    const last = Buffer.alloc(1);
    const { bytesRead } = await this.file.read(last, 0, 1, this.size - 1);
    return bytesRead === 1 && last[0] === NEWLINE[0];
  }

  /** Appends `parts`; on failure the file is cut back to its size before, and the error thrown. */
  async append(parts: Buffer[]): Promise<void> {
    const before = this.size;
    try {
      for (const part of parts) {
        for (let offset = 0; offset < part.length;) {
          const { bytesWritten } = await this.file.write(part, offset, part.length - offset);
          offset += bytesWritten;
          this.size += bytesWritten;
        }
      }
      this.dirty = true;
    } catch (error) {
      if (this.regular) await this.file.truncate(before).catch(() => undefined);
      this.size = before;
      throw error;
    }
  }

  /** Cuts the file back to `size` bytes (undoing a line whose reason could not be written). */
  async cut(size: number): Promise<void> {
    if (this.regular) await this.file.truncate(size).catch(() => undefined);
    this.size = size;
  }

  /** fsync, when something was written since the last one. */
  async sync(): Promise<void> {
    if (!this.dirty || !this.regular) return;
    this.dirty = false;
    await this.file.datasync();
  }

  async close(): Promise<void> {
    await this.file.close();
  }
}

/** A request of a line that was delivered: its number in the line (from 1), its path, and its id (requestId). */
export interface DeliveredRequest {
  request: number;
  path: string;
  id: string;
}

/**
 * One reasons record: the line (its number in the original input, also after a replay), what kind
 * of failure, and why (never with a secret). A line that had requests also says how many, and
 * which were delivered: a replay of the file skips those.
 */
export interface Reason {
  line: number;
  kind: 'malformed' | 'untranslatable' | 'failed';
  reason: string;
  requests?: number;
  delivered?: DeliveredRequest[];
}

/** Sizes of --failed-out and of its reasons file after a line was recorded. */
export interface Sizes {
  failedOutBytes: number;
  reasonsBytes: number;
}

/** A line written; `after` settles with what the caller chained to it (its durable --state record). */
export interface Recorded {
  after: Promise<void>;
}

export class FailedOut {
  // Records are written one at a time, whole, in the order they are asked for.
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    readonly lines: LineFile,
    readonly reasons: LineFile | undefined,
  ) {}

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.tail.then(task);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async writeReason(reason: Reason, lineStart: number): Promise<void> {
    if (!this.reasons) return;
    try {
      await this.reasons.append([Buffer.from(`${JSON.stringify(reason)}\n`)]);
    } catch (error) {
      // Keep the k-th reason about the k-th line: without its reason, the line goes too.
      await this.lines.cut(lineStart);
      throw error;
    }
  }

  private sizes(): Sizes {
    return { failedOutBytes: this.lines.size, reasonsBytes: this.reasons?.size ?? 0 };
  }

  /**
   * Records one line (its bytes without `\n`) and its reason. `then` runs inside the lock with the
   * new sizes (a `--state` record, so that records are committed in the order lines were written);
   * what it returns is handed back in `after`, not awaited here. Throws a WriteError naming the line.
   */
  record(bytes: Buffer, reason: Reason, then?: (sizes: Sizes) => Promise<void>): Promise<Recorded> {
    return this.exclusive(async () => {
      const start = this.lines.size;
      try {
        await this.lines.append([bytes, NEWLINE]);
        await this.writeReason(reason, start);
      } catch (error) {
        throw new WriteError(this.lostLine(reason.line, error));
      }
      return { after: then?.(this.sizes()) ?? Promise.resolve() };
    });
  }

  /**
   * Records a line that arrives in pieces (longer than MAX_LINE_BYTES): `pieces` is read inside
   * the lock, so no other line can land between two of its pieces.
   */
  recordPieces(
    line: number,
    pieces: AsyncIterable<Buffer>,
    reason: () => Reason,
    then?: (sizes: Sizes) => Promise<void>,
  ): Promise<Recorded> {
    return this.exclusive(async () => {
      const start = this.lines.size;
      try {
        for await (const piece of pieces) await this.lines.append([piece]);
        await this.lines.append([NEWLINE]);
        await this.writeReason(reason(), start);
      } catch (error) {
        await this.lines.cut(start);
        throw new WriteError(this.lostLine(line, error));
      }
      return { after: then?.(this.sizes()) ?? Promise.resolve() };
    });
  }

  private lostLine(line: number, error: unknown): string {
    return `cannot write line ${line} to ${this.lines.name}${this.reasons ? ` or ${this.reasons.name}` : ''}: ${reasonOf(error)}`;
  }

  /** Makes what was recorded durable (before a --state record counts it). */
  async sync(): Promise<void> {
    await this.exclusive(async () => {
      await this.lines.sync();
      await this.reasons?.sync();
    });
  }

  async close(): Promise<void> {
    await this.exclusive(async () => {
      await this.lines.close();
      await this.reasons?.close();
    });
  }
}
