import { getEventListeners } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendRequest, sendRequests } from '../../src/cloud';
import type { KissmetricsRequest, RetryInfo, SendOptions, SendOutcome } from '../../src/cloud';
import { startTracker } from './fakeTracker';
import type { FakeTracker } from './fakeTracker';
import { stubFetch } from './stubFetch';
import type { StubPlan } from './stubFetch';

/*
 * Time is fake in every test that waits (jest's clock, advanced by hand), and fetch is an in-process
 * stub there: a busy machine cannot make an ordinary request time out. The tests that use a real
 * socket give every wait a minute.
 */

const KEY = 'k'.repeat(40);
const HOST = 'http://tracker.test';
/** Small limits with round numbers; `random: () => 1` makes each back-off its ceiling. */
const LIMITS: SendOptions = { baseBackoffMs: 100, maxBackoffMs: 400, requestTimeoutMs: 1000, maxAttempts: 4 };
/** Waits a real socket gets: only a broken machine would reach them. */
const REAL_SOCKET_LIMITS: SendOptions = { requestTimeoutMs: 60_000, baseBackoffMs: 1, maxBackoffMs: 1 };

const record = (id: number | string = 1, extra: Record<string, string> = {}, host = HOST): KissmetricsRequest => ({
  method: 'GET',
  endpoint: `${host}/e`,
  params: { _k: KEY, _p: 'u1', _t: 1700000000, _d: 1, _n: 'Signed Up', id: String(id), ...extra },
});
const urlOf = (id: number | string = 1): string =>
  `${HOST}/e?_k=${KEY}&_p=u1&_t=1700000000&_d=1&_n=Signed%20Up&id=${String(id)}`;

beforeEach(() => {
  // Promises and the event loop stay real; only timers and Date are fake.
  jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
});
afterEach(() => {
  jest.useRealTimers();
});

/** Runs `promise` to the end, firing every timer it arms. */
const settle = async <T>(promise: Promise<T>): Promise<T> => {
  await jest.runAllTimersAsync();
  return promise;
};

describe('sendRequest: delivery over a real socket', () => {
  let tracker: FakeTracker | undefined;
  beforeEach(() => {
    jest.useRealTimers();
  });
  afterEach(async () => {
    await tracker?.close();
    tracker = undefined;
  });

  it('sends a GET with every parameter in the query string', async () => {
    tracker = await startTracker();
    const request = record(1, { 'Page - path': '/a b&c' }, tracker.url);
    const outcome = await sendRequest(request, REAL_SOCKET_LIMITS);
    expect(outcome).toEqual({ result: 'delivered', request, attempts: 1, status: 200 });
    expect(tracker.accepted).toEqual([
      {
        method: 'GET',
        path: '/e',
        contentType: undefined,
        params: { _k: KEY, _p: 'u1', _t: '1700000000', _d: '1', _n: 'Signed Up', id: '1', 'Page - path': '/a b&c' },
      },
    ]);
  });

  it('sends a POST as an application/x-www-form-urlencoded body', async () => {
    tracker = await startTracker();
    const request: KissmetricsRequest = { ...record(1, {}, tracker.url), method: 'POST' };
    const outcome = await sendRequest(request, REAL_SOCKET_LIMITS);
    expect(outcome.result).toBe('delivered');
    expect(tracker.accepted).toEqual([
      {
        method: 'POST',
        path: '/e',
        contentType: 'application/x-www-form-urlencoded',
        params: { _k: KEY, _p: 'u1', _t: '1700000000', _d: '1', _n: 'Signed Up', id: '1' },
      },
    ]);
  });

  it('reports a refused connection as the socket error, after every attempt, with its code', async () => {
    tracker = await startTracker();
    const { url } = tracker;
    await tracker.close();
    tracker = undefined;
    const outcome = await sendRequest(record(1, {}, url), { ...REAL_SOCKET_LIMITS, maxAttempts: 2 });
    expect(outcome).toEqual({
      result: 'failed',
      request: record(1, {}, url),
      attempts: 2,
      reason: 'ECONNREFUSED, after 2 attempts',
      retryable: true,
      error: 'ECONNREFUSED',
    });
  });
});

