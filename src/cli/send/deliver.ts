import { sendRequest } from '../../cloud/sender';
import type { KissmetricsRequest, SendOptions, SendOutcome } from '../../cloud/types';
import { MAX_FAILED_LINES_IN_A_ROW, UNREACHABLE_ERRORS } from '../constants';
import type { DeliveredRequest } from './failedOut';
import type { Origin } from './origin';
import { pathOf, requestId } from './translate';

/*
 * Stage 4, deliver: the requests of one line through the sender, one after the other. After each
 * request acknowledged (except the last of the line) it waits for `acknowledged` (the record stage
 * making that durable) before sending the next: at a crash, at most the one request each line has
 * in flight can be sent again. It decides nothing about files; the fail-fast rule that stops a run
 * is here as a pure function.
 */

export type Failed = Extract<SendOutcome, { result: 'failed' }>;

/**
 * What came of a line: every request delivered, the first that failed and why, or a stop before
 * the line ended. `delivered` lists the requests (by index) delivered by this call.
 */
export type Delivery =
  | { kind: 'sent'; delivered: number[]; retries: number }
  | { kind: 'failed'; delivered: number[]; retries: number; index: number; outcome: Failed }
  | { kind: 'stopped'; delivered: number[]; retries: number };

export interface LineDelivery {
  requests: KissmetricsRequest[];
  /** Requests delivered before (an earlier run, a replayed line): not sent again. */
  skip: ReadonlySet<number>;
  options: SendOptions;
  /** Makes `count` requests of the line (the first `count`) durable as done; the next waits for it. */
  acknowledged: (count: number) => Promise<void>;
  /** Whether the run is stopping: no request starts any more. */
  stopping: () => boolean;
}

/** The reason a line was not delivered: which request failed, why, and which of the line were delivered. */
export const failureReason = (index: number, total: number, failed: Failed, delivered: number[]): string => {
  const numbers = delivered.map((i) => i + 1);
  const first = numbers[0];
  const last = numbers[numbers.length - 1];
  const contiguous = first !== undefined && last !== undefined && last - first + 1 === numbers.length;
  const before =
    first === undefined
      ? ''
      : numbers.length === 1
        ? `; request ${first} was delivered`
        : contiguous
          ? `; requests ${first}-${last} were delivered`
          : `; requests ${numbers.join(', ')} were delivered`;
  const { method, endpoint } = failed.request;
  return `request ${index + 1} of ${total} (${method} ${pathOf(endpoint)}) failed: ${failed.reason}${before}`;
};

/** A failure that only the stop caused (a retryable failure cut short): the resume sends it again. */
const cutByStop = (outcome: Failed, stopping: boolean): boolean => stopping && outcome.retryable;

/** Sends the requests of one line in order, stopping at the first that fails or when the run stops. */
export const deliverLine = async (line: LineDelivery): Promise<Delivery> => {
  const delivered: number[] = [];
  let retries = 0;
  const { requests } = line;
  for (const [index, request] of requests.entries()) {
    if (line.skip.has(index)) continue;
    if (line.stopping()) return { kind: 'stopped', delivered, retries };
    const outcome = await sendRequest(request, line.options);
    retries += Math.max(0, outcome.attempts - 1);
    if (outcome.result === 'failed') {
      if (cutByStop(outcome, line.stopping())) return { kind: 'stopped', delivered, retries };
      return { kind: 'failed', delivered, retries, index, outcome };
    }
    delivered.push(index);
    if (index < requests.length - 1) await line.acknowledged(index + 1);
  }
  return { kind: 'sent', delivered, retries };
};

/**
 * Why the run must stop after a line failed, or undefined: the endpoint cannot be reached at all,
 * or MAX_FAILED_LINES_IN_A_ROW lines in a row failed.
 */
export const failFast = (line: number, failedInARow: number, outcome: Failed, reason: string): string | undefined => {
  const { error } = outcome;
  if (error !== undefined && UNREACHABLE_ERRORS.has(error))
    return `the endpoint cannot be reached (${error} on line ${line}, after its retries)`;
  if (failedInARow >= MAX_FAILED_LINES_IN_A_ROW)
    return `the endpoint keeps failing: ${failedInARow} lines in a row were not delivered (the last: ${reason})`;
  return undefined;
};

/** The requests of a line not to send: the first `delivered` (an earlier run), and those a replayed reasons file lists. */
export const skipOf = (requests: KissmetricsRequest[], delivered: number, origin: Origin | undefined): Set<number> => {
  const skip = new Set<number>();
  for (let i = 0; i < Math.min(delivered, requests.length); i++) skip.add(i);
  const before = new Set(origin?.delivered.map((d) => d.id));
  if (before.size)
    requests.forEach((request, i) => {
      if (before.has(requestId(request, i))) skip.add(i);
    });
  return skip;
};

/** The requests of a line delivered (by index), as the reasons file lists them. */
export const deliveredList = (requests: KissmetricsRequest[], indexes: number[]): DeliveredRequest[] =>
  indexes.flatMap((index) => {
    const request = requests[index];
    return request ? [{ request: index + 1, path: pathOf(request.endpoint), id: requestId(request, index) }] : [];
  });
