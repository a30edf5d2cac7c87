import {
  BASE_BACKOFF_MS,
  DELIVERY_DEADLINE_MS,
  MAX_ATTEMPTS,
  MAX_BACKOFF_MS,
  MAX_RESPONSE_BODY_BYTES,
  MAX_RETRY_AFTER_MS,
  PERMANENT_SOCKET_ERRORS,
  REQUEST_TIMEOUT_MS,
} from './constants';
import {
  REDACTED,
  badEndpoint,
  badMethod,
  badParam,
  badParams,
  gaveUp,
  httpStatus,
  illFormedParam,
  interrupted,
  notARequest,
  notAttempted,
  pastDeadline,
  redirected,
  retryAfterTooLong,
  timedOut,
} from './messages';
import type { KissmetricsRequest, SendOptions, SendOutcome } from './types';

type Failed = Extract<SendOutcome, { result: 'failed' }>;

interface Limits {
  maxAttempts: number;
  requestTimeoutMs: number;
  baseBackoffMs: number;
  maxBackoffMs: number;
  maxRetryAfterMs: number;
  deadlineMs: number;
  fetch: typeof fetch;
  random: () => number;
  signal: AbortSignal | undefined;
  finish: AbortSignal | undefined;
  onRetry: SendOptions['onRetry'];
}

/** One attempt: a response status, or the reason none came; `retryAfterMs` when the server asked for a wait. */
interface Attempt {
  status?: number;
  error?: string;
  reason: string;
  retryable: boolean;
  retryAfterMs?: number;
}

