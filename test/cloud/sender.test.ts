import { sendRequest, sendRequests } from '../../src/cloud';
import type { KissmetricsRequest, RetryInfo, SendOptions } from '../../src/cloud';
import { keyOf, startTracker } from './fakeTracker';
import type { FakeTracker, Plan } from './fakeTracker';

/** Small limits keep the retries fast; `random: () => 1` makes the back-off its ceiling. */
const FAST: SendOptions = { baseBackoffMs: 10, maxBackoffMs: 40, requestTimeoutMs: 500, maxAttempts: 4 };

let tracker: FakeTracker | undefined;
afterEach(async () => {
  await tracker?.close();
  tracker = undefined;
});

const serve = async (plan?: Plan): Promise<FakeTracker> => {
  tracker = await startTracker(plan);
  return tracker;
};

const record = (host: string, id: number | string = 1, extra: Record<string, string> = {}): KissmetricsRequest => ({
  method: 'GET',
  endpoint: `${host}/e`,
  params: { _k: 'key', _p: 'u1', _t: 1700000000, _d: 1, _n: 'Signed Up', id: String(id), ...extra },
});

describe('sendRequest: delivery', () => {
  it('sends a GET with every parameter in the query string', async () => {
    const { url, accepted } = await serve();
    const outcome = await sendRequest(record(url, 1, { 'Page - path': '/a b&c' }), FAST);
    expect(outcome).toEqual({
      result: 'delivered',
      request: record(url, 1, { 'Page - path': '/a b&c' }),
      attempts: 1,
      status: 200,
    });
    expect(accepted).toEqual([
      {
        method: 'GET',
        path: '/e',
        contentType: undefined,
        params: { _k: 'key', _p: 'u1', _t: '1700000000', _d: '1', _n: 'Signed Up', id: '1', 'Page - path': '/a b&c' },
      },
    ]);
  });

  it('sends a POST as an application/x-www-form-urlencoded body', async () => {
    const { url, accepted } = await serve();
    const request: KissmetricsRequest = { ...record(url), method: 'POST' };
    const outcome = await sendRequest(request, FAST);
    expect(outcome.result).toBe('delivered');
    expect(accepted).toEqual([
      {
        method: 'POST',
        path: '/e',
        contentType: 'application/x-www-form-urlencoded',
        params: { _k: 'key', _p: 'u1', _t: '1700000000', _d: '1', _n: 'Signed Up', id: '1' },
      },
    ]);
  });
});

