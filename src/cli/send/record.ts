import { MAX_LINE_BYTES } from '../constants';
import { reasonOf } from '../lines';
import type { FailedOut, Reason, Recorded, Sizes } from './failedOut';
import { WriteError } from './failedOut';
import type { DoneKind, DoneRecord, StateJournal } from './journal';
import type { LongLine } from './read';
import { keptNowhere } from './run';
import type { LineRef, RunState } from './run';

/*
 * Stage 5, record: what became of each line, durably. A finished line goes to the journal
 * (`--state`); a line not delivered goes, byte for byte, to --failed-out with its reason, and then
 * to the journal, in the order the lines were written. A write error stops the run and names the
 * lines it could not record.
 */

/** The files of the record stage, already open; either may be absent. */
export interface RecordFiles {
  failedOut?: FailedOut;
  journal?: StateJournal;
  /** How messages name the journal (`--state FILE`). */
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

  get journal(): StateJournal | undefined {
    return this.files.journal;
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

  /** Records a finished line in the journal; a write error there stops the run (the line is sent again next time). */
  commit(record: DoneRecord): Promise<void> {
    const { journal } = this.files;
    if (!journal) return Promise.resolve();
    return journal.commit(record).catch((error: unknown) => {
      this.writeFailed(error);
    });
  }

  /**
   * A line not delivered: written to --failed-out and, with a journal, recorded as done (without
   * --failed-out it is not done: the next run with the same journal tries it again). Resolves once
   * the line is written, with the promise of its durable record; a write error stops the run and
   * names the line.
   */
  async reject(ref: LineRef, why: Reason): Promise<Recorded> {
    const { failedOut, journal } = this.files;
    if (!failedOut) {
      keptNowhere(this.run, ref.line);
      return none;
    }
    if (this.run.stop?.cause === 'write') {
      this.run.lost.push(ref.line);
      return none;
    }
    const kind: DoneKind | undefined = why.kind === 'not sent' ? undefined : why.kind;
    const durable = (sizes: Sizes): Promise<void> =>
      kind && journal ? this.commit({ kind, line: ref.line, end: ref.end, ...sizes }) : Promise.resolve();
    try {
      return await failedOut.record(ref.bytes, why, durable);
    } catch (error) {
      this.run.lost.push(ref.line);
      this.writeFailed(error);
      return none;
    }
  }

  /**
   * A line longer than MAX_LINE_BYTES: malformed, and passed to --failed-out piece by piece, never
   * held whole. Resolves with its reason once it is written (or read past), or undefined when a
   * stop cut it short: it was not read, and is left for the resume.
   */
  async rejectLong(long: LongLine): Promise<Reason | undefined> {
    const { failedOut, journal } = this.files;
    const reason = (): Reason => tooLong(long.number, long.ending.size);
    if (!failedOut) {
      try {
        while (!(await long.pieces.next()).done) {
          // Read past it.
        }
      } catch (error) {
        // Cut short by a stop (the input was closed): left for the resume.
        if (this.run.stop) return undefined;
        throw error;
      }
      return reason();
    }
    const durable = (sizes: Sizes): Promise<void> =>
      journal
        ? this.commit({ kind: 'malformed', line: long.number, end: long.ending.end, ...sizes })
        : Promise.resolve();
    try {
      const recorded = await failedOut.recordPieces(long.number, long.pieces, reason, durable);
      this.track(recorded.after);
      return reason();
    } catch (error) {
      if (this.run.stop) return undefined;
      this.run.lost.push(long.number);
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
