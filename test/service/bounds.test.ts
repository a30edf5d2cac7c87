/**
 * Bounded work per call and no batch lost to one event, over HTTP: every event of a call is answered,
 * an event over a cap or that cannot be handled answers for itself, every other one is answered as if
 * it had come alone, its metadata echoed exactly.
 */
import { request } from 'node:http';
import { MAX_DEPTH_LEVELS_PER_EVENT, MAX_REQUESTS_PER_EVENT, MAX_VALUES_PER_EVENT } from '../../src/service/constants';
import { answerFull, eventTooDeep, eventTooLarge, malformedEvent, tooManyRequests } from '../../src/service/messages';
import { API_KEY, EVERY_TYPE, T, TIMESTAMP, destination, event, get, jsonSize, metadata, statTags } from './fixtures';
import { call } from './http';
import { ok, PROCESSOR, serviceUnderTest } from './running';

const { start, lines } = serviceUnderTest();

/** What an event answers when it comes alone. */
const alone = async (url: string, item: unknown): Promise<unknown[]> =>
  ok(await call(url, 'POST', PROCESSOR, [item])) as unknown[];

const nested = (levels: number): string => '['.repeat(levels) + ']'.repeat(levels);

const track = { type: 'track', event: 'Signed Up', userId: 'u9', timestamp: TIMESTAMP, properties: { plan: 'pro' } };
const signedUp = get('/e', { _k: API_KEY, _p: 'u9', _t: T, _d: '1', _n: 'Signed Up', plan: 'pro' }, 'u9');

