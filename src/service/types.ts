import type { STATUS_FILTERED } from './constants';
import type { CallEvent } from './transform';

/** The types the stages of a call hand to each other; every stage imports them from here, none from another stage. */

/** What a call asks for: one of the service's endpoints. */
export type Endpoint = 'health' | 'features' | 'processor' | 'router';

/**
 * rudder-server's error types (`statTags.errorType`): a destination config it cannot use
 * (`configuration`), an event it cannot translate (`instrumentation`), or an event that becomes no
 * request (`filtered`, status 298, which rudder-transformer reports without a category).
 */
export type ErrorType = 'configuration' | 'instrumentation' | 'filtered';

/** Why an event has no request: its entry's status, error and error type. */
export interface Refusal {
  /** 400: cannot be translated; 413: over a cap; 298: nothing to send (rudder-server's filtered status). */
  statusCode: 400 | 413 | typeof STATUS_FILTERED;
  error: string;
  errorType: ErrorType;
}

/** One event, built; `refusal` when it could not be (over its cap, not JSON, its destination unusable). */
export type ReadEvent = CallEvent & { refusal?: Refusal };

/** Counts for the log line: never contents. */
export interface CallSummary {
  events: number;
  requests: number;
  refused: number;
  filtered: number;
  trimmed: number;
}
