import type { KissmetricsRequest } from '../../cloud/types';
import type { Position } from '../lines';
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

/**
 * One input line, as the record stage needs it: its number in the input (the journal's), the
 * number to show (`label`: the original input's, after a replay of --failed-out), where it ends,
 * its exact bytes and their CRC-32.
 */
export interface LineRef {
  line: number;
  label: number;
  end: number;
  bytes: Buffer;
  crc: number;
}

/** A line on its way to the endpoint: what the order stage schedules and the deliver stage sends. */
export interface LineJob extends LineRef {
  requests: KissmetricsRequest[];
  /** Requests delivered before (by an earlier run, or before a replay): not sent again. */
  skip: ReadonlySet<number>;
  people: string[];
  /** Bytes it holds while it waits, for the reading limit. */
  sizeBytes: number;
}

export interface RunState {
  readonly counts: Counts;
  stop: Stop | undefined;
  /** Aborted on a stop: no attempt or retry starts, an attempt under way may still end. */
  readonly finish: AbortController;
  /** Aborted when the stop's grace is over (at once on a write error): what is in flight is cut. */
  readonly halt: AbortController;
  /** Lines in a row whose delivery failed: the endpoint is failing when it reaches the limit. */
  failedInARow: number;
  /** The last line seen (read or skipped) and where it ends. */
  readonly seen: Position;
  /** Lines not delivered and not recorded anywhere because of a write error: named in the summary. */
  readonly lost: number[];
}

export const newRunState = (counts: Counts): RunState => ({
  counts,
  stop: undefined,
  finish: new AbortController(),
  halt: new AbortController(),
  failedInARow: 0,
  seen: { line: 0, offset: 0 },
  lost: [],
});

/** Whether the run stopped; a function, as TypeScript cannot see the stages that set `stop`. */
export const stopped = (run: RunState): boolean => run.stop !== undefined;
