import type { Naming } from '../rules/naming';
import type { KissmetricsConfig } from '../rules/types';

/** A value of the tracking API's query string or form body. */
export type KissmetricsParam = string | number | boolean;

/** One HTTP request to the Kissmetrics tracking API; `endpoint` is the full URL without query. */
export interface KissmetricsRequest {
  method: 'GET' | 'POST';
  endpoint: string;
  params: Record<string, KissmetricsParam>;
}

/** The destination config plus where to send (default `https://trk.kissmetrics.io`) and how to name. */
export interface CloudConfig extends KissmetricsConfig {
  trackingHost?: string;
  /**
   * Event and property names: `default` (ours, the same as device mode) or `rudder-transformer` (those of
   * RudderStack's own cloud destination, to keep its Kissmetrics reports when moving from it; values stay ours).
   */
  naming?: Naming | undefined;
}

/** What one retry is about to do; for counters and logs. */
export interface RetryInfo {
  request: KissmetricsRequest;
  /** The attempt that just failed, 1 for the first. */
  attempt: number;
  /** Why it failed: `HTTP 503`, `timed out after 10000 ms`, `ECONNRESET`… */
  reason: string;
  waitMs: number;
}

/** Limits and hooks of the sender; every limit defaults to the constant of the same name. */
export interface SendOptions {
  maxAttempts?: number;
  requestTimeoutMs?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  maxRetryAfterMs?: number;
  deadlineMs?: number;
  /** Stops retries and waits: what has not been delivered is reported failed. */
  signal?: AbortSignal;
  onRetry?: (info: RetryInfo) => void;
  /** Defaults to the global `fetch`. */
  fetch?: typeof fetch;
  /** A number in [0, 1) for the back-off jitter; defaults to `Math.random`. */
  random?: () => number;
}

/**
 * What happened to one request. `status` is the last HTTP status received, when one was; `error`
 * the socket error code (`ECONNREFUSED`…) when the last attempt got no response. `retryable` says
 * whether sending it again later could succeed: false for a request that cannot be encoded and for
 * statuses such as 400 or 404, true for network errors, timeouts, 408, 429 and 5xx.
 * `attempts` is 0 when nothing was sent. `reason` never contains the API key or URL credentials.
 */
export type SendOutcome =
  | { result: 'delivered'; request: KissmetricsRequest; attempts: number; status: number }
  | {
      result: 'failed';
      request: KissmetricsRequest;
      attempts: number;
      status?: number;
      error?: string;
      reason: string;
      retryable: boolean;
    };
