import {
  BASE_BACKOFF_MS,
  DELIVERY_DEADLINE_MS,
  MAX_ATTEMPTS,
  MAX_BACKOFF_MS,
  MAX_RETRY_AFTER_MS,
  REQUEST_TIMEOUT_MS,
} from './constants';
import { gaveUp, httpStatus, interrupted, notAttempted, pastDeadline, retryAfterTooLong, timedOut } from './messages';
import { encodeParams, requestUrl } from './requests';
import type { KissmetricsRequest, SendOptions, SendOutcome } from './types';

type Limits = Required<Omit<SendOptions, 'signal' | 'onRetry'>> & Pick<SendOptions, 'signal' | 'onRetry'>;

/** One attempt: a response status, or the reason none came; `retryAfterMs` when the server asked for a wait. */
interface Attempt {
  status?: number;
  reason: string;
  retryable: boolean;
  retryAfterMs?: number;
}

const limitsOf = (options: SendOptions): Limits => ({
  maxAttempts: MAX_ATTEMPTS,
  requestTimeoutMs: REQUEST_TIMEOUT_MS,
  baseBackoffMs: BASE_BACKOFF_MS,
  maxBackoffMs: MAX_BACKOFF_MS,
  maxRetryAfterMs: MAX_RETRY_AFTER_MS,
  deadlineMs: DELIVERY_DEADLINE_MS,
  fetch: (...args) => fetch(...args),
  random: Math.random,
  ...options,
});

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date; nothing when absent or unreadable. */
const retryAfterMs = (header: string | null, nowMs: number): number | undefined => {
  if (header === null) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
};

const isRetryableStatus = (status: number): boolean => status === 429 || status >= 500;

const field = (value: unknown, name: string): unknown =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;

/** What went wrong, read by shape: errors from another realm (a test VM) are not `instanceof Error`. */
const errorReason = (error: unknown): string => {
  // undici hides the socket error (ECONNREFUSED, ECONNRESET…) in `cause`.
  const cause = field(error, 'cause');
  const detail = field(cause, 'code') ?? field(cause, 'message') ?? field(error, 'message');
  return typeof detail === 'string' ? detail : String(error);
};

const attempt = async (request: KissmetricsRequest, timeoutMs: number, limits: Limits): Promise<Attempt> => {
  // A controller per attempt, its timer cleared as soon as the attempt ends: `AbortSignal.timeout()`
  // and `AbortSignal.any()` would keep one timer or listener per request alive for the whole timeout.
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort();
  }, timeoutMs);
  const interrupt = (): void => {
    controller.abort();
  };
  if (limits.signal?.aborted) interrupt();
  limits.signal?.addEventListener('abort', interrupt, { once: true });
  const init: RequestInit =
    request.method === 'GET'
      ? { method: 'GET', signal: controller.signal }
      : {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: encodeParams(request.params),
          signal: controller.signal,
        };
  try {
    const response = await limits.fetch(request.method === 'GET' ? requestUrl(request) : request.endpoint, init);
    // Reading the (tiny) body lets the connection be reused; its failure does not undo the status.
    await response.arrayBuffer().catch(() => undefined);
    const { status } = response;
    const after = retryAfterMs(response.headers.get('retry-after'), Date.now());
    return {
      status,
      reason: httpStatus(status),
      retryable: isRetryableStatus(status),
      ...(after === undefined ? {} : { retryAfterMs: after }),
    };
  } catch (error) {
    if (limits.signal?.aborted) return { reason: interrupted(), retryable: false };
    if (controller.signal.aborted) return { reason: timedOut(timeoutMs), retryable: true };
    return { reason: errorReason(error), retryable: true };
  } finally {
    clearTimeout(timer);
    limits.signal?.removeEventListener('abort', interrupt);
  }
};

const sleep = (ms: number, signal: AbortSignal | undefined): Promise<void> =>
  new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * Sends one request, retrying network errors, timeouts, 429 and 5xx with exponential back-off and
 * full jitter (or the server's `Retry-After` when it is short), within `maxAttempts`, a timeout per
 * attempt and a deadline for the whole. Any 2xx is delivered; other statuses fail at once.
 * Never throws for a delivery failure: the outcome says what happened.
 */
export const sendRequest = async (request: KissmetricsRequest, options: SendOptions = {}): Promise<SendOutcome> => {
  const limits = limitsOf(options);
  const started = Date.now();
  const failed = (attempts: number, last: Attempt, reason: string): SendOutcome => ({
    result: 'failed',
    request,
    attempts,
    ...(last.status === undefined ? {} : { status: last.status }),
    reason,
  });

  for (let n = 1; ; n++) {
    const left = limits.deadlineMs - (Date.now() - started);
    const timeoutMs = Math.max(1, Math.min(limits.requestTimeoutMs, left));
    const last = await attempt(request, timeoutMs, limits);
    if (last.status !== undefined && last.status >= 200 && last.status < 300) {
      return { result: 'delivered', request, attempts: n, status: last.status };
    }
    if (!last.retryable || n >= limits.maxAttempts) return failed(n, last, gaveUp(n, last.reason));
    if (last.retryAfterMs !== undefined && last.retryAfterMs > limits.maxRetryAfterMs) {
      return failed(
        n,
        last,
        gaveUp(n, `${last.reason}: ${retryAfterTooLong(last.retryAfterMs, limits.maxRetryAfterMs)}`),
      );
    }
    const ceilingMs = Math.min(limits.maxBackoffMs, limits.baseBackoffMs * 2 ** (n - 1));
    const waitMs = last.retryAfterMs ?? Math.floor(limits.random() * ceilingMs);
    if (Date.now() - started + waitMs >= limits.deadlineMs) {
      return failed(n, last, gaveUp(n, `${last.reason}; ${pastDeadline(limits.deadlineMs)}`));
    }
    limits.onRetry?.({ request, attempt: n, reason: last.reason, waitMs });
    await sleep(waitMs, limits.signal);
    if (limits.signal?.aborted) return failed(n, last, gaveUp(n, `${last.reason}; ${interrupted()}`));
  }
};

/**
 * Sends the requests of one message one after the other, in order, and stops at the first that
 * fails: the later ones are reported failed with zero attempts. One outcome per request.
 */
export const sendRequests = async (
  requests: KissmetricsRequest[],
  options: SendOptions = {},
): Promise<SendOutcome[]> => {
  const outcomes: SendOutcome[] = [];
  let failedAt = -1;
  for (const [i, request] of requests.entries()) {
    if (failedAt >= 0) {
      outcomes.push({ result: 'failed', request, attempts: 0, reason: notAttempted(failedAt) });
      continue;
    }
    const outcome = await sendRequest(request, options);
    if (outcome.result === 'failed') failedAt = i;
    outcomes.push(outcome);
  }
  return outcomes;
};