describe('sendRequest over real sockets: redirects and answers without end', () => {
  const servers: Server[] = [];
  beforeEach(() => {
    jest.useRealTimers();
  });
  afterEach(async () => {
    await Promise.all(
      servers.splice(0).map(
        (server) =>
          new Promise((resolve) => {
            server.closeAllConnections();
            server.close(resolve);
          }),
      ),
    );
  });
  const listen = async (handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> => {
    const server = createServer(handler);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };

  it('sends nothing to the host a 302 points at', async () => {
    const elsewhere: string[] = [];
    const other = await listen((req, res) => {
      elsewhere.push(req.url ?? '');
      res.end('GIF89a');
    });
    const home = await listen((req, res) => {
      res.writeHead(302, { location: `${other}${req.url ?? ''}` }).end();
    });
    const outcome = await sendRequest(record(1, {}, home), REAL_SOCKET_LIMITS);
    expect(outcome).toMatchObject({
      result: 'failed',
      status: 302,
      reason: `endpoint answered 302 redirect to ${new URL(other).host}; not followed, the API key stays with ${new URL(home).host}, after 1 attempt`,
      retryable: false,
    });
    expect(elsewhere).toEqual([]);
  });

  it('stops reading an endless 200 answer: delivered, and the endpoint can no longer write', async () => {
    let written = 0;
    const ended = new Promise<void>((resolve) => {
      void listen((_req, res) => {
        res.writeHead(200, { 'content-type': 'image/gif' });
        const chunk = Buffer.alloc(64 * 1024);
        const pump = (): void => {
          while (!res.destroyed && written < 256 * 1024 * 1024 && res.write(chunk)) written += chunk.length;
          if (res.destroyed || written >= 256 * 1024 * 1024) resolve();
          else res.once('drain', pump);
        };
        res.on('close', resolve);
        pump();
      }).then((url) => {
        void sendRequest(record(1, {}, url), REAL_SOCKET_LIMITS).then((outcome) => outcomes.push(outcome));
      });
    });
    const outcomes: SendOutcome[] = [];
    await ended;
    while (!outcomes.length) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(outcomes.map((o) => [o.result, o.attempts])).toEqual([['delivered', 1]]);
    // What the socket buffers took before the connection was closed: nowhere near the gigabyte offered.
    expect(written).toBeLessThan(64 * 1024 * 1024);
  });
});

describe('sendRequest: retries', () => {
  it.each([500, 502, 503, 504, 429, 408])('retries HTTP %i and reports the attempts it took', async (status) => {
    const stub = stubFetch((_call, attempt) => ({ status: attempt < 3 ? status : 200 }));
    const retries: RetryInfo[] = [];
    const outcome = await settle(
      sendRequest(record(), {
        ...LIMITS,
        fetch: stub.fetch,
        random: () => 0.5,
        onRetry: (info) => retries.push(info),
      }),
    );
    expect(outcome).toEqual({ result: 'delivered', request: record(), attempts: 3, status: 200 });
    expect(stub.calls.map((c) => c.url)).toEqual([urlOf(), urlOf(), urlOf()]);
    // Full jitter: random × min(max, base × 2^(n-1)) = 0.5 × 100, then 0.5 × 200.
    expect(retries.map((r) => [r.attempt, r.reason, r.waitMs])).toEqual([
      [1, `HTTP ${status}`, 50],
      [2, `HTTP ${status}`, 100],
    ]);
  });

  it('waits the back-off before the next attempt, and not longer', async () => {
    const stub = stubFetch((_call, attempt) => ({ status: attempt === 1 ? 503 : 200 }));
    const pending = sendRequest(record(), { ...LIMITS, fetch: stub.fetch, random: () => 0.5 });
    await jest.advanceTimersByTimeAsync(49);
    expect(stub.calls).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(stub.calls).toHaveLength(2);
    expect(await pending).toMatchObject({ result: 'delivered', attempts: 2 });
  });

  it('caps the back-off ceiling at maxBackoffMs', async () => {
    const stub = stubFetch(() => ({ status: 503 }));
    const waits: number[] = [];
    await settle(
      sendRequest(record(), {
        ...LIMITS,
        fetch: stub.fetch,
        maxAttempts: 6,
        random: () => 0.999,
        onRetry: (info) => waits.push(info.waitMs),
      }),
    );
    expect(waits).toEqual([99, 199, 399, 399, 399]);
  });

  it('aborts an attempt that passes its timeout, retries, and reports the timeout', async () => {
    const stub = stubFetch((_call, attempt) => (attempt === 1 ? { hang: true } : { status: 200 }));
    const reasons: string[] = [];
    const pending = sendRequest(record(), {
      ...LIMITS,
      fetch: stub.fetch,
      random: () => 0,
      onRetry: (info) => reasons.push(info.reason),
    });
    await jest.advanceTimersByTimeAsync(999);
    expect(reasons).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(await settle(pending)).toMatchObject({ result: 'delivered', attempts: 2, status: 200 });
    expect(reasons).toEqual(['timed out after 1000 ms']);
  });

  it('honours a short Retry-After (seconds) instead of the back-off', async () => {
    const stub = stubFetch((_call, attempt) => (attempt === 1 ? { status: 429, retryAfter: '3' } : { status: 200 }));
    const waits: number[] = [];
    const pending = sendRequest(record(), { ...LIMITS, fetch: stub.fetch, onRetry: (info) => waits.push(info.waitMs) });
    await jest.advanceTimersByTimeAsync(2999);
    expect(stub.calls).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(await pending).toMatchObject({ result: 'delivered', attempts: 2 });
    expect(waits).toEqual([3000]);
  });

  it('honours a Retry-After given as an HTTP date', async () => {
    const stub = stubFetch((_call, attempt) =>
      attempt === 1 ? { status: 503, retryAfter: new Date(Date.now() + 5000).toUTCString() } : { status: 200 },
    );
    const waits: number[] = [];
    await settle(sendRequest(record(), { ...LIMITS, fetch: stub.fetch, onRetry: (info) => waits.push(info.waitMs) }));
    // An HTTP date has whole seconds: the wait is at most 5 s, more than 4 s.
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(4000);
    expect(waits[0]).toBeLessThanOrEqual(5000);
  });

  it('gives up at once on a Retry-After longer than maxRetryAfterMs', async () => {
    const stub = stubFetch(() => ({ status: 503, retryAfter: '3600' }));
    const outcome = await settle(sendRequest(record(), { ...LIMITS, fetch: stub.fetch }));
    expect(outcome).toEqual({
      result: 'failed',
      request: record(),
      attempts: 1,
      status: 503,
      reason: 'HTTP 503: the server asked to retry in 3600 s, more than the 60 s we wait, after 1 attempt',
      retryable: true,
    });
    expect(stub.calls).toHaveLength(1);
  });

  it.each([400, 401, 403, 404, 410, 413, 414, 422])(
    'does not retry HTTP %i: the outcome says no retry can help',
    async (status) => {
      const stub = stubFetch(() => ({ status }));
      const outcome = await settle(sendRequest(record(), { ...LIMITS, fetch: stub.fetch }));
      expect(outcome).toEqual({
        result: 'failed',
        request: record(),
        attempts: 1,
        status,
        reason: `HTTP ${status}, after 1 attempt`,
        retryable: false,
      });
      expect(stub.calls).toHaveLength(1);
    },
  );

  it('stops when the next wait would pass the delivery deadline', async () => {
    const stub = stubFetch(() => ({ status: 503 }));
    const outcome = await settle(
      sendRequest(record(), {
        ...LIMITS,
        fetch: stub.fetch,
        maxAttempts: 100,
        baseBackoffMs: 2000,
        maxBackoffMs: 100_000,
        random: () => 1,
        deadlineMs: 3000,
      }),
    );
    expect(outcome).toEqual({
      result: 'failed',
      request: record(),
      attempts: 2,
      status: 503,
      reason: 'HTTP 503; no time left in the 3000 ms delivery deadline, after 2 attempts',
      retryable: true,
    });
  });

  it('stops waiting when the signal aborts, and leaves no timer behind', async () => {
    const stub = stubFetch(() => ({ status: 503 }));
    const controller = new AbortController();
    const pending = sendRequest(record(), {
      ...LIMITS,
      fetch: stub.fetch,
      baseBackoffMs: 10_000,
      maxBackoffMs: 10_000,
      random: () => 1,
      signal: controller.signal,
    });
    await jest.advanceTimersByTimeAsync(50);
    controller.abort();
    expect(await pending).toEqual({
      result: 'failed',
      request: record(),
      attempts: 1,
      status: 503,
      reason: 'HTTP 503; interrupted, after 1 attempt',
      retryable: true,
    });
    expect(jest.getTimerCount()).toBe(0);
  });

  it('aborts the attempt in flight when the signal aborts', async () => {
    const stub = stubFetch(() => ({ hang: true }));
    const controller = new AbortController();
    const pending = sendRequest(record(), { ...LIMITS, fetch: stub.fetch, signal: controller.signal });
    await jest.advanceTimersByTimeAsync(10);
    controller.abort();
    expect(await pending).toEqual({
      result: 'failed',
      request: record(),
      attempts: 1,
      reason: 'interrupted, after 1 attempt',
      retryable: true,
    });
    expect(jest.getTimerCount()).toBe(0);
  });
});

describe('sendRequest never throws', () => {
  const failedAtOnce = (request: unknown, reason: string): SendOutcome =>
    ({ result: 'failed', request, attempts: 0, reason, retryable: false }) as SendOutcome;

  it.each<[string, unknown, string]>([
    ['null', null, 'cannot send: expected a request object {method, endpoint, params}, got null'],
    ['a string', 'GET /e', 'cannot send: expected a request object {method, endpoint, params}, got "GET /e"'],
    ['an unknown method', { ...record(), method: 'PUT' }, 'cannot send: expected method "GET" or "POST", got "PUT"'],
    [
      'params that are not an object',
      { ...record(), params: null },
      'cannot send: expected params as an object, got null',
    ],
    [
      'a parameter that is an object',
      { ...record(), params: { _k: KEY, nested: { a: 1 } } },
      'cannot send: parameter "nested": expected a string, a finite number or a boolean, got object',
    ],
    [
      'a parameter that is NaN',
      { ...record(), params: { _k: KEY, n: NaN } },
      'cannot send: parameter "n": expected a string, a finite number or a boolean, got number',
    ],
    [
      'a lone UTF-16 surrogate',
      record(1, { name: 'a\uD800b' }),
      'cannot send: parameter "name" is not well-formed Unicode (a lone UTF-16 surrogate)',
    ],
    [
      'an endpoint that is not a URL',
      { ...record(), endpoint: 'not a url' },
      'cannot send: the endpoint is not an http(s) URL',
    ],
    [
      'an endpoint of another protocol',
      { ...record(), endpoint: 'ftp://tracker.test/e' },
      'cannot send: the endpoint is not an http(s) URL',
    ],
  ])('fails at once, without fetching or arming a timer, for %s', async (_name, request, reason) => {
    const stub = stubFetch();
    const outcome = await sendRequest(request as KissmetricsRequest, { ...LIMITS, fetch: stub.fetch });
    expect(outcome).toEqual(failedAtOnce(request, reason));
    expect(stub.calls).toEqual([]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('reports a fetch that throws synchronously, not retried when it is not a network error', async () => {
    const throwing = (() => {
      throw new TypeError('Request cannot be constructed');
    }) as typeof fetch;
    const outcome = await settle(sendRequest(record(), { ...LIMITS, fetch: throwing }));
    expect(outcome).toEqual({
      result: 'failed',
      request: record(),
      attempts: 1,
      reason: 'Request cannot be constructed, after 1 attempt',
      retryable: false,
    });
  });

  it('never repeats the API key or URL credentials from an error text', async () => {
    // undici names the URL in some errors; the URL carries `_k`.
    const leaky = ((url: string) =>
      Promise.reject(
        new TypeError(`Failed to parse URL from ${url} via http://user:secret@proxy.test/`),
      )) as typeof fetch;
    const outcome = await settle(sendRequest(record(), { ...LIMITS, fetch: leaky }));
    expect(outcome.result).toBe('failed');
    const reason = outcome.result === 'failed' ? outcome.reason : '';
    expect(reason).not.toContain(KEY);
    expect(reason).not.toContain('secret');
    expect(reason).toBe(
      'Failed to parse URL from http://tracker.test/e?_k=[redacted]&_p=u1&_t=1700000000&_d=1&_n=Signed%20Up&id=1 via http://[redacted]@proxy.test/, after 1 attempt',
    );
  });

  it('survives an onRetry hook and a random source that throw', async () => {
    const stub = stubFetch((_call, attempt) => ({ status: attempt === 1 ? 503 : 200 }));
    const outcome = await settle(
      sendRequest(record(), {
        ...LIMITS,
        fetch: stub.fetch,
        onRetry: () => {
          throw new Error('hook failed');
        },
        random: () => {
          throw new Error('no entropy');
        },
      }),
    );
    expect(outcome).toEqual({ result: 'delivered', request: record(), attempts: 2, status: 200 });
  });

  it('keeps one abort listener on a shared signal, whatever the number of requests in flight', async () => {
    const stub = stubFetch(() => ({ hang: true }));
    const controller = new AbortController();
    const pending = Array.from({ length: 50 }, (_, i) =>
      sendRequest(record(i), { ...LIMITS, fetch: stub.fetch, signal: controller.signal }),
    );
    await jest.advanceTimersByTimeAsync(10);
    expect(stub.calls).toHaveLength(50);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort();
    const outcomes = await Promise.all(pending);
    expect(outcomes.map((o) => (o.result === 'failed' ? o.reason : o.result))).toEqual(
      pending.map(() => 'interrupted, after 1 attempt'),
    );
  });
});

describe('sendRequests', () => {
  it('sends in order and reports the requests after a failure as not attempted', async () => {
    const stub = stubFetch((call) => ({ status: call.url.endsWith('id=2') ? 400 : 200 }));
    const requests = [record(1), record(2), record(3)];
    const outcomes = await settle(sendRequests(requests, { ...LIMITS, fetch: stub.fetch }));
    expect(outcomes).toEqual([
      { result: 'delivered', request: requests[0], attempts: 1, status: 200 },
      {
        result: 'failed',
        request: requests[1],
        attempts: 1,
        status: 400,
        reason: 'HTTP 400, after 1 attempt',
        retryable: false,
      },
      {
        result: 'failed',
        request: requests[2],
        attempts: 0,
        reason: 'not sent: request 2 of the same message failed first',
        retryable: false,
      },
    ]);
    expect(stub.calls.map((c) => c.url)).toEqual([urlOf(1), urlOf(2)]);
  });

  it('never throws for a list that is not an array', async () => {
    const outcomes = await sendRequests(null as unknown as KissmetricsRequest[], LIMITS);
    expect(outcomes).toEqual([]);
  });
});

describe('sendRequest under a flaky tracker', () => {
  // Request i: 503 on its first attempt when i % 3 = 0, 429 when i % 3 = 1, held past the timeout when i % 5 = 0.
  const flaky: StubPlan = (call, attempt) => {
    const i = Number(/id=(\d+)/.exec(call.url)?.[1]);
    if (attempt > 1) return { status: 200 };
    if (i % 5 === 0) return { hang: true };
    if (i % 3 === 0) return { status: 503 };
    if (i % 3 === 1) return { status: 429 };
    return { status: 200 };
  };
  const ids = Array.from({ length: 60 }, (_, i) => i);

  it('delivers every request exactly once when retries are allowed', async () => {
    const stub = stubFetch(flaky);
    const outcomes = await settle(
      Promise.all(ids.map((i) => sendRequest(record(i), { ...LIMITS, fetch: stub.fetch }))),
    );
    expect(outcomes.every((o) => o.result === 'delivered')).toBe(true);
    expect(outcomes.map((o) => o.attempts)).toEqual(ids.map((i) => (i % 5 === 0 || i % 3 !== 2 ? 2 : 1)));
    expect(stub.delivered.map((c) => c.url).sort()).toEqual(ids.map((i) => urlOf(i)).sort());
  });

  it('reports the flaky ones as failed, with their reason, when retries are exhausted', async () => {
    const stub = stubFetch(flaky);
    const outcomes = await settle(
      Promise.all(ids.map((i) => sendRequest(record(i), { ...LIMITS, fetch: stub.fetch, maxAttempts: 1 }))),
    );
    const expected = ids.map((i) =>
      i % 5 === 0
        ? 'timed out after 1000 ms, after 1 attempt'
        : i % 3 === 0
          ? 'HTTP 503, after 1 attempt'
          : i % 3 === 1
            ? 'HTTP 429, after 1 attempt'
            : 'delivered',
    );
    expect(outcomes.map((o) => (o.result === 'failed' ? o.reason : o.result))).toEqual(expected);
    expect(stub.delivered.map((c) => c.url).sort()).toEqual(
      ids
        .filter((i) => expected[i] === 'delivered')
        .map((i) => urlOf(i))
        .sort(),
    );
  });
});

/** A fetch that answers every call with `reply`, and remembers what it was asked. */
const answering = (reply: () => Response): { fetch: typeof fetch; inits: RequestInit[] } => {
  const inits: RequestInit[] = [];
  const fetchStub = ((_url: string, init: RequestInit) => {
    inits.push(init);
    return Promise.resolve(reply());
  }) as typeof fetch;
  return { fetch: fetchStub, inits };
};

describe('sendRequest never follows a redirect: the API key stays with the configured host', () => {
  it.each<[number, string | null, string]>([
    [
      302,
      'https://elsewhere.example:8443/e?_k=stolen',
      'endpoint answered 302 redirect to elsewhere.example:8443; not followed, the API key stays with tracker.test, after 1 attempt',
    ],
    [
      301,
      'http://other.test/',
      'endpoint answered 301 redirect to other.test; not followed, the API key stays with tracker.test, after 1 attempt',
    ],
    [
      307,
      '/moved',
      'endpoint answered 307 redirect to tracker.test; not followed, the API key stays with tracker.test, after 1 attempt',
    ],
    [
      308,
      `https://${KEY}.evil.test/`,
      'endpoint answered 308 redirect to [redacted].evil.test; not followed, the API key stays with tracker.test, after 1 attempt',
    ],
    [
      304,
      null,
      'endpoint answered 304 redirect without a Location; not followed, the API key stays with tracker.test, after 1 attempt',
    ],
  ])('HTTP %i to %s: failed at once, not retried', async (status, location, reason) => {
    const stub = answering(() => new Response(null, { status, headers: location === null ? {} : { location } }));
    const outcome = await settle(sendRequest(record(), { ...LIMITS, fetch: stub.fetch }));
    expect(outcome).toEqual({ result: 'failed', request: record(), attempts: 1, status, reason, retryable: false });
    expect(stub.inits.map((init) => init.redirect)).toEqual(['manual']);
  });

  it('asks fetch not to follow, for a POST too', async () => {
    const stub = answering(() => new Response(null, { status: 200 }));
    await settle(sendRequest({ ...record(), method: 'POST' }, { ...LIMITS, fetch: stub.fetch }));
    expect(stub.inits.map((init) => [init.method, init.redirect])).toEqual([['POST', 'manual']]);
  });
});

describe('sendRequest reads a bounded part of any answer', () => {
  it('cancels an endless body after MAX_RESPONSE_BODY_BYTES: the answer counts, the rest is never read', async () => {
    let pulled = 0;
    let cancelled = false;
    const endless = (): Response =>
      new Response(
        new ReadableStream<Uint8Array>({
          pull: (controller) => {
            pulled++;
            controller.enqueue(new Uint8Array(1024));
          },
          cancel: () => {
            cancelled = true;
          },
        }),
        { status: 200 },
      );
    const outcome = await settle(sendRequest(record(), { ...LIMITS, fetch: answering(endless).fetch }));
    expect(outcome).toEqual({ result: 'delivered', request: record(), attempts: 1, status: 200 });
    expect(cancelled).toBe(true);
    // 4096 bytes in 1 KiB chunks: five chunks read, and at most the one the stream queued ahead.
    expect(pulled).toBeLessThanOrEqual(6);
  });

  it('counts an answer whose body never ends within the timeout as a timeout, and retries it', async () => {
    // The first answer sends its headers, then one byte a second, forever; the second is a plain 200.
    let calls = 0;
    const slowThenFine = (): Response => {
      calls++;
      if (calls > 1) return new Response('GIF89a', { status: 200 });
      let timer: ReturnType<typeof setTimeout> | undefined;
      return new Response(
        new ReadableStream<Uint8Array>({
          pull: (controller) =>
            new Promise<void>((resolve) => {
              timer = setTimeout(() => {
                controller.enqueue(new Uint8Array(1));
                resolve();
              }, 1000);
            }),
          cancel: () => {
            clearTimeout(timer);
          },
        }),
        { status: 200 },
      );
    };
    const reasons: string[] = [];
    const pending = sendRequest(record(), {
      ...LIMITS,
      requestTimeoutMs: 2500,
      random: () => 0,
      fetch: answering(slowThenFine).fetch,
      onRetry: (info) => reasons.push(info.reason),
    });
    await jest.advanceTimersByTimeAsync(2499);
    expect(reasons).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(await settle(pending)).toEqual({ result: 'delivered', request: record(), attempts: 2, status: 200 });
    expect(reasons).toEqual(['timed out after 2500 ms']);
  });
});

describe('sendRequest: the finish signal stops retries but lets the attempt under way end', () => {
  it('an attempt in flight when finish aborts still gets its answer', async () => {
    let answer: (response: Response) => void = () => undefined;
    const later = (() => new Promise<Response>((resolve) => (answer = resolve))) as typeof fetch;
    const finish = new AbortController();
    const pending = sendRequest(record(), { ...LIMITS, fetch: later, finishSignal: finish.signal });
    await jest.advanceTimersByTimeAsync(10);
    finish.abort();
    answer(new Response(null, { status: 200 }));
    expect(await pending).toEqual({ result: 'delivered', request: record(), attempts: 1, status: 200 });
  });

  it('ends a back-off wait at once and starts no other attempt', async () => {
    const stub = stubFetch(() => ({ status: 503 }));
    const finish = new AbortController();
    const pending = sendRequest(record(), {
      ...LIMITS,
      fetch: stub.fetch,
      random: () => 1,
      finishSignal: finish.signal,
    });
    await jest.advanceTimersByTimeAsync(50);
    finish.abort();
    expect(await pending).toEqual({
      result: 'failed',
      request: record(),
      attempts: 1,
      status: 503,
      reason: 'HTTP 503; interrupted, after 1 attempt',
      retryable: true,
    });
    expect(stub.calls).toHaveLength(1);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('starts nothing once finish has aborted', async () => {
    const stub = stubFetch();
    const finish = new AbortController();
    finish.abort();
    expect(await sendRequest(record(), { ...LIMITS, fetch: stub.fetch, finishSignal: finish.signal })).toEqual({
      result: 'failed',
      request: record(),
      attempts: 0,
      reason: 'interrupted',
      retryable: true,
    });
    expect(stub.calls).toEqual([]);
  });
});