/** What fetch gets, built once before the first attempt: a request that cannot be encoded fails without a timer. */
interface Prepared {
  url: string;
  init: RequestInit;
  /** The configured host (and port): the only one a request ever goes to. */
  home: string;
  /** Texts that must never be repeated in a reason: the API key, as given and URL-encoded. */
  secrets: string[];
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

// Options come from callers at run time: a limit that is not a positive number takes its default.
const positive = (value: unknown, fallback: number): number =>
  typeof value === 'number' && value > 0 && !Number.isNaN(value) ? value : fallback;

const isSignal = (value: unknown): value is AbortSignal =>
  isObject(value) && typeof value.aborted === 'boolean' && typeof value.addEventListener === 'function';

// Looked up at each call, so that a fetch installed later (a test, an instrumentation) is used.
const globalFetch: typeof fetch = (input, init) => fetch(input, init);

const limitsOf = (options: unknown): Limits => {
  const o = isObject(options) ? options : {};
  return {
    maxAttempts: Math.floor(positive(o.maxAttempts, MAX_ATTEMPTS)) || 1,
    requestTimeoutMs: positive(o.requestTimeoutMs, REQUEST_TIMEOUT_MS),
    baseBackoffMs: positive(o.baseBackoffMs, BASE_BACKOFF_MS),
    maxBackoffMs: positive(o.maxBackoffMs, MAX_BACKOFF_MS),
    maxRetryAfterMs: positive(o.maxRetryAfterMs, MAX_RETRY_AFTER_MS),
    deadlineMs: positive(o.deadlineMs, DELIVERY_DEADLINE_MS),
    fetch: typeof o.fetch === 'function' ? (o.fetch as typeof fetch) : globalFetch,
    random: typeof o.random === 'function' ? (o.random as () => number) : Math.random,
    signal: isSignal(o.signal) ? o.signal : undefined,
    finish: isSignal(o.finishSignal) ? o.finishSignal : undefined,
    onRetry: typeof o.onRetry === 'function' ? (o.onRetry as SendOptions['onRetry']) : undefined,
  };
};

/*
 * One abort listener per signal, shared by every request that waits on it: a listener per request
 * would pass Node's limit of 10 per event (a MaxListenersExceededWarning) at a concurrency of 10.
 */
const abortCallbacks = new WeakMap<AbortSignal, Set<() => void>>();

/** Calls `callback` once when `signal` aborts; returns the function that unsubscribes it. */
const onAbort = (signal: AbortSignal | undefined, callback: () => void): (() => void) => {
  if (!signal) return () => undefined;
  let callbacks = abortCallbacks.get(signal);
  if (!callbacks) {
    const created = new Set<() => void>();
    callbacks = created;
    abortCallbacks.set(signal, created);
    signal.addEventListener(
      'abort',
      () => {
        for (const run of [...created]) run();
        created.clear();
      },
      { once: true },
    );
  }
  const set = callbacks;
  set.add(callback);
  return () => set.delete(callback);
};

/** `k=v&k=v`, every key and value percent-encoded (valid as a query and as a form body); a reason when it cannot be. */
const encode = (params: unknown): string | { reason: string } => {
  if (!isObject(params) || Array.isArray(params)) return { reason: badParams(params) };
  const parts: string[] = [];
  for (const [key, value] of Object.entries(params)) {
    if (!(typeof value === 'string' || typeof value === 'boolean' || Number.isFinite(value)))
      return { reason: badParam(key, value) };
    try {
      parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
    } catch {
      // encodeURIComponent throws URIError on a lone surrogate; no retry can fix that.
      return { reason: illFormedParam(key) };
    }
  }
  return parts.join('&');
};

const prepare = (request: unknown): Prepared | { reason: string } => {
  if (!isObject(request)) return { reason: notARequest(request) };
  const { method, endpoint, params } = request;
  if (method !== 'GET' && method !== 'POST') return { reason: badMethod(method) };
  let url: URL | undefined;
  try {
    url = typeof endpoint === 'string' ? new URL(endpoint) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || !/^https?:$/.test(url.protocol)) return { reason: badEndpoint() };
  const encoded = encode(params);
  if (typeof encoded !== 'string') return encoded;
  const key = isObject(params) ? params._k : undefined;
  const secrets = typeof key === 'string' && key ? [key, encodeURIComponent(key)] : [];
  // A redirect is never followed: it would carry the API key (in the query or the body) to another host.
  return method === 'GET'
    ? { url: `${String(endpoint)}?${encoded}`, init: { method, redirect: 'manual' }, home: url.host, secrets }
    : {
        url: String(endpoint),
        init: {
          method,
          redirect: 'manual',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: encoded,
        },
        home: url.host,
        secrets,
      };
};

/** `text` with the API key, any `_k=` value and any URL credentials replaced by `[redacted]`. */
export const redact = (text: string, secrets: readonly string[] = []): string => {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join(REDACTED);
  return out.replace(/([?&]_k=)[^&\s#]*/g, `$1${REDACTED}`).replace(/\/\/[^\s/?#@]+@/g, `//${REDACTED}@`);
};

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date; nothing when absent or unreadable. */
const retryAfterMs = (header: string | null, nowMs: number): number | undefined => {
  if (header === null) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
};

/** 408 (request timeout), 429 (too many requests) and 5xx may pass; any other status will not. */
const isRetryableStatus = (status: number): boolean => status === 408 || status === 429 || status >= 500;

const isRedirect = (status: number): boolean => status >= 300 && status < 400;

/** The host a redirect points at (a relative Location stays on the request's host); undefined without one. */
const redirectHost = (location: string | null, url: string): string | undefined => {
  if (location === null) return undefined;
  try {
    return new URL(location, url).host || 'an address without a host';
  } catch {
    return 'an invalid address';
  }
};

/**
 * Reads at most MAX_RESPONSE_BODY_BYTES of a response body, then cancels the rest: whatever the
 * endpoint sends, memory stays flat. Rejects when `signal` (the attempt's timeout) aborts first, or
 * when the body fails. A body the fetch implementation does not expose is left alone.
 */
const readBounded = async (response: Response, signal: AbortSignal): Promise<void> => {
  const body = (response as { body?: ReadableStream<Uint8Array> | null }).body;
  if (!body) return;
  const reader = body.getReader();
  // Not every fetch ties the body to the request's signal: cancelling ends a pending read here too.
  const cancel = (): void => {
    reader.cancel().catch(() => undefined);
  };
  signal.addEventListener('abort', cancel, { once: true });
  try {
    for (let bytes = 0; bytes <= MAX_RESPONSE_BODY_BYTES;) {
      const { done, value } = await reader.read();
      if (signal.aborted) throw new Error('the answer did not end in time');
      if (done) return;
      bytes += value.byteLength;
    }
    cancel();
  } finally {
    signal.removeEventListener('abort', cancel);
  }
};

const field = (value: unknown, name: string): unknown => (isObject(value) ? value[name] : undefined);

/** A failed fetch read by shape: errors from another realm (a test VM) are not `instanceof Error`. */
const failedFetch = (error: unknown): Pick<Attempt, 'reason' | 'retryable' | 'error'> => {
  // undici hides the socket error (ECONNREFUSED, ECONNRESET…) in `cause`.
  const cause = field(error, 'cause');
  const code = field(cause, 'code');
  if (typeof code === 'string') return { reason: code, error: code, retryable: !PERMANENT_SOCKET_ERRORS.has(code) };
  const detail = field(cause, 'message') ?? field(error, 'message');
  const reason = typeof detail === 'string' ? detail : String(error);
  // A socket error always comes with a cause; a TypeError without one is a request fetch refuses to make.
  return { reason, retryable: cause !== undefined || field(error, 'name') !== 'TypeError' };
};

const attempt = async (prepared: Prepared, timeoutMs: number, limits: Limits): Promise<Attempt> => {
  // A controller per attempt, its timer cleared as soon as the attempt ends: `AbortSignal.timeout()`
  // and `AbortSignal.any()` would keep one timer or listener per request alive for the whole timeout.
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort();
  }, timeoutMs);
  const stop = (): void => {
    controller.abort();
  };
  if (limits.signal?.aborted) stop();
  const unsubscribe = onAbort(limits.signal, stop);
  try {
    const response = await limits.fetch(prepared.url, { ...prepared.init, signal: controller.signal });
    // Reading the (tiny) body lets the connection be reused. An answer that never ends is a timeout;
    // any other failure of the body does not undo the status.
    await readBounded(response, controller.signal).catch((error: unknown) => {
      if (controller.signal.aborted) throw error;
    });
    const { status } = response;
    if (isRedirect(status)) {
      const to = redirectHost(response.headers.get('location'), prepared.url);
      return { status, reason: redirected(status, to, prepared.home), retryable: false };
    }
    const after = retryAfterMs(response.headers.get('retry-after'), Date.now());
    return {
      status,
      reason: httpStatus(status),
      retryable: isRetryableStatus(status),
      ...(after === undefined ? {} : { retryAfterMs: after }),
    };
  } catch (error) {
    if (limits.signal?.aborted) return { reason: interrupted(), retryable: true };
    if (controller.signal.aborted) return { reason: timedOut(timeoutMs), retryable: true };
    return failedFetch(error);
  } finally {
    clearTimeout(timer);
    unsubscribe();
  }
};

/** Waits `ms`, or less when either signal aborts. */
const sleep = (ms: number, signal: AbortSignal | undefined, finish: AbortSignal | undefined): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted || finish?.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      unsubscribe();
      unsubscribeFinish();
      resolve();
    };
    const timer = setTimeout(done, ms);
    const unsubscribe = onAbort(signal, done);
    const unsubscribeFinish = onAbort(finish, done);
  });

