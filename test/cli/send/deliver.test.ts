import { deliverRequests, failFast, failureReason } from '../../../src/cli/send/deliver';
import type { Delivery, Failed } from '../../../src/cli/send/deliver';
import type { KissmetricsRequest } from '../../../src/cloud/types';
import { stubFetch } from '../../cloud/stubFetch';

const KEY = 'k'.repeat(40);
const request = (path: string, id: number): KissmetricsRequest => ({
  method: 'GET',
  endpoint: `http://tracker.test${path}`,
  params: { _k: KEY, _p: 'u1', id },
});
const failed = (reason: string, extra: Partial<Failed> = {}): Failed => ({
  result: 'failed',
  request: request('/s', 2),
  attempts: 1,
  reason,
  retryable: true,
  ...extra,
});

describe('deliver stage', () => {
  it.each<[number, number, string]>([
    [1, 1, 'request 1 of 1 (GET /s) failed: HTTP 500, after 1 attempt'],
    [2, 3, 'request 2 of 3 (GET /s) failed: HTTP 500, after 1 attempt; request 1 was delivered'],
    [3, 3, 'request 3 of 3 (GET /s) failed: HTTP 500, after 1 attempt; requests 1-2 were delivered'],
  ])('words request %i of %i failing, and what was delivered before it', (n, total, reason) => {
    expect(failureReason(n - 1, total, failed('HTTP 500, after 1 attempt'))).toBe(reason);
  });

  it('sends the requests of a line in order and stops at the first that fails', async () => {
    const stub = stubFetch((call, attempt) => ({
      status: call.url.includes('id=2') ? 400 : attempt === 1 ? 503 : 200,
    }));
    const requests = [request('/e', 1), request('/s', 2), request('/s', 3)];
    const delivery = await deliverRequests(requests, { fetch: stub.fetch, baseBackoffMs: 1, maxBackoffMs: 1 });
    expect(delivery).toEqual({
      ok: false,
      delivered: 1,
      retries: 1,
      reason: 'request 2 of 3 (GET /s) failed: HTTP 400, after 1 attempt; request 1 was delivered',
      outcome: {
        result: 'failed',
        request: requests[1],
        attempts: 1,
        status: 400,
        reason: 'HTTP 400, after 1 attempt',
        retryable: false,
      },
    });
    expect(stub.calls.map((c) => /id=(\d)/.exec(c.url)?.[1])).toEqual(['1', '1', '2']);
  });

  it('reports a line whose requests all arrived', async () => {
    const stub = stubFetch();
    expect(await deliverRequests([request('/e', 1), request('/s', 2)], { fetch: stub.fetch })).toEqual({
      ok: true,
      delivered: 2,
      retries: 0,
    });
  });

  const failure = (outcome: Failed): Delivery & { ok: false } => ({
    ok: false,
    delivered: 0,
    retries: 0,
    reason: `request 1 of 1 (GET /s) failed: ${outcome.reason}`,
    outcome,
  });

  it.each<[string, Failed, number, string | undefined]>([
    ['one failure', failed('HTTP 500, after 5 attempts'), 1, undefined],
    ['19 in a row', failed('HTTP 500, after 5 attempts'), 19, undefined],
    [
      '20 in a row',
      failed('HTTP 500, after 5 attempts'),
      20,
      'the endpoint keeps failing: 20 lines in a row were not delivered (the last: request 1 of 1 (GET /s) failed: HTTP 500, after 5 attempts)',
    ],
    [
      'a refused connection',
      failed('ECONNREFUSED, after 5 attempts', { error: 'ECONNREFUSED' }),
      1,
      'the endpoint cannot be reached (ECONNREFUSED on line 7, after its retries)',
    ],
    [
      'a certificate no retry cures',
      failed('CERT_HAS_EXPIRED, after 1 attempt', { error: 'CERT_HAS_EXPIRED' }),
      1,
      'the endpoint cannot be reached (CERT_HAS_EXPIRED on line 7, after its retries)',
    ],
    ['a reset connection', failed('ECONNRESET, after 5 attempts', { error: 'ECONNRESET' }), 1, undefined],
  ])('fail fast: %s', (_name, outcome, inARow, message) => {
    expect(failFast(7, inARow, failure(outcome))).toBe(message);
  });
});
