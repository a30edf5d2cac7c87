import { sendRequests } from '../../cloud/sender';
import type { KissmetricsRequest, SendOptions, SendOutcome } from '../../cloud/types';
import { MAX_FAILED_LINES_IN_A_ROW, UNREACHABLE_ERRORS } from '../constants';

/*
 * Stage 4, deliver: the requests of one line through the sender, in order, and what came of them.
 * It decides nothing about files; the fail-fast rule that stops a run is here as a pure function.
 */

export type Failed = Extract<SendOutcome, { result: 'failed' }>;

/** What the endpoint made of a line: every request delivered, or the first that failed and why. */
export type Delivery =
  | { ok: true; delivered: number; retries: number }
  | { ok: false; delivered: number; retries: number; reason: string; outcome: Failed };

const pathOf = (endpoint: string): string => {
  try {
    return new URL(endpoint).pathname;
  } catch {
    // The sender reported the bad endpoint in its reason.
    return '?';
  }
};

/** The reason a line was not delivered: which request failed, why, and which were delivered before it. */
export const failureReason = (index: number, total: number, failed: Failed): string => {
  // A replay of the line re-sends these: say so, as Kissmetrics would count a recorded event twice.
  const before = index === 0 ? '' : index === 1 ? '; request 1 was delivered' : `; requests 1-${index} were delivered`;
  const { method, endpoint } = failed.request;
  return `request ${index + 1} of ${total} (${method} ${pathOf(endpoint)}) failed: ${failed.reason}${before}`;
};

/** Sends the requests of one line, in order, stopping at the first that fails. */
export const deliverRequests = async (requests: KissmetricsRequest[], options: SendOptions): Promise<Delivery> => {
  const outcomes = await sendRequests(requests, options);
  const delivered = outcomes.filter((o) => o.result === 'delivered').length;
  // Retries made: every attempt after the first of each request.
  const retries = outcomes.reduce((sum, o) => sum + Math.max(0, o.attempts - 1), 0);
  const index = outcomes.findIndex((o) => o.result === 'failed');
  const failed = outcomes[index];
  if (failed?.result !== 'failed') return { ok: true, delivered, retries };
  return { ok: false, delivered, retries, reason: failureReason(index, outcomes.length, failed), outcome: failed };
};

/**
 * Why the run must stop after a line failed, or undefined: the endpoint cannot be reached at all,
 * or MAX_FAILED_LINES_IN_A_ROW lines in a row failed.
 */
export const failFast = (line: number, failedInARow: number, failure: Delivery & { ok: false }): string | undefined => {
  const { error } = failure.outcome;
  if (error !== undefined && UNREACHABLE_ERRORS.has(error))
    return `the endpoint cannot be reached (${error} on line ${line}, after its retries)`;
  if (failedInARow >= MAX_FAILED_LINES_IN_A_ROW)
    return `the endpoint keeps failing: ${failedInARow} lines in a row were not delivered (the last: ${failure.reason})`;
  return undefined;
};