/** A number in [0, 1) from the caller's source; 0.5 when it throws or returns anything else. */
const jitter = (random: () => number): number => {
  try {
    const r = random();
    return r >= 0 && r <= 1 ? r : 0.5;
  } catch {
    return 0.5;
  }
};

const deliver = async (request: KissmetricsRequest, options: unknown): Promise<SendOutcome> => {
  const prepared = prepare(request);
  if ('reason' in prepared)
    return { result: 'failed', request, attempts: 0, reason: prepared.reason, retryable: false };
  const limits = limitsOf(options);
  if (limits.signal?.aborted || limits.finish?.aborted)
    return { result: 'failed', request, attempts: 0, reason: interrupted(), retryable: true };
  const started = Date.now();
  const failed = (n: number, last: Attempt, reason: string): Failed => ({
    result: 'failed',
    request,
    attempts: n,
    ...(last.status === undefined ? {} : { status: last.status }),
    ...(last.error === undefined ? {} : { error: last.error }),
    reason: redact(gaveUp(n, reason), prepared.secrets),
    retryable: last.retryable,
  });

  for (let n = 1; ; n++) {
    const left = limits.deadlineMs - (Date.now() - started);
    const timeoutMs = Math.max(1, Math.min(limits.requestTimeoutMs, left));
    const last = await attempt(prepared, timeoutMs, limits);
    if (last.status !== undefined && last.status >= 200 && last.status < 300) {
      return { result: 'delivered', request, attempts: n, status: last.status };
    }
    if (!last.retryable || n >= limits.maxAttempts || limits.signal?.aborted) return failed(n, last, last.reason);
    if (limits.finish?.aborted) return failed(n, last, `${last.reason}; ${interrupted()}`);
    if (last.retryAfterMs !== undefined && last.retryAfterMs > limits.maxRetryAfterMs) {
      return failed(n, last, `${last.reason}: ${retryAfterTooLong(last.retryAfterMs, limits.maxRetryAfterMs)}`);
    }
    const ceilingMs = Math.min(limits.maxBackoffMs, limits.baseBackoffMs * 2 ** (n - 1));
    const waitMs = last.retryAfterMs ?? Math.floor(jitter(limits.random) * ceilingMs);
    if (Date.now() - started + waitMs >= limits.deadlineMs) {
      return failed(n, last, `${last.reason}; ${pastDeadline(limits.deadlineMs)}`);
    }
    try {
      limits.onRetry?.({ request, attempt: n, reason: redact(last.reason, prepared.secrets), waitMs });
    } catch {
      // A counter or a log line that throws must not stop the delivery.
    }
    await sleep(waitMs, limits.signal, limits.finish);
    if (limits.signal?.aborted || limits.finish?.aborted) return failed(n, last, `${last.reason}; ${interrupted()}`);
  }
};