describe('one event never fails the call', () => {
  it('answers each hostile event on its own and every other event exactly as if it had come alone', async () => {
    const { url } = await start();
    const huge = 'h'.repeat(5 * 1024 * 1024);
    const odd = JSON.parse('{"jobId": 6, "__proto__": {"x": 1}, "list": [null, 1.5e300, "😀"], "n": 1e-7}') as unknown;
    const items: [string, unknown][] = [
      ['a good event', event(1, track)],
      [
        'metadata with a 5 MB string',
        { message: track, metadata: { ...metadata(2), huge }, destination: destination() },
      ],
      ['a message with a 5 MB property', event(3, { ...track, properties: { note: huge } })],
      ['a message nested 300 levels', event(4, { ...track, properties: { deep: JSON.parse(nested(300)) as unknown } })],
      ['odd metadata', { message: track, metadata: odd, destination: destination() }],
      ['a message that is a number', event(7, 42)],
      ['metadata that is a list', { message: track, metadata: [1, 'two'], destination: destination() }],
      ['a destination that is a string', { message: track, metadata: metadata(8), destination: 'km' }],
      ['a good event again', event(9, track)],
    ];
    const reply = await call(
      url,
      'POST',
      PROCESSOR,
      items.map(([, item]) => item),
    );
    const together = ok(reply) as unknown[];
    const each = [];
    for (const [, item] of items) each.push(...(await alone(url, item)));
    expect(together).toStrictEqual(each);
    expect(together).toHaveLength(items.length);
    expect(together[0]).toEqual({ output: signedUp, metadata: metadata(1), statusCode: 200 });
    expect((together[1] as { metadata: unknown }).metadata).toStrictEqual({ ...metadata(2), huge });
    expect((together[2] as { output: { params: Record<string, string> } }).output.params.note).toBe('h'.repeat(512));
    expect((together[4] as { metadata: unknown }).metadata).toStrictEqual(odd);
  });

  it(`answers an event nested deeper than ${MAX_DEPTH_LEVELS_PER_EVENT} levels 413 on its own, with the top-level fields of its metadata`, async () => {
    const { url } = await start();
    const deepMetadata = `{"message": ${JSON.stringify(track)}, "metadata": {"jobId": 2, "messageId": "m-2", "trace": ${nested(20_000)}}}`;
    const deepMessage = `{"message": {"type": "track", "x": ${nested(MAX_DEPTH_LEVELS_PER_EVENT)}}, "metadata": ${JSON.stringify(metadata(3))}}`;
    const body = `[${JSON.stringify(event(1, track))}, ${deepMetadata}, ${deepMessage}, ${JSON.stringify(event(4, track))}]`;
    const answer = ok(await call(url, 'POST', PROCESSOR, body));
    expect(answer).toEqual([
      { output: signedUp, metadata: metadata(1), statusCode: 200 },
      {
        metadata: { jobId: 2, messageId: 'm-2' },
        statusCode: 413,
        error: eventTooDeep(20_002, MAX_DEPTH_LEVELS_PER_EVENT),
        statTags: statTags('instrumentation', 'processor', {}),
      },
      {
        metadata: metadata(3),
        statusCode: 413,
        error: eventTooDeep(MAX_DEPTH_LEVELS_PER_EVENT + 2, MAX_DEPTH_LEVELS_PER_EVENT),
        statTags: statTags('instrumentation'),
      },
      { output: signedUp, metadata: metadata(4), statusCode: 200 },
    ]);
  });

  it(`answers an event of more than ${MAX_VALUES_PER_EVENT} JSON values 413 on its own, never building it`, async () => {
    const { url } = await start();
    const big = event(2, { ...track, properties: { list: Array(MAX_VALUES_PER_EVENT).fill(0) } });
    const answer = ok(await call(url, 'POST', PROCESSOR, [event(1, track), big]));
    expect(answer).toEqual([
      { output: signedUp, metadata: metadata(1), statusCode: 200 },
      {
        metadata: metadata(2),
        statusCode: 413,
        error: eventTooLarge(jsonSize(big).values, MAX_VALUES_PER_EVENT),
        statTags: statTags('instrumentation'),
      },
    ]);
  });

  it('answers an event that is not JSON 400 on its own, the rest of the list answered', async () => {
    const { url } = await start();
    const body = `[${JSON.stringify(event(1, track))}, {"metadata": {"jobId": 2}, "message": {"type": tracks}}]`;
    const reason = ((): string => {
      try {
        JSON.parse('{"metadata": {"jobId": 2}, "message": {"type": tracks}}');
      } catch (error) {
        return (error as Error).message;
      }
      return '';
    })();
    expect(ok(await call(url, 'POST', PROCESSOR, body))).toEqual([
      { output: signedUp, metadata: metadata(1), statusCode: 200 },
      {
        metadata: { jobId: 2 },
        statusCode: 400,
        error: malformedEvent(reason),
        statTags: statTags('instrumentation', 'processor', {}),
      },
    ]);
  });
});

