import { describe } from '../rules/messages';

/** Texts the cloud translator and the sender throw or report. */

export const invalidTrackingHost = (value: unknown): string =>
  `config.trackingHost must be an http(s) URL such as "https://trk.kissmetrics.io", got ${describe(value)}`;

export const missingPerson = (type: string): string =>
  `${type}: expected a non-empty userId or anonymousId to name the person, got neither`;

export const httpStatus = (status: number): string => `HTTP ${status}`;

export const timedOut = (ms: number): string => `timed out after ${ms} ms`;

export const gaveUp = (attempts: number, last: string): string =>
  `${last}, after ${attempts} attempt${attempts === 1 ? '' : 's'}`;

export const retryAfterTooLong = (waitMs: number, maxMs: number): string =>
  `the server asked to retry in ${Math.ceil(waitMs / 1000)} s, more than the ${maxMs / 1000} s we wait`;

export const pastDeadline = (deadlineMs: number): string => `no time left in the ${deadlineMs} ms delivery deadline`;

export const interrupted = (): string => 'interrupted';

export const notAttempted = (failedIndex: number): string =>
  `not sent: request ${failedIndex + 1} of the same message failed first`;
