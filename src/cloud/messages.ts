import { describe } from '../rules/messages';

/** Texts the cloud translator and the sender throw or report. */

/** `got`: what was wrong, without the value itself: it may hold a password or a key. */
export const invalidTrackingHost = (got: string): string =>
  'config.trackingHost must be an http(s) URL without query (?), fragment (#) or credentials (user:password@), ' +
  `such as "https://trk.kissmetrics.io"; got ${got}`;

export const missingPerson = (type: string): string =>
  `${type}: expected a non-empty userId or anonymousId to name the person, got neither`;

export const httpStatus = (status: number): string => `HTTP ${status}`;

export const timedOut = (ms: number): string => `timed out after ${ms} ms`;

/** A 3xx: `to` is the host the answer points at, `home` the configured one; never a path or a query. */
export const redirected = (status: number, to: string | undefined, home: string): string =>
  `endpoint answered ${status} redirect ${to === undefined ? 'without a Location' : `to ${to}`}; ` +
  `not followed, the API key stays with ${home}`;

export const gaveUp = (attempts: number, last: string): string =>
  `${last}, after ${attempts} attempt${attempts === 1 ? '' : 's'}`;

export const retryAfterTooLong = (waitMs: number, maxMs: number): string =>
  `the server asked to retry in ${Math.ceil(waitMs / 1000)} s, more than the ${maxMs / 1000} s we wait`;

export const pastDeadline = (deadlineMs: number): string => `no time left in the ${deadlineMs} ms delivery deadline`;

export const interrupted = (): string => 'interrupted';

export const notAttempted = (failedIndex: number): string =>
  `not sent: request ${failedIndex + 1} of the same message failed first`;

export const cannotSend = (why: string): string => `cannot send: ${why}`;

export const notARequest = (value: unknown): string =>
  cannotSend(`expected a request object {method, endpoint, params}, got ${describe(value)}`);

export const badMethod = (value: unknown): string =>
  cannotSend(`expected method "GET" or "POST", got ${describe(value)}`);

export const badParams = (value: unknown): string => cannotSend(`expected params as an object, got ${describe(value)}`);

export const badParam = (name: string, value: unknown): string =>
  cannotSend(
    `parameter ${JSON.stringify(name)}: expected a string, a finite number or a boolean, got ${describe(value)}`,
  );

export const illFormedParam = (name: string): string =>
  cannotSend(`parameter ${JSON.stringify(name)} is not well-formed Unicode (a lone UTF-16 surrogate)`);

export const badEndpoint = (): string => cannotSend('the endpoint is not an http(s) URL');

/** Stands for a secret (API key, URL credentials) in every text we report. */
export const REDACTED = '[redacted]';
