/** An in-process `fetch` for the sender's tests: answers by plan, with no socket and no real time. */

/** What the stub received for one attempt. */
export interface StubCall {
  url: string;
  method: string;
  body: string | undefined;
  contentType: string | undefined;
}

/**
 * How one attempt ends: a status (and `Retry-After`), a network error with its socket code, or
 * `hang`: no answer until the request is aborted (its timeout, or the caller's signal).
 */
export type StubReply = { status: number; retryAfter?: string } | { networkError: string } | { hang: true };

/** `attempt` counts the calls with the same URL and body, from 1. */
export type StubPlan = (call: StubCall, attempt: number) => StubReply;

export interface StubFetch {
  fetch: typeof fetch;
  calls: StubCall[];
  /** The calls answered 2xx, in order. */
  delivered: StubCall[];
}

/** What undici throws for a socket error: a `TypeError('fetch failed')` whose `cause` holds the code. */
export const networkError = (code: string): TypeError =>
  new TypeError('fetch failed', { cause: Object.assign(new Error(`connect ${code} 127.0.0.1:9`), { code }) });

const abortError = (): Error => Object.assign(new Error('This operation was aborted'), { name: 'AbortError' });

const headerOf = (init: RequestInit | undefined, name: string): string | undefined => {
  const headers = new Headers(init?.headers);
  return headers.get(name) ?? undefined;
};

export const stubFetch = (plan: StubPlan = () => ({ status: 200 })): StubFetch => {
  const calls: StubCall[] = [];
  const delivered: StubCall[] = [];
  const counts = new Map<string, number>();
  const stub = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const call: StubCall = {
      url: input instanceof Request ? input.url : String(input),
      method: init?.method ?? 'GET',
      body: typeof init?.body === 'string' ? init.body : undefined,
      contentType: headerOf(init, 'content-type'),
    };
    calls.push(call);
    const key = `${call.method} ${call.url} ${call.body ?? ''}`;
    const attempt = (counts.get(key) ?? 0) + 1;
    counts.set(key, attempt);
    const reply = plan(call, attempt);
    const signal = init?.signal ?? undefined;
    if (signal?.aborted) return Promise.reject(abortError());
    if ('hang' in reply) {
      return new Promise((_resolve, reject) => {
        signal?.addEventListener('abort', () => {
          reject(abortError());
        });
      });
    }
    if ('networkError' in reply) return Promise.reject(networkError(reply.networkError));
    if (reply.status >= 200 && reply.status < 300) delivered.push(call);
    // Only what the sender reads: a real Response would read its body on the event loop, outside fake time.
    const response = {
      status: reply.status,
      headers: new Headers(reply.retryAfter === undefined ? {} : { 'retry-after': reply.retryAfter }),
      arrayBuffer: () => Promise.resolve(new ArrayBuffer(0)),
    };
    return Promise.resolve(response as unknown as Response);
  };
  return { fetch: stub, calls, delivered };
};