describe('sendRequest: retries', () => {
  it.each([500, 502, 503, 429])('retries HTTP %i and reports the attempts it took', async (status) => {
    const { url, attempts } = await serve((_r, attempt) => ({ status: attempt < 3 ? status : 200 }));
    const retries: RetryInfo[] = [];
    const outcome = await sendRequest(record(url), {
      ...FAST,
      random: () => 0.5,
      onRetry: (info) => retries.push(info),
    });
    expect(outcome).toEqual({ result: 'delivered', request: record(url), attempts: 3, status: 200 });
    expect(attempts).toHaveLength(3);
    // Full jitter: random × min(max, base × 2^(n-1)) = 0.5 × 10, then 0.5 × 20.
    expect(retries.map((r) => [r.attempt, r.reason, r.waitMs])).toEqual([
      [1, `HTTP ${status}`, 5],
      [2, `HTTP ${status}`, 10],
    ]);
  });

  it('caps the back-off ceiling at maxBackoffMs', async () => {
    const { url } = await serve(() => ({ status: 503 }));
    const waits: number[] = [];
    await sendRequest(record(url), {
      ...FAST,
      maxAttempts: 6,
      random: () => 0.999,
      onRetry: (info) => waits.push(info.waitMs),
    });
    expect(waits).toEqual([9, 19, 39, 39, 39]);
  });

  it('retries an attempt that times out and reports the timeout', async () => {
    const { url, accepted } = await serve((_r, attempt) => ({ status: 200, delayMs: attempt === 1 ? 1500 : 0 }));
    const reasons: string[] = [];
    const outcome = await sendRequest(record(url), { ...FAST, onRetry: (info) => reasons.push(info.reason) });
    expect(outcome).toMatchObject({ result: 'delivered', attempts: 2, status: 200 });
    expect(reasons).toEqual(['timed out after 500 ms']);
    expect(accepted).toHaveLength(1);
  });

  it('honours a short Retry-After (seconds) instead of the back-off', async () => {
    const { url } = await serve((_r, attempt) => (attempt === 1 ? { status: 429, retryAfter: '1' } : { status: 200 }));
    const waits: number[] = [];
    const started = Date.now();
    const outcome = await sendRequest(record(url), { ...FAST, onRetry: (info) => waits.push(info.waitMs) });
    expect(outcome).toMatchObject({ result: 'delivered', attempts: 2 });
    expect(waits).toEqual([1000]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });

  it('gives up at once on a Retry-After longer than maxRetryAfterMs', async () => {
    const { url, attempts } = await serve(() => ({ status: 503, retryAfter: '3600' }));
    const outcome = await sendRequest(record(url), FAST);
    expect(outcome).toEqual({
      result: 'failed',
      request: record(url),
      attempts: 1,
      status: 503,
      reason: 'HTTP 503: the server asked to retry in 3600 s, more than the 60 s we wait, after 1 attempt',
    });
    expect(attempts).toHaveLength(1);
  });

  it('does not retry other 4xx statuses', async () => {
    const { url, attempts } = await serve(() => ({ status: 400 }));
    const outcome = await sendRequest(record(url), FAST);
    expect(outcome).toEqual({
      result: 'failed',
      request: record(url),
      attempts: 1,
      status: 400,
      reason: 'HTTP 400, after 1 attempt',
    });
    expect(attempts).toHaveLength(1);
  });
});

describe('sendRequest: failures are reported, never thrown', () => {
  it('reports the last status when every attempt fails', async () => {
    const { url, attempts } = await serve(() => ({ status: 503 }));
    const outcome = await sendRequest(record(url), { ...FAST, maxAttempts: 3 });
    expect(outcome).toEqual({
      result: 'failed',
      request: record(url),
      attempts: 3,
      status: 503,
      reason: 'HTTP 503, after 3 attempts',
    });
    expect(attempts).toHaveLength(3);
  });

  it('reports a refused connection as the socket error, after every attempt', async () => {
    const { url } = await serve();
    await tracker?.close();
    tracker = undefined;
    const outcome = await sendRequest(record(url), { ...FAST, maxAttempts: 2 });
    expect(outcome).toEqual({
      result: 'failed',
      request: record(url),
      attempts: 2,
      reason: 'ECONNREFUSED, after 2 attempts',
    });
  });

  it('stops when the next wait would pass the delivery deadline', async () => {
    const { url } = await serve(() => ({ status: 503 }));
    const outcome = await sendRequest(record(url), {
      ...FAST,
      maxAttempts: 100,
      baseBackoffMs: 200,
      maxBackoffMs: 10_000,
      random: () => 1,
      deadlineMs: 300,
    });
    expect(outcome).toMatchObject({
      result: 'failed',
      attempts: 2,
      reason: 'HTTP 503; no time left in the 300 ms delivery deadline, after 2 attempts',
    });
  });

  it('stops waiting when the signal aborts', async () => {
    const { url } = await serve(() => ({ status: 503 }));
    const controller = new AbortController();
    setTimeout(() => {
      controller.abort();
    }, 50);
    const started = Date.now();
    const outcome = await sendRequest(record(url), {
      ...FAST,
      baseBackoffMs: 10_000,
      maxBackoffMs: 10_000,
      random: () => 1,
      signal: controller.signal,
    });
    expect(outcome).toMatchObject({
      result: 'failed',
      attempts: 1,
      status: 503,
      reason: 'HTTP 503; interrupted, after 1 attempt',
    });
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('sendRequests', () => {
  it('sends in order and reports the requests after a failure as not attempted', async () => {
    const { url, attempts } = await serve((r) => ({ status: r.params.id === '2' ? 400 : 200 }));
    const requests = [record(url, 1), record(url, 2), record(url, 3)];
    const outcomes = await sendRequests(requests, FAST);
    expect(outcomes).toEqual([
      { result: 'delivered', request: requests[0], attempts: 1, status: 200 },
      { result: 'failed', request: requests[1], attempts: 1, status: 400, reason: 'HTTP 400, after 1 attempt' },
      {
        result: 'failed',
        request: requests[2],
        attempts: 0,
        reason: 'not sent: request 2 of the same message failed first',
      },
    ]);
    expect(attempts.map((r) => r.params.id)).toEqual(['1', '2']);
  });
});

describe('sendRequest under a flaky tracker', () => {
  // Request i: 503 on its first attempt when i % 3 = 0, 429 when i % 3 = 1, held past the timeout when i % 5 = 0.
  const flaky: Plan = (r, attempt) => {
    const i = Number(r.params.id);
    if (attempt > 1) return { status: 200 };
    if (i % 5 === 0) return { status: 200, delayMs: 1500 };
    if (i % 3 === 0) return { status: 503 };
    if (i % 3 === 1) return { status: 429 };
    return { status: 200 };
  };
  const ids = Array.from({ length: 60 }, (_, i) => i);

  it('delivers every request exactly once when retries are allowed', async () => {
    const { url, accepted } = await serve(flaky);
    const outcomes = await Promise.all(ids.map((i) => sendRequest(record(url, i), FAST)));
    expect(outcomes.every((o) => o.result === 'delivered')).toBe(true);
    expect(outcomes.map((o) => o.attempts)).toEqual(ids.map((i) => (i % 5 === 0 || i % 3 !== 2 ? 2 : 1)));
    expect(accepted.map((r) => Number(r.params.id)).sort((a, b) => a - b)).toEqual(ids);
    expect(new Set(accepted.map(keyOf)).size).toBe(ids.length);
  });

  it('reports the flaky ones as failed, with their reason, when retries are exhausted', async () => {
    const { url, accepted } = await serve(flaky);
    const outcomes = await Promise.all(ids.map((i) => sendRequest(record(url, i), { ...FAST, maxAttempts: 1 })));
    const expected = ids.map((i) =>
      i % 5 === 0
        ? 'timed out after 500 ms, after 1 attempt'
        : i % 3 === 0
          ? 'HTTP 503, after 1 attempt'
          : i % 3 === 1
            ? 'HTTP 429, after 1 attempt'
            : 'delivered',
    );
    expect(outcomes.map((o) => (o.result === 'failed' ? o.reason : o.result))).toEqual(expected);
    expect(accepted.map((r) => Number(r.params.id)).sort((a, b) => a - b)).toEqual(
      ids.filter((i) => expected[i] === 'delivered'),
    );
  });
});