describe('bounded work per call', () => {
  it(`answers an order that may become more than ${MAX_REQUESTS_PER_EVENT} requests 413, naming the cap and the count`, async () => {
    const { url } = await start();
    const products = Array.from({ length: MAX_REQUESTS_PER_EVENT }, (_, sku) => ({ sku }));
    const order = { ...track, event: 'Order Completed', properties: { products } };
    const answer = ok(await call(url, 'POST', PROCESSOR, [event(1, order), event(2, track)]));
    expect(answer).toEqual([
      {
        metadata: metadata(1),
        statusCode: 413,
        error: tooManyRequests(MAX_REQUESTS_PER_EVENT + 1, MAX_REQUESTS_PER_EVENT),
        statTags: statTags('instrumentation'),
      },
      { output: signedUp, metadata: metadata(2), statusCode: 200 },
    ]);
    expect(lines[0]).toContain(' events=2 requests=1 refused=1 filtered=0 trimmed=0 ');
  });

  it('stops translating once the answer reaches its cap: the events past it are answered 413, each on its own', async () => {
    const one = JSON.stringify({ output: signedUp, metadata: metadata(1), statusCode: 200 });
    const { url } = await start({ maxAnswerBytes: 3 * Buffer.byteLength(one) + 10 });
    const answer = ok(
      await call(
        url,
        'POST',
        PROCESSOR,
        [1, 2, 3, 4, 5].map((jobId) => event(jobId, track)),
      ),
    ) as {
      statusCode: number;
    }[];
    expect(answer.map((entry) => entry.statusCode)).toEqual([200, 200, 200, 413, 413]);
    expect(answer[4]).toEqual({
      metadata: metadata(5),
      statusCode: 413,
      error: answerFull(3 * Buffer.byteLength(one) + 10),
      statTags: statTags('instrumentation'),
    });
  });

  it('writes the answer in pieces as it is encoded (chunked), not as one string built first', async () => {
    const { url } = await start();
    const products = Array.from({ length: 900 }, (_, sku) => ({ sku, name: `product ${sku}` }));
    const order = { ...track, event: 'Order Completed', properties: { products } };
    const chunks: number[] = [];
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = request(`${url}${PROCESSOR}`, { method: 'POST', agent: false }, (res) => {
        expect(res.headers['transfer-encoding']).toBe('chunked');
        res.on('data', (chunk: Buffer) => chunks.push(chunk.length));
        res.on('end', () => {
          resolve(res.statusCode);
        });
      });
      req.on('error', reject);
      req.end(JSON.stringify([1, 2, 3, 4].map((jobId) => event(jobId, order))));
    });
    expect(status).toBe(200);
    expect(chunks.length).toBeGreaterThan(10);
  });

  it('keeps serving after a client leaves in the middle of a long answer', async () => {
    const { url } = await start();
    const products = Array.from({ length: 900 }, (_, sku) => ({ sku, name: `product ${sku}` }));
    const order = { ...track, event: 'Order Completed', properties: { products } };
    await new Promise<void>((resolve) => {
      const req = request(`${url}${PROCESSOR}`, { method: 'POST', agent: false }, (res) => {
        res.once('data', () => {
          res.destroy();
          resolve();
        });
      });
      req.on('error', () => undefined);
      req.end(JSON.stringify(Array.from({ length: 200 }, (_, jobId) => event(jobId, order))));
    });
    expect(ok(await call(url, 'POST', PROCESSOR, [event(1, track)]))).toEqual([
      { output: signedUp, metadata: metadata(1), statusCode: 200 },
    ]);
  });
});

describe('what rudder-server sends', () => {
  it.each(['Track', 'TRACK', 'IDENTIFY', 'Page', 'sCrEeN', 'Alias', 'GROUP'])(
    'translates type %j like its lower case',
    async (type) => {
      const { url } = await start();
      const example = EVERY_TYPE.find(({ message }) => message.type === type.toLowerCase());
      if (!example) throw new Error(`no example of ${type}`);
      const answer = ok(await call(url, 'POST', PROCESSOR, [event(1, { ...example.message, type }, example.config)]));
      expect(answer).toEqual(example.requests.map((output) => ({ output, metadata: metadata(1), statusCode: 200 })));
    },
  );

  it('never writes an API key, even a near-valid one, into an answer or a log line', async () => {
    const { url } = await start();
    const nearlyKey = `${API_KEY}!`;
    const reply = await call(url, 'POST', PROCESSOR, [event(1, track, { apiKey: nearlyKey })]);
    const router = await call(url, 'POST', '/routerTransform', {
      input: [{ message: track, metadata: { jobId: 2 }, destination: { Config: { apiKey: ' ' + API_KEY } } }],
      destType: 'kissmetrics',
    });
    for (const text of [reply.text.replace(/"destination":.*$/, ''), lines.join('\n')])
      expect(text).not.toContain(API_KEY.slice(0, 12));
    expect(JSON.stringify((router.json as { output: { error: string }[] }).output[0]?.error)).not.toContain(
      API_KEY.slice(0, 12),
    );
  });
});
