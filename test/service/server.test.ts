import { request } from 'node:http';
import { missingPerson } from '../../src/cloud/messages';
import { notAMessage, unsupportedType } from '../../src/rules/messages';
import { invalidDestinationApiKey } from '../../src/service/messages';
import { FEATURES, MAX_BODY_BYTES, MAX_EVENTS_PER_CALL, STATUS_FILTERED } from '../../src/service/constants';
import {
  bodyTooLarge,
  internalError,
  malformedJson,
  methodNotAllowed,
  notAnEvent,
  notAnEventList,
  notARouterCall,
  nothingToSend,
  otherDestination,
  tooManyEvents,
  unknownPath,
} from '../../src/service/messages';
import {
  API_KEY,
  EVERY_TYPE,
  NOW_MS,
  T,
  TIMESTAMP,
  destination,
  event,
  get,
  metadata,
  post,
  statTags,
} from './fixtures';
import { call, openCall, rawExchange, readReply, tryConnect } from './http';
import type { Reply } from './http';
import { ok, PROCESSOR, serviceUnderTest } from './running';

const { start, lines } = serviceUnderTest();

describe('GET /features and /health', () => {
  it('answers the features rudder-server needs to start its processor, with no router transform', async () => {
    const { url } = await start();
    const reply = await call(url, 'GET', '/features');
    expect(ok(reply)).toEqual({
      routerTransform: {},
      supportSourceTransformV1: true,
      upgradedToSourceTransformV2: true,
    });
    expect(reply.json).toEqual(FEATURES);
    expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it.each(['//health', '/health/', '//features/'])(
    'answers GET %s like its path without extra slashes',
    async (path) => {
      const { url } = await start();
      expect((await call(url, 'GET', path)).status).toBe(200);
    },
  );

  it('answers /health with 200 and does not log a healthy probe', async () => {
    const { url } = await start();
    expect(ok(await call(url, 'GET', '/health'))).toEqual({ status: 'ok' });
    const head = await call(url, 'HEAD', '/health');
    expect([head.status, head.headers.apiversion, head.text]).toEqual([200, '2', '']);
    expect(lines).toEqual([]);
  });

  it('answers HEAD /features like GET, without a body', async () => {
    const { url } = await start();
    const head = await call(url, 'HEAD', '/features');
    expect([head.status, head.headers.apiversion, head.headers['content-type'], head.text]).toEqual([
      200,
      '2',
      'application/json; charset=utf-8',
      '',
    ]);
  });

  it.each([
    ['GET', '/health'],
    ['GET', '/features'],
    ['POST', PROCESSOR],
    ['POST', '/routerTransform'],
  ])('every 200 carries the header apiVersion: 2 (%s %s)', async (method, path) => {
    const { url } = await start();
    const body = method === 'POST' ? (path === PROCESSOR ? [] : { input: [], destType: 'kissmetrics' }) : undefined;
    const reply = await call(url, method, path, body);
    expect(reply.status).toBe(200);
    expect(reply.headers.apiversion).toBe('2');
  });
});

describe('POST /v0/destinations/kissmetrics', () => {
  it.each([
    ['a trailing slash (DEST_TRANSFORM_URL ending in /)', '//v0/destinations/kissmetrics'],
    ['doubled slashes and a trailing one', '/v0//destinations/kissmetrics/'],
  ])('is reached through %s', async (_name, path) => {
    const { url } = await start();
    const answer = ok(await call(url, 'POST', path, [event(7, EVERY_TYPE[4]?.message)]));
    expect(answer).toEqual([{ output: EVERY_TYPE[4]?.requests[0], metadata: metadata(7), statusCode: 200 }]);
  });

  it.each(EVERY_TYPE)('$name', async ({ message, config, requests }) => {
    const { url } = await start();
    const answer = ok(await call(url, 'POST', PROCESSOR, [event(7, message, config)]));
    expect(answer).toEqual(requests.map((output) => ({ output, metadata: metadata(7), statusCode: 200 })));
  });

  it('answers every event of a mixed batch: good events translated, bad ones refused alone, in input order', async () => {
    const { url } = await start();
    const track = { type: 'track', event: 'Signed Up', userId: 'u9', timestamp: TIMESTAMP, properties: { plan: 7 } };
    const onlyUserId = { type: 'identify', userId: 'u9', timestamp: TIMESTAMP };
    const body = [
      event(1, track),
      event(2, track, {}),
      event(3, { type: 'reset', userId: 'u9' }),
      event(4, { type: 'track', event: 'Nobody', timestamp: TIMESTAMP }),
      event(5, 'hello'),
      7,
      event(6, onlyUserId),
      event(8, { type: 'alias', userId: 'u9', previousId: 'anon-9', timestamp: TIMESTAMP }),
    ];
    const reply = await call(url, 'POST', PROCESSOR, body);
    expect(ok(reply)).toEqual([
      {
        output: get('/e', { _k: API_KEY, _p: 'u9', _t: T, _d: '1', _n: 'Signed Up', plan: '7' }, 'u9'),
        metadata: metadata(1),
        statusCode: 200,
      },
      {
        metadata: metadata(2),
        statusCode: 400,
        error: invalidDestinationApiKey(undefined),
        statTags: statTags('configuration'),
      },
      {
        metadata: metadata(3),
        statusCode: 400,
        error: unsupportedType('reset'),
        statTags: statTags('instrumentation'),
      },
      {
        metadata: metadata(4),
        statusCode: 400,
        error: missingPerson('track'),
        statTags: statTags('instrumentation'),
      },
      {
        metadata: metadata(5),
        statusCode: 400,
        error: notAMessage('hello'),
        statTags: statTags('instrumentation'),
      },
      { metadata: {}, statusCode: 400, error: notAnEvent(7), statTags: statTags('instrumentation', 'processor', {}) },
      {
        metadata: metadata(6),
        statusCode: STATUS_FILTERED,
        error: nothingToSend('identify'),
        statTags: statTags('filtered'),
      },
      {
        output: get('/a', { _k: API_KEY, _p: 'anon-9', _t: T, _d: '1', _n: 'u9' }, 'u9'),
        metadata: metadata(8),
        statusCode: 200,
      },
    ]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^2030-01-01T00:00:00\.000Z POST \/v0\/destinations\/kissmetrics status=200 events=8 requests=2 refused=5 filtered=1 trimmed=0 ms=\d+$/,
    );
  });

  it('writes every params value as a string, so rudder-server never formats a number as 1.579847342e+09', async () => {
    const { url } = await start();
    const message = {
      type: 'track',
      event: 'Big Numbers',
      userId: 'u1',
      timestamp: TIMESTAMP,
      properties: { amount: 1579847342, ratio: 0.5, paid: true, count: 0 },
    };
    const [entry] = ok(await call(url, 'POST', PROCESSOR, [event(1, message)])) as { output: { params: unknown } }[];
    expect(entry?.output.params).toStrictEqual({
      _k: API_KEY,
      _p: 'u1',
      _t: '1579847342',
      _d: '1',
      _n: 'Big Numbers',
      amount: '1579847342',
      ratio: '0.5',
      paid: 'true',
      count: '0',
    });
  });

  it('sends an event whose URL would pass 2,048 characters as POST with its fields in body.FORM', async () => {
    const { url } = await start();
    const long = 'x'.repeat(500);
    const properties = { a: long, b: long, c: long, d: long, e: long };
    const message = { type: 'track', event: 'Long', userId: 'u1', timestamp: TIMESTAMP, properties };
    const answer = ok(await call(url, 'POST', PROCESSOR, [event(3, message)]));
    expect(answer).toEqual([
      {
        output: post('/e', { _k: API_KEY, _p: 'u1', _t: T, _d: '1', _n: 'Long', ...properties }, 'u1'),
        metadata: metadata(3),
        statusCode: 200,
      },
    ]);
  });

  it('measures the URL as rudder-server escapes it: 1,500 "!" are 4,500 characters for Go, so POST', async () => {
    const { url } = await start();
    const bangs = '!'.repeat(500);
    const properties = { a: bangs, b: bangs, c: bangs };
    const message = { type: 'track', event: 'Bangs', userId: 'u1', timestamp: TIMESTAMP, properties };
    const answer = ok(await call(url, 'POST', PROCESSOR, [event(3, message)]));
    expect(answer).toEqual([
      {
        output: post('/e', { _k: API_KEY, _p: 'u1', _t: T, _d: '1', _n: 'Bangs', ...properties }, 'u1'),
        metadata: metadata(3),
        statusCode: 200,
      },
    ]);
  });

  it('echoes metadata exactly as it came, unknown fields, nulls and nesting included, on success and on error', async () => {
    const { url } = await start();
    const odd = metadata(11, {
      traceparent: '00-abc-def-01',
      recordId: 987654321,
      futureField: { nested: [1, { deep: null }], flag: false },
      sourceJobRunId: '',
    });
    const good = { message: EVERY_TYPE[4]?.message, metadata: odd, destination: destination() };
    const bad = { message: { type: 'nope' }, metadata: odd, destination: destination() };
    const [first, second] = ok(await call(url, 'POST', PROCESSOR, [good, bad])) as { metadata: unknown }[];
    expect(first?.metadata).toStrictEqual(odd);
    expect(second?.metadata).toStrictEqual(odd);
  });

  it('reads the compacted payload rudder-server sends when the transformer advertises it', async () => {
    const { url } = await start();
    const compacted = {
      input: [
        { message: EVERY_TYPE[4]?.message, metadata: metadata(21, { destinationId: 'dest-a' }) },
        { message: EVERY_TYPE[4]?.message, metadata: metadata(22, { destinationId: 'dest-b' }) },
        { message: EVERY_TYPE[4]?.message, metadata: metadata(23, { destinationId: '__proto__' }) },
      ],
      destinations: {
        'dest-a': destination({ apiKey: API_KEY }),
        'dest-b': destination({ apiKey: 'other-key' }),
      },
      connections: {},
    };
    const answer = ok(await call(url, 'POST', PROCESSOR, compacted, { 'x-content-format': 'json+compactedv1' }));
    expect(answer).toEqual([
      {
        output: get('/a', { _k: API_KEY, _p: 'anon-1', _t: T, _d: '1', _n: 'u1' }, 'u1'),
        metadata: metadata(21, { destinationId: 'dest-a' }),
        statusCode: 200,
      },
      {
        output: get('/a', { _k: 'other-key', _p: 'anon-1', _t: T, _d: '1', _n: 'u1' }, 'u1'),
        metadata: metadata(22, { destinationId: 'dest-b' }),
        statusCode: 200,
      },
      {
        metadata: metadata(23, { destinationId: '__proto__' }),
        statusCode: 400,
        error: invalidDestinationApiKey(undefined),
        statTags: statTags('configuration', 'processor', { destinationId: '__proto__', workspaceId: 'ws-1' }),
      },
    ]);
  });

  it('logs one line per call with counts only: never the API key, ids or property values', async () => {
    const { url } = await start();
    await call(
      url,
      'POST',
      PROCESSOR,
      EVERY_TYPE.map(({ message, config }, i) => event(i, message, config)),
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^2030-01-01T00:00:00\.000Z POST \/v0\/destinations\/kissmetrics status=200 events=6 requests=9 refused=0 filtered=0 trimmed=0 ms=\d+$/,
    );
    for (const secret of [API_KEY, 'Tintin', 'u1', 'anon-1', 'Order Completed', 'msg-0'])
      expect(lines[0]).not.toContain(secret);
  });

  it('counts events that had values left out or cut (limits of the rules) in the log line', async () => {
    const { url } = await start();
    const message = {
      type: 'track',
      event: 'Cut',
      userId: 'u1',
      timestamp: TIMESTAMP,
      properties: { v: 'y'.repeat(600) },
    };
    const answer = ok(await call(url, 'POST', PROCESSOR, [event(1, message)]));
    const params = { _k: API_KEY, _p: 'u1', _t: T, _d: '1', _n: 'Cut', v: 'y'.repeat(512) };
    expect(answer).toEqual([{ output: get('/e', params, 'u1'), metadata: metadata(1), statusCode: 200 }]);
    expect(lines[0]).toContain(' events=1 requests=1 refused=0 filtered=0 trimmed=1 ');
  });
});

describe('POST /routerTransform', () => {
  it('answers one output per job, its requests as an array in sending order, every jobId exactly once', async () => {
    const { url } = await start();
    const order = EVERY_TYPE[1];
    const input = [
      {
        message: order?.message,
        metadata: { jobId: 31, userId: 'u1', attemptNum: 0 },
        destination: destination(order?.config),
      },
      { message: EVERY_TYPE[0]?.message, metadata: { jobId: 32, userId: 'u1' }, destination: destination({}) },
      {
        message: { type: 'identify', userId: 'u1', timestamp: TIMESTAMP },
        metadata: { jobId: 33 },
        destination: destination(),
      },
      { message: EVERY_TYPE[5]?.message, metadata: { jobId: 34, dontBatch: false }, destination: destination() },
    ];
    const answer = ok(await call(url, 'POST', '/routerTransform', { input, destType: 'kissmetrics' })) as {
      output: { metadata: { jobId: number }[] }[];
    };
    expect(answer).toEqual({
      output: [
        {
          batchedRequest: order?.requests,
          metadata: [{ jobId: 31, userId: 'u1', attemptNum: 0 }],
          batched: false,
          statusCode: 200,
          destination: destination(order?.config),
        },
        {
          metadata: [{ jobId: 32, userId: 'u1' }],
          batched: false,
          statusCode: 400,
          destination: destination({}),
          error: invalidDestinationApiKey(undefined),
          statTags: statTags('configuration', 'router', {}),
        },
        {
          metadata: [{ jobId: 33 }],
          batched: false,
          statusCode: STATUS_FILTERED,
          destination: destination(),
          error: nothingToSend('identify'),
          statTags: statTags('filtered', 'router', {}),
        },
        {
          batchedRequest: EVERY_TYPE[5]?.requests,
          metadata: [{ jobId: 34, dontBatch: false }],
          batched: false,
          statusCode: 200,
          destination: destination(),
        },
      ],
    });
    const jobIds = answer.output.flatMap((entry) => entry.metadata.map((m) => m.jobId));
    expect(jobIds.sort()).toEqual([31, 32, 33, 34]);
  });

  it('takes the destination from a compacted router payload, by its own id only', async () => {
    const { url } = await start();
    const body = {
      input: [
        { message: EVERY_TYPE[4]?.message, metadata: { jobId: 41, destinationId: 'dest-a' } },
        { message: EVERY_TYPE[4]?.message, metadata: { jobId: 42, destinationId: 'constructor' } },
      ],
      destType: 'kissmetrics',
      destinations: { 'dest-a': destination() },
      connections: {},
    };
    expect(ok(await call(url, 'POST', '/routerTransform', body))).toEqual({
      output: [
        {
          batchedRequest: EVERY_TYPE[4]?.requests,
          metadata: [{ jobId: 41, destinationId: 'dest-a' }],
          batched: false,
          statusCode: 200,
          destination: destination(),
        },
        {
          metadata: [{ jobId: 42, destinationId: 'constructor' }],
          batched: false,
          statusCode: 400,
          destination: {},
          error: invalidDestinationApiKey(undefined),
          statTags: statTags('configuration', 'router', { destinationId: 'constructor' }),
        },
      ],
    });
  });

  it('refuses another destType with 404 and a JSON error', async () => {
    const { url } = await start();
    const reply = await call(url, 'POST', '/routerTransform/', { input: [], destType: 'hs' });
    expect([reply.status, reply.json]).toEqual([404, { error: otherDestination('hs') }]);
  });

  it('refuses a body that is not {input: [...]} with 400', async () => {
    const { url } = await start();
    const reply = await call(url, 'POST', '/routerTransform', [1, 2]);
    expect([reply.status, reply.json]).toEqual([400, { error: notARouterCall([1, 2]) }]);
  });
});

describe('what is refused', () => {
  it('answers 404 with a JSON error for another destination, whatever the method', async () => {
    const { url } = await start();
    const reply = await call(url, 'POST', '/v0/destinations/mixpanel', []);
    expect([reply.status, reply.headers['content-type'], reply.json]).toEqual([
      404,
      'application/json; charset=utf-8',
      { error: otherDestination('mixpanel') },
    ]);
    expect((await call(url, 'GET', '/v0/destinations/am')).status).toBe(404);
  });

  it('answers 404 for an unknown path', async () => {
    const { url } = await start();
    const reply = await call(url, 'GET', '/v1/destinations/kissmetrics');
    expect([reply.status, reply.json]).toEqual([404, { error: unknownPath('/v1/destinations/kissmetrics') }]);
  });

  it.each([
    ['GET', PROCESSOR, ['POST']],
    ['PUT', '/routerTransform', ['POST']],
    ['POST', '/features', ['GET', 'HEAD']],
    ['DELETE', '/health', ['GET', 'HEAD']],
  ])('answers %s %s with 405, an Allow header and a JSON error', async (method, path, allowed) => {
    const { url } = await start();
    const reply = await call(url, method, path);
    expect([reply.status, reply.headers.allow, reply.json]).toEqual([
      405,
      allowed.join(', '),
      { error: methodNotAllowed(method, allowed) },
    ]);
  });

  it('answers a malformed JSON body with 400 and a JSON error', async () => {
    const { url } = await start();
    const text = '[{"message": {"type": "track"';
    const reason = ((): string => {
      try {
        JSON.parse(text);
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    const reply = await call(url, 'POST', PROCESSOR, text);
    expect([reply.status, reply.json]).toEqual([400, { error: malformedJson(reason) }]);
  });

  it('answers a JSON body that is not a list of events with 400', async () => {
    const { url } = await start();
    const reply = await call(url, 'POST', PROCESSOR, { message: {} });
    expect([reply.status, reply.json]).toEqual([400, { error: notAnEventList({ message: {} }) }]);
  });

  it(`answers more than ${MAX_EVENTS_PER_CALL} events in one call with 413, translating none`, async () => {
    const { url } = await start();
    const body = Array.from({ length: MAX_EVENTS_PER_CALL + 1 }, (_, i) => event(i, EVERY_TYPE[4]?.message));
    const reply = await call(url, 'POST', PROCESSOR, body);
    expect([reply.status, reply.json]).toEqual([
      413,
      { error: tooManyEvents(MAX_EVENTS_PER_CALL + 1, MAX_EVENTS_PER_CALL) },
    ]);
    expect(ok(await call(url, 'POST', PROCESSOR, body.slice(1)))).toHaveLength(MAX_EVENTS_PER_CALL);
  });

  it('answers a declared Content-Length over the default limit with 413 before reading the body', async () => {
    const { port } = await start();
    const answer = await rawExchange(
      port,
      `POST ${PROCESSOR} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${MAX_BODY_BYTES + 1}\r\n\r\n[`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 413 Payload Too Large\r\n/);
    expect(answer).toContain('\r\nconnection: close\r\n');
    expect(answer.slice(answer.indexOf('\r\n\r\n') + 4)).toBe(JSON.stringify({ error: bodyTooLarge(MAX_BODY_BYTES) }));
  });

  it('answers a streamed body that grows past the limit with 413, and keeps serving', async () => {
    const { url } = await start({ maxBodyBytes: 1024 });
    const reply = await new Promise<Reply>((resolve, reject) => {
      // No Content-Length: the body is chunked and only its size tells.
      const req = request(`${url}${PROCESSOR}`, { method: 'POST', agent: false });
      req.on('response', (res) => {
        readReply(res).then(resolve, reject);
      });
      // Writes after the answer may fail once the server closes the connection: that is expected.
      req.on('error', () => undefined);
      req.write(`[${'"padding",'.repeat(200)}`);
      req.write('"more"]');
    });
    expect([reply.status, reply.json]).toEqual([413, { error: bodyTooLarge(1024) }]);
    expect(ok(await call(url, 'POST', PROCESSOR, [event(1, EVERY_TYPE[4]?.message)]))).toHaveLength(1);
  });
});

describe('a failure of our own', () => {
  it('answers 500 with a JSON error (rudder-server retries the call) and keeps serving', async () => {
    let calls = 0;
    const { url } = await start({
      // The only thing a test can make fail inside a call: the clock, once.
      clock: () => {
        if (calls++ === 0) throw new Error('clock unavailable');
        return NOW_MS;
      },
    });
    const reply = await call(url, 'POST', PROCESSOR, [event(1, EVERY_TYPE[4]?.message)]);
    expect([reply.status, reply.headers.apiversion, reply.json]).toEqual([500, '2', { error: internalError() }]);
    expect(lines).toEqual([expect.stringMatching(/ POST \/v0\/destinations\/kissmetrics status=500 ms=\d+$/)]);
    expect(ok(await call(url, 'POST', PROCESSOR, [event(1, EVERY_TYPE[4]?.message)]))).toHaveLength(1);
  });
});

describe('shutdown', () => {
  it('stops accepting, answers the call in flight with Connection: close, then resolves', async () => {
    const running = await start();
    const inFlight = openCall(running.url, PROCESSOR, `[${JSON.stringify(event(1, EVERY_TYPE[4]?.message))}`);
    await inFlight.started;
    expect(running.inFlight()).toBe(1);
    let settled = false;
    const closed = running.close().finally(() => (settled = true));
    expect(await tryConnect(running.port)).toBe('ECONNREFUSED');
    // Still open: the call in flight holds it (a whole connection round trip later, so not by timing).
    expect(settled).toBe(false);
    inFlight.finish(']');
    const reply = await inFlight.reply;
    expect(ok(reply)).toEqual([{ output: EVERY_TYPE[4]?.requests[0], metadata: metadata(1), statusCode: 200 }]);
    expect(reply.headers.connection).toBe('close');
    expect(await closed).toEqual({ answered: 1, uploadsCut: 0, callsCut: 0 });
    expect(running.inFlight()).toBe(0);
  });

  it('cuts a call it has read but could not answer by the deadline (a client that stopped reading), and says so', async () => {
    const running = await start({ shutdownDeadlineMs: 500 });
    const products = Array.from({ length: 900 }, (_, sku) => ({ sku, name: `product ${sku}` }));
    const order = {
      type: 'track',
      event: 'Order Completed',
      userId: 'u1',
      timestamp: TIMESTAMP,
      properties: { products },
    };
    // Never read: the service fills the connection, then waits for room that never comes.
    const req = request(`${running.url}${PROCESSOR}`, { method: 'POST', agent: false });
    req.on('error', () => undefined);
    // Its answer has begun: the call has been read.
    const answering = new Promise<void>((resolve) =>
      req.on('response', (res) => {
        res.pause();
        resolve();
      }),
    );
    req.end(JSON.stringify(Array.from({ length: 100 }, (_, jobId) => event(jobId, order))));
    await answering;
    expect(await running.close()).toEqual({ answered: 0, uploadsCut: 0, callsCut: 1 });
    expect(lines).toEqual([expect.stringMatching(/ POST \/v0\/destinations\/kissmetrics status=aborted ms=\d+$/)]);
    req.destroy();
  });

  it('cuts a call whose body is still arriving when the upload grace ends, and says so', async () => {
    const running = await start({ uploadGraceMs: 300 });
    const stalled = openCall(running.url, PROCESSOR, '[');
    await stalled.started;
    const outcome = stalled.reply.then(
      (reply) => `answered ${reply.status}`,
      (error: unknown) => (error as NodeJS.ErrnoException).code,
    );
    expect(await running.close()).toEqual({ answered: 0, uploadsCut: 1, callsCut: 0 });
    expect(await outcome).toBe('ECONNRESET');
  });
});