/**
 * Sends one request, retrying network errors, timeouts, 408, 429 and 5xx with exponential back-off
 * and full jitter (or the server's `Retry-After` when it is short), within `maxAttempts`, a timeout
 * per attempt and a deadline for the whole. Any 2xx is delivered; other statuses fail at once, and
 * so does a request that cannot be encoded or sent (0 attempts). A redirect is never followed: a
 * 3xx fails at once, and nothing is ever sent to another host. At most MAX_RESPONSE_BODY_BYTES of an
 * answer are read. Never throws, whatever it is given: the outcome says what happened.
 */
export const sendRequest = async (request: KissmetricsRequest, options: SendOptions = {}): Promise<SendOutcome> => {
  try {
    return await deliver(request, options);
  } catch (error) {
    // Nothing above should throw; if it does, the caller still gets an outcome.
    const reason = redact(error instanceof Error ? error.message : String(error));
    return { result: 'failed', request, attempts: 0, reason, retryable: false };
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
  if (!Array.isArray(requests)) return outcomes;
  let failure: { index: number; retryable: boolean } | undefined;
  for (const [i, request] of requests.entries()) {
    if (failure) {
      // Sending the message again could succeed exactly when the request that failed could.
      const { index, retryable } = failure;
      outcomes.push({ result: 'failed', request, attempts: 0, reason: notAttempted(index), retryable });
      continue;
    }
    const outcome = await sendRequest(request, options);
    if (outcome.result === 'failed') failure = { index: i, retryable: outcome.retryable };
    outcomes.push(outcome);
  }
  return outcomes;
};
