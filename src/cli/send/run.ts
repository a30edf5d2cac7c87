import type { KissmetricsRequest } from '../../cloud/types';
import type { Counts } from './progress';

/*
 * What one run of `send` knows while it runs. The stages never capture it in a closure: each one
 * receives this object and says, through its fields, what it did.
 */

/** Why a run stopped before the end of its input. */
export type Stop =
  | { cause: 'SIGINT' }
  | { cause: 'SIGTERM' }
  | { cause: 'endpoint'; message: string }
  | { cause: 'write'; message: string };

/** One input line, as the record stage needs it: its number, where it ends, its exact bytes. */
export interface LineRef {
  line: number;
  end: number;
  bytes: Buffer;
}

/** A line on its way to the endpoint: what the order stage schedules and the deliver stage sends. */
export interface LineJob extends LineRef {
  requests: KissmetricsRequest[];
  people: string[];
  /** Bytes it holds while it waits, for the reading limit. */
  sizeBytes: number;
}

export interface RunState {
  readonly counts: Counts;
  stop: Stop | undefined;
  /** Aborted on any stop: the sender ends its waits and attempts at once. */
  readonly halt: AbortController;
  /** Lines in a row whose delivery failed: the endpoint is failing when it reaches the limit. */
  failedInARow: number;
  /** The last line read whole: every line up to it is accounted for once the run ends. */
  lastRead: number;
  /** Lines not delivered and not recorded anywhere because of a write error: named in the summary. */
  readonly lost: number[];
  /** Without --failed-out: the first line not delivered and how many there are, for the resume command. */
  readonly undelivered: { first: number; count: number };
}

export const newRunState = (counts: Counts, firstLine: number): RunState => ({
  counts,
  stop: undefined,
  halt: new AbortController(),
  failedInARow: 0,
  lastRead: firstLine - 1,
  lost: [],
  undelivered: { first: Infinity, count: 0 },
});

/** Whether the run stopped; a function, as TypeScript cannot see the stages that set `stop`. */
export const stopped = (run: RunState): boolean => run.stop !== undefined;

/** A line not delivered and kept nowhere (no --failed-out): the resume command starts at the first. */
export const keptNowhere = (run: RunState, line: number): void => {
  run.undelivered.first = Math.min(run.undelivered.first, line);
  run.undelivered.count++;
};

/** What a run that stopped says about the lines it did not send. */
export const stopText = (stop: Stop | undefined): string =>
  stop?.cause === 'SIGINT'
    ? 'interrupted'
    : stop?.cause === 'SIGTERM'
      ? 'terminated'
      : stop?.cause === 'endpoint'
        ? 'the endpoint was failing'
        : 'the run stopped on a write error';
