import { deliverLine, deliveredList, failFast, failureReason, skipOf } from '../../../src/cli/send/deliver';
import { requestId } from '../../../src/cli/send/translate';
import type { Failed, LineDelivery } from '../../../src/cli/send/deliver';
import type { KissmetricsRequest } from '../../../src/cloud/types';
import { stubFetch } from '../../cloud/stubFetch';
import type { StubPlan } from '../../cloud/stubFetch';

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
const idOf = (url: string): string => /id=(\d)/.exec(url)?.[1] ?? '?';

describe('deliver stage: the reason of a line not delivered', () => {
  it.each<[number, number, number[], string]>([
    [1, 1, [], 'request 1 of 1 (GET /s) failed: HTTP 500, after 1 attempt'],
    [2, 3, [0], 'request 2 of 3 (GET /s) failed: HTTP 500, after 1 attempt; request 1 was delivered'],
    [3, 3, [0, 1], 'request 3 of 3 (GET /s) failed: HTTP 500, after 1 attempt; requests 1-2 were delivered'],
    [2, 4, [0, 2], 'request 2 of 4 (GET /s) failed: HTTP 500, after 1 attempt; requests 1, 3 were delivered'],
  ])('request %i of %i failing, after %j', (n, total, delivered, reason) => {
    expect(failureReason(n - 1, total, failed('HTTP 500, after 1 attempt'), delivered)).toBe(reason);
  });
});

describe('deliver stage: a line, request by request', () => {
  const LIMITS = { baseBackoffMs: 1, maxBackoffMs: 1 };

  /** Delivers a line of three requests; says what the journal was asked to make durable, in order with the sends. */
  const run = async (plan: StubPlan, over: Partial<LineDelivery> = {}, maxAttempts = 5) => {
    const stub = stubFetch(plan);
    const events: string[] = [];
    const fetchLogged = ((url: string, init: RequestInit) => {
      events.push(`send ${idOf(url)}`);
      return stub.fetch(url, init);
    }) as typeof fetch;
    const delivery = await deliverLine({
      requests: [request('/e', 1), request('/s', 2), request('/s', 3)],
      skip: new Set(),
      options: { ...LIMITS, maxAttempts, fetch: fetchLogged },
      acknowledged: (count) => {
        events.push(`durable ${count}`);
        return Promise.resolve();
      },
      stopping: () => false,
      ...over,
    });
    return { delivery, events };
  };

  it('makes each acknowledged request durable before it sends the next; the last is the line record', async () => {
    expect(await run(() => ({ status: 200 }))).toEqual({
      delivery: { kind: 'sent', delivered: [0, 1, 2], retries: 0 },
      events: ['send 1', 'durable 1', 'send 2', 'durable 2', 'send 3'],
    });
  });

  it('skips the requests delivered before, and counts them in what it makes durable', async () => {
    expect(await run(() => ({ status: 200 }), { skip: new Set([0, 1]) })).toEqual({
      delivery: { kind: 'sent', delivered: [2], retries: 0 },
      events: ['send 3'],
    });
    expect(await run(() => ({ status: 200 }), { skip: new Set([0]) })).toEqual({
      delivery: { kind: 'sent', delivered: [1, 2], retries: 0 },
      events: ['send 2', 'durable 2', 'send 3'],
    });
  });

  it('stops at the first request that fails, with its outcome and the retries made', async () => {
    const { delivery, events } = await run((call, attempt) => ({
      status: idOf(call.url) === '2' ? 400 : attempt === 1 ? 503 : 200,
    }));
    expect(delivery).toEqual({
      kind: 'failed',
      delivered: [0],
      retries: 1,
      index: 1,
      outcome: {
        result: 'failed',
        request: request('/s', 2),
        attempts: 1,
        status: 400,
        reason: 'HTTP 400, after 1 attempt',
        retryable: false,
      },
    });
    expect(events).toEqual(['send 1', 'send 1', 'durable 1', 'send 2']);
  });

  it('starts no request once the run is stopping; what was acknowledged stays acknowledged', async () => {
    let stopping = false;
    const { delivery, events } = await run(() => ({ status: 200 }), {
      acknowledged: () => {
        stopping = true;
        return Promise.resolve();
      },
      stopping: () => stopping,
    });
    expect(delivery).toEqual({ kind: 'stopped', delivered: [0], retries: 0 });
    expect(events).toEqual(['send 1']);
  });

  it('leaves for the resume a request whose retryable failure the stop cut short', async () => {
    let stopping = false;
    const { delivery } = await run(
      (call) => {
        if (idOf(call.url) === '2') stopping = true;
        return { status: idOf(call.url) === '2' ? 503 : 200 };
      },
      { stopping: () => stopping },
      1,
    );
    expect(delivery).toEqual({ kind: 'stopped', delivered: [0], retries: 0 });
  });
});

describe('deliver stage: fail fast', () => {
  it.each<[string, Failed, number, string | undefined]>([
    ['one failure', failed('HTTP 500, after 5 attempts'), 1, undefined],
    ['19 in a row', failed('HTTP 500, after 5 attempts'), 19, undefined],
    [
      '20 in a row',
      failed('HTTP 500, after 5 attempts'),
      20,
      'the endpoint keeps failing: 20 lines in a row were not delivered (the last: line 7 failed)',
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
  ])('%s', (_name, outcome, inARow, message) => {
    expect(failFast(7, inARow, outcome, 'line 7 failed')).toBe(message);
  });
});

describe('deliver stage: requests delivered before', () => {
  const requests = [request('/e', 1), request('/s', 2), request('/s', 3)];
  const listed = (indexes: number[]) => deliveredList(requests, indexes);

  it('lists the requests delivered as the reasons file says them: number, path, id', () => {
    expect(listed([0, 2])).toEqual([
      { request: 1, path: '/e', id: requestId(requests[0] ?? request('/e', 1), 0) },
      { request: 3, path: '/s', id: requestId(requests[2] ?? request('/s', 3), 2) },
    ]);
  });

  it.each<[string, number, number[], number[]]>([
    ['nothing delivered before', 0, [], []],
    ['the first two, by an earlier run of the journal', 2, [], [0, 1]],
    ['those a replayed reasons file lists', 0, [0, 2], [0, 2]],
    ['both', 1, [2], [0, 2]],
  ])('skips %s', (_name, delivered, replayed, skipped) => {
    const origin = { line: 9, delivered: listed(replayed) };
    expect([...skipOf(requests, delivered, origin)].sort()).toEqual(skipped);
  });

  it('sends again a request the reasons file lists when the line no longer makes it', () => {
    const origin = { line: 9, delivered: listed([1]) };
    const edited = [request('/e', 1), request('/s', 20), request('/s', 3)];
    expect([...skipOf(edited, 0, origin)]).toEqual([]);
  });
});
