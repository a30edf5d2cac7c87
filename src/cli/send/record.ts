import { MAX_LINE_BYTES } from '../constants';
import { reasonOf } from '../lines';
import type { FailedOut, Reason, Recorded, Sizes } from './failedOut';
import { WriteError } from './failedOut';
import type { DoneKind, JournalRecord } from './journal';
import type { StateJournal } from './journalFile';
import type { LongLine } from './read';
import type { LineRef, RunState } from './run';

/*
 * Stage 5, record: what became of each line, durably. A line done goes to the journal; a request
 * acknowledged in a line of several goes there too before the next request of the line is sent;
 * a line not delivered goes, byte for byte, to --failed-out with its reason, and then to the
 * journal, in the order the lines were written. Without --failed-out a line not delivered is not
 * done: the resume tries it again, from its first request not acknowledged. A write error stops
 * the run and names the lines it could not record.
 */

/** The files of the record stage, already open. No journal only in a dry run. */
export interface RecordFiles {
  failedOut?: FailedOut;
  journal?: StateJournal;
  /** How messages name the journal. */
  journalName: string;
}

const none: Recorded = { after: Promise.resolve() };

export const tooLong = (line: number, size: number): Reason => ({
  line,
  kind: 'malformed',
  reason: `longer than the ${MAX_LINE_BYTES} bytes an event can be (${size} bytes): not read`,
});

export class Recorder {
  /** Every durable-record promise, so that the run ends only after the last is settled. */
  private readonly chores = new Set<Promise<unknown>>();

  constructor(
    private readonly run: RunState,
    private readonly files: RecordFiles,
    /** Stops the run on a write error, with the message to show. */
    private readonly stopOnWriteError: (message: string) => void,
  ) {}

  get failedOut(): FailedOut | undefined {
    return this.files.failedOut;
  }

  /** Keeps `task` until it settles; a failure of it stops the run. */
  track(task: Promise<unknown>): void {
    const tracked = task
      .catch((error: unknown) => {
        this.writeFailed(error);
      })
      .finally(() => {
        this.chores.delete(tracked);
      });
    this.chores.add(tracked);
  }

  /** Resolves once every record asked for so far is settled. */
  async settled(): Promise<void> {
    while (this.chores.size) await Promise.all(this.chores);
  }

  writeFailed(error: unknown): void {
    const message =
      error instanceof WriteError ? error.message : `cannot write ${this.files.journalName}: ${reasonOf(error)}`;
    this.stopOnWriteError(message);
  }

  /** Records in the journal; resolves once it is durable. A write error stops the run (the line is sent again next time). */
  private commit(record: JournalRecord): Promise<void> {
    const { journal } = this.files;
    if (!journal) return Promise.resolve();
    return journal.commit(record).catch((error: unknown) => {
      this.writeFailed(error);
    });
  }

  /** A line done without going to --failed-out: delivered, nothing to send, or blank. */
  done(ref: LineRef, kind: 'sent' | 'nothing' | 'blank'): Promise<void> {
    return this.commit({ kind, line: ref.line, end: ref.end, crc: ref.crc });
  }

  /** The first `delivered` requests of a line are acknowledged (the line has more). */
  partial(ref: LineRef, delivered: number): Promise<void> {
    return this.commit({ kind: 'partial', line: ref.line, end: ref.end, crc: ref.crc, delivered });
  }

  /**
   * A line not delivered: written to --failed-out and recorded as done. Without --failed-out it
   * is not done, and nothing is written. Resolves once the line is written, with the promise of
   * its durable record; a write error stops the run and names the line.
   */
  async reject(ref: LineRef, why: Reason): Promise<Recorded> {
    const { failedOut } = this.files;
    if (!failedOut) return none;
    if (this.run.stop?.cause === 'write') {
      this.run.lost.push(ref.label);
      return none;
    }
    const kind: DoneKind = why.kind;
    const durable = (sizes: Sizes): Promise<void> =>
      this.commit({ kind, line: ref.line, end: ref.end, crc: ref.crc, ...sizes });
    try {
      return await failedOut.record(ref.bytes, why, durable);
    } catch (error) {
      this.run.lost.push(ref.label);
      this.writeFailed(error);
      return none;
    }
  }

  /**
   * A line longer than MAX_LINE_BYTES: malformed, and passed to --failed-out piece by piece, never
   * held whole. Resolves with its reason once it is written (or read past), or undefined when a
   * stop cut it short: it was not read, and is left for the resume.
   */
  async rejectLong(long: LongLine, label: number): Promise<Reason | undefined> {
    const { failedOut } = this.files;
    const reason = (): Reason => tooLong(label, long.ending.size);
    try {
      if (!failedOut) {
        while (!(await long.pieces.next()).done) {
          // Read past it.
        }
        return reason();
      }
      const { number } = long;
      const durable = (sizes: Sizes): Promise<void> =>
        this.commit({ kind: 'malformed', line: number, end: long.ending.end, crc: long.ending.crc, ...sizes });
      const recorded = await failedOut.recordPieces(label, long.pieces, reason, durable);
      this.track(recorded.after);
      return reason();
    } catch (error) {
      // Cut short by a stop (the input was closed): left for the resume.
      if (this.run.stop) return undefined;
      if (!failedOut) throw error;
      this.run.lost.push(label);
      this.writeFailed(error);
      return undefined;
    }
  }

  /** Closes the files; what is written stays written. */
  async close(): Promise<void> {
    await this.files.failedOut?.close().catch(() => undefined);
    await this.files.journal?.close().catch(() => undefined);
  }
}
