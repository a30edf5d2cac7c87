import { encodeParams, requestUrl, toKissmetricsRequests } from '../../src/cloud';
import { requestsFor } from '../../src/cloud/requests';
import type { CloudConfig, KissmetricsRequest } from '../../src/cloud';
import { translateMessage } from '../../src/rules/mapping';
import { thrown } from '../thrown';
import { invalidApiKey } from '../../src/rules/messages';
import { newBudget } from '../../src/rules/properties';
import type { KmProperties } from '../../src/rules/types';

const KEY = 'a'.repeat(40);
const config: CloudConfig = { apiKey: KEY };
const NOW_MS = Date.UTC(2030, 0, 1);
const NOW_S = NOW_MS / 1000;
/** 2024-03-01T12:00:00Z */
const T = 1709294400;
const TIMESTAMP = '2024-03-01T12:00:00.000Z';

const get = (path: string, params: KissmetricsRequest['params']): KissmetricsRequest => ({
  method: 'GET',
  endpoint: `https://trk.kissmetrics.io${path}`,
  params,
});

const requests = (message: Record<string, unknown>, extra: Partial<CloudConfig> = {}): KissmetricsRequest[] =>
  requestsFor(message, { ...config, ...extra }, NOW_MS);

describe('toKissmetricsRequests: one request per device-mode command', () => {
  it.each<[string, Record<string, unknown>, KissmetricsRequest[]]>([
    [
      'identify with userId, anonymousId and traits: /a from the anonymous id, then /s',
      {
        type: 'identify',
        userId: 'u1',
        anonymousId: 'anon-1',
        timestamp: TIMESTAMP,
        traits: { name: 'Tintin', address: { city: 'Brussels' } },
      },
      [
        get('/a', { _k: KEY, _p: 'anon-1', _t: T, _d: 1, _n: 'u1' }),
        get('/s', { _k: KEY, _p: 'u1', _t: T, _d: 1, name: 'Tintin', 'address.city': 'Brussels' }),
      ],
    ],
    [
      'identify merges context.traits and traits, top-level traits winning, as device mode does',
      {
        type: 'identify',
        userId: 'u1',
        timestamp: TIMESTAMP,
        context: { traits: { plan: 'pro', email: 'a@b.c' } },
        traits: { plan: 'free' },
      },
      [get('/s', { _k: KEY, _p: 'u1', _t: T, _d: 1, plan: 'free', email: 'a@b.c' })],
    ],
    [
      'identify of an anonymous visitor: /s on the anonymous id, no /a',
      { type: 'identify', anonymousId: 'anon-1', timestamp: TIMESTAMP, traits: { email: 'a@b.c' } },
      [get('/s', { _k: KEY, _p: 'anon-1', _t: T, _d: 1, email: 'a@b.c' })],
    ],
    [
      'identify whose anonymousId equals userId: no /a to itself',
      { type: 'identify', userId: 'u1', anonymousId: 'u1', timestamp: TIMESTAMP, traits: { a: 1 } },
      [get('/s', { _k: KEY, _p: 'u1', _t: T, _d: 1, a: 1 })],
    ],
    ['identify with only a userId: nothing to send', { type: 'identify', userId: 'u1', timestamp: TIMESTAMP }, []],
    [
      'track: /e with _n and the record properties (revenue rule included)',
      {
        type: 'track',
        event: 'Signed Up',
        userId: 'u1',
        timestamp: TIMESTAMP,
        properties: { plan: { name: 'pro' }, revenue: '$1,299.99' },
      },
      [
        get('/e', {
          _k: KEY,
          _p: 'u1',
          _t: T,
          _d: 1,
          _n: 'Signed Up',
          'plan.name': 'pro',
          revenue: 1299.99,
          'Billing Amount': 1299.99,
        }),
      ],
    ],
    [
      'track with products: /e, then one /s per product with _t = T + i and _d = 1',
      {
        type: 'track',
        event: 'Order Completed',
        userId: 'u1',
        timestamp: TIMESTAMP,
        properties: { order_id: 'o1', total: 30, products: [{ sku: 'a', price: 10 }, {}, { sku: 'c', price: 20 }] },
      },
      [
        get('/e', {
          _k: KEY,
          _p: 'u1',
          _t: T,
          _d: 1,
          _n: 'Order Completed',
          order_id: 'o1',
          total: 30,
          revenue: 30,
          'Billing Amount': 30,
        }),
        get('/s', { _k: KEY, _p: 'u1', _t: T, _d: 1, sku: 'a', price: 10 }),
        get('/s', { _k: KEY, _p: 'u1', _t: T + 2, _d: 1, sku: 'c', price: 20 }),
      ],
    ],
    [
      'page with name and category',
      {
        type: 'page',
        anonymousId: 'anon-1',
        name: 'Install',
        category: 'Docs',
        timestamp: TIMESTAMP,
        properties: { path: '/docs' },
      },
      [get('/e', { _k: KEY, _p: 'anon-1', _t: T, _d: 1, _n: 'Viewed Docs Install page', path: '/docs' })],
    ],
    [
      'page without a name',
      { type: 'page', userId: 'u1', timestamp: TIMESTAMP, properties: { url: 'https://x.test/' } },
      [get('/e', { _k: KEY, _p: 'u1', _t: T, _d: 1, _n: 'Loaded a Page', url: 'https://x.test/' })],
    ],
    [
      'screen',
      { type: 'screen', userId: 'u1', name: 'Settings', timestamp: TIMESTAMP },
      [get('/e', { _k: KEY, _p: 'u1', _t: T, _d: 1, _n: 'Viewed Settings screen' })],
    ],
    [
      'alias: /a with _p = previousId and _n = userId',
      { type: 'alias', userId: 'new-id', previousId: 'old-id', anonymousId: 'anon-1', timestamp: TIMESTAMP },
      [get('/a', { _k: KEY, _p: 'old-id', _t: T, _d: 1, _n: 'new-id' })],
    ],
    [
      'group: /s with the Group - properties',
      { type: 'group', userId: 'u1', groupId: 'g1', timestamp: TIMESTAMP, traits: { name: 'Acme', size: 12 } },
      [get('/s', { _k: KEY, _p: 'u1', _t: T, _d: 1, 'Group - name': 'Acme', 'Group - size': 12, 'Group - id': 'g1' })],
    ],
  ])('%s', (_name, message, expected) => {
    expect(requests(message)).toEqual(expected);
  });
});

describe('toKissmetricsRequests: person and time', () => {
  it('uses anonymousId as _p when userId is an empty string', () => {
    const [request] = requests({ type: 'track', event: 'E', userId: '', anonymousId: 'anon-1', timestamp: TIMESTAMP });
    expect(request?.params._p).toBe('anon-1');
  });

  it('sends a numeric userId as a string', () => {
    const [request] = requests({ type: 'track', event: 'E', userId: 42, anonymousId: 'anon-1', timestamp: TIMESTAMP });
    expect(request?.params._p).toBe('42');
  });

  it('prefers timestamp over originalTimestamp', () => {
    const [request] = requests({
      type: 'track',
      event: 'E',
      userId: 'u1',
      timestamp: TIMESTAMP,
      originalTimestamp: '2020-01-01T00:00:00.000Z',
    });
    expect(request?.params._t).toBe(T);
  });

  it('uses originalTimestamp when there is no timestamp', () => {
    const [request] = requests({
      type: 'track',
      event: 'E',
      userId: 'u1',
      originalTimestamp: '2020-01-01T00:00:00.000Z',
    });
    expect(request?.params._t).toBe(1577836800);
  });

  it('uses the clock (nowMs) when the message has neither time, still with _d = 1', () => {
    expect(requests({ type: 'track', event: 'E', userId: 'u1', timestamp: 'not a date' })).toEqual([
      get('/e', { _k: KEY, _p: 'u1', _t: NOW_S, _d: 1, _n: 'E' }),
    ]);
  });

  it('drops properties named like the API parameters, which Kissmetrics would misread', () => {
    expect(
      requests({
        type: 'identify',
        userId: 'u1',
        timestamp: TIMESTAMP,
        traits: { _p: 'x', _k: 'y', _t: 1, _n: 'z', _d: 0, ok: true },
      }),
    ).toEqual([get('/s', { _k: KEY, _p: 'u1', _t: T, _d: 1, ok: true })]);
  });
});

describe('toKissmetricsRequests: same property names as device mode', () => {
  const API_PARAMS = ['_k', '_p', '_t', '_d', '_n'];
  const withoutParams = (params: KissmetricsRequest['params']): KmProperties =>
    Object.fromEntries(Object.entries(params).filter(([key]) => !API_PARAMS.includes(key)));
  const messages: Record<string, unknown>[] = [
    {
      type: 'track',
      event: 'Order Completed',
      userId: 'u1',
      timestamp: TIMESTAMP,
      properties: {
        total: '12.50 EUR',
        shipping: { method: 'post' },
        tags: ['a', 'b'],
        products: [{ sku: 'a' }, { sku: 'b' }],
      },
    },
    { type: 'page', userId: 'u1', name: 'Home', timestamp: TIMESTAMP, properties: { path: '/', nested: { a: 1 } } },
    { type: 'screen', userId: 'u1', name: 'Home', timestamp: TIMESTAMP, properties: { a: 1 } },
    { type: 'group', userId: 'u1', groupId: 'g1', timestamp: TIMESTAMP, traits: { plan: 'pro' } },
    { type: 'identify', userId: 'u1', timestamp: TIMESTAMP, traits: { name: 'T', company: { name: 'Acme' } } },
  ];

  it.each(
    messages.flatMap((message) =>
      [true, false].map((prefixProperties) => [message.type, prefixProperties, message] as const),
    ),
  )(
    '%s with prefixProperties %s: each /e and /s carries exactly the properties of the matching command',
    (type, prefixProperties, message) => {
      const commands = translateMessage(type, message, { prefixProperties }, NOW_MS);
      const fromCommands = commands.flatMap((c): KmProperties[] =>
        c[0] === 'record' ? [c[2]] : c[0] === 'set' ? [withoutParams(c[1])] : [],
      );
      const fromRequests = requestsFor(message, { ...config, prefixProperties }, NOW_MS)
        .filter((r) => !r.endpoint.endsWith('/a'))
        .map((r) => withoutParams(r.params));
      expect(fromRequests).toEqual(fromCommands);
      expect(fromRequests.length).toBeGreaterThan(0);
    },
  );

  it('prefixes track and product properties with the event name, Billing Amount excepted', () => {
    expect(
      requests(
        {
          type: 'track',
          event: 'Bought',
          userId: 'u1',
          timestamp: TIMESTAMP,
          properties: { revenue: 5, products: [{ sku: 'a' }] },
        },
        { prefixProperties: true },
      ),
    ).toEqual([
      get('/e', { _k: KEY, _p: 'u1', _t: T, _d: 1, _n: 'Bought', 'Bought - revenue': 5, 'Billing Amount': 5 }),
      get('/s', { _k: KEY, _p: 'u1', _t: T, _d: 1, 'Bought - sku': 'a' }),
    ]);
  });

  it('prefixes page properties with Page', () => {
    expect(
      requests(
        { type: 'page', userId: 'u1', name: 'Home', timestamp: TIMESTAMP, properties: { path: '/' } },
        { prefixProperties: true },
      ),
    ).toEqual([get('/e', { _k: KEY, _p: 'u1', _t: T, _d: 1, _n: 'Viewed Home page', 'Page - path': '/' })]);
  });
});

describe('toKissmetricsRequests: GET or POST', () => {
  // Four properties carry the padding (a value keeps at most 512 characters); the last is sized so that
  // the URL has exactly the length wanted.
  const PAD = 'x'.repeat(500);
  const padProps = (last: number): Record<string, string> => ({ a: PAD, b: PAD, c: PAD, d: 'x'.repeat(last) });
  const track = (last: number): KissmetricsRequest => {
    const [request, ...more] = requests({
      type: 'track',
      event: 'E',
      userId: 'u1',
      timestamp: TIMESTAMP,
      properties: padProps(last),
    });
    if (!request || more.length) throw new Error('expected one request');
    return request;
  };
  /** The one request of a track whose URL is `urlLength` characters long, and its padding. */
  const padded = (urlLength: number): { request: KissmetricsRequest; last: number } => {
    const last = urlLength - requestUrl(track(0)).length;
    return { request: track(last), last };
  };

  it('sends a request whose URL is exactly 2,048 characters as GET', () => {
    const { request } = padded(2048);
    expect(requestUrl(request)).toHaveLength(2048);
    expect(request.method).toBe('GET');
  });

  it('sends a request whose URL would be 2,049 characters as POST, with the same endpoint and params', () => {
    const { request, last } = padded(2049);
    expect(requestUrl(request)).toHaveLength(2049);
    expect(request).toEqual({
      method: 'POST',
      endpoint: 'https://trk.kissmetrics.io/e',
      params: { _k: KEY, _p: 'u1', _t: T, _d: 1, _n: 'E', ...padProps(last) },
    });
  });

  it('counts the encoded length: 700 spaces (%20 each) make a POST', () => {
    const [request] = requests({
      type: 'track',
      event: 'E',
      userId: 'u1',
      properties: { text: ' '.repeat(350), more: ' '.repeat(350) },
    });
    expect(request?.method).toBe('POST');
  });

  it('decides per request: a long product set is POST while the record stays GET', () => {
    const result = requests({
      type: 'track',
      event: 'E',
      userId: 'u1',
      timestamp: TIMESTAMP,
      properties: { products: [{ ...padProps(500) }] },
    });
    expect(result.map((r) => r.method)).toEqual(['GET', 'POST']);
  });
});
describe('toKissmetricsRequests: tracking host', () => {
  it('sends to config.trackingHost, without a trailing slash, keeping its path', () => {
    const [request] = requests(
      { type: 'alias', userId: 'b', previousId: 'a' },
      { trackingHost: 'http://127.0.0.1:8080/km/' },
    );
    expect(request?.endpoint).toBe('http://127.0.0.1:8080/km/a');
  });

  it.each(['ftp://trk.example', 'not a url', 'https://trk.example/?q=1', ''])(
    'rejects trackingHost %j',
    (trackingHost) => {
      expect(() => requests({ type: 'alias', userId: 'b', previousId: 'a' }, { trackingHost })).toThrow(
        /^config\.trackingHost must be an http\(s\) URL/,
      );
    },
  );
});

describe('toKissmetricsRequests: errors name the problem', () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    ['an unsupported type', { type: 'fly', userId: 'u1' }, /"fly"/],
    ['a message without type', { userId: 'u1' }, /type/],
    ['a track without event name', { type: 'track', event: '', userId: 'u1' }, /event name/],
    ['an alias of an id to itself', { type: 'alias', userId: 'a', previousId: 'a' }, /previousId/],
    ['an identify without userId nor traits', { type: 'identify', anonymousId: 'x' }, /userId or traits/],
    ['a group without groupId nor traits', { type: 'group', userId: 'u1' }, /groupId or traits/],
  ])('throws the device-mode error for %s', (_name, message, subject) => {
    const device = thrown(() => translateMessage(message.type, message, {}, NOW_MS));
    expect(device).toMatch(subject);
    expect(() => requestsFor(message, config, NOW_MS)).toThrow(new Error(device));
  });

  it('throws for a message that is not an object', () => {
    expect(() => toKissmetricsRequests('track' as never, config)).toThrow(
      new Error('expected a RudderStack message object, got "track"'),
    );
  });

  it('throws for a track, page or group without any person id, naming the type', () => {
    expect(() => requests({ type: 'track', event: 'E', userId: '', anonymousId: '' })).toThrow(
      new Error('track: expected a non-empty userId or anonymousId to name the person, got neither'),
    );
    expect(() => requests({ type: 'page', name: 'Home' })).toThrow(/^page: expected a non-empty userId or anonymousId/);
    expect(() => requests({ type: 'group', groupId: 'g1' })).toThrow(
      /^group: expected a non-empty userId or anonymousId/,
    );
  });

  it.each([undefined, '', 'has spaces', 'k'.repeat(101), 42])(
    'throws the device-mode api key error for apiKey %j',
    (apiKey) => {
      expect(() =>
        toKissmetricsRequests({ type: 'alias', userId: 'b', previousId: 'a' }, { apiKey } as unknown as CloudConfig),
      ).toThrow(new Error(invalidApiKey(apiKey)));
    },
  );
});

describe('encodeParams', () => {
  it('percent-encodes keys and values (space as %20) so the string is both a query and a form body', () => {
    expect(encodeParams({ 'Page - path': '/a b?c=d&e', ok: true, n: 1.5 })).toBe(
      'Page%20-%20path=%2Fa%20b%3Fc%3Dd%26e&ok=true&n=1.5',
    );
  });
});

describe('toKissmetricsRequests: ids that would merge unrelated people are never a person', () => {
  const SQUISHING_IDS = [
    'null',
    'undefined',
    'nil',
    'None',
    'NaN',
    'anonymous',
    'unknown',
    'Guest',
    '[object Object]',
    ' null ',
  ];

  describe.each(SQUISHING_IDS)('%p', (id) => {
    const quoted = JSON.stringify(id);
    const why = (field: string): string =>
      `${field} ${quoted} would merge unrelated people into one Kissmetrics person`;

    it('as userId of an identify with traits: /s on the anonymous id, no /a, and a note', () => {
      const budget = newBudget();
      const message = { type: 'identify', userId: id, anonymousId: 'anon-1', timestamp: TIMESTAMP, traits: { a: 1 } };
      expect(requestsFor(message, config, NOW_MS, budget)).toEqual([
        get('/s', { _k: KEY, _p: 'anon-1', _t: T, _d: 1, a: 1 }),
      ]);
      expect(budget.omitted).toEqual([`userId ${quoted} (would merge unrelated people)`]);
    });

    it('as userId of an identify without an anonymous id: refused', () => {
      expect(() => requests({ type: 'identify', userId: id, timestamp: TIMESTAMP, traits: { a: 1 } })).toThrow(
        new Error(why('userId')),
      );
    });

    it('as anonymousId of an identify: /s on the user, no /a from it', () => {
      const message = { type: 'identify', userId: 'u1', anonymousId: id, timestamp: TIMESTAMP, traits: { a: 1 } };
      expect(requests(message)).toEqual([get('/s', { _k: KEY, _p: 'u1', _t: T, _d: 1, a: 1 })]);
    });

    it('as userId of an alias: refused', () => {
      expect(() => requests({ type: 'alias', userId: id, previousId: 'u1' })).toThrow(new Error(why('userId')));
    });

    it('as previousId of an alias: refused', () => {
      expect(() => requests({ type: 'alias', userId: 'u2', previousId: id })).toThrow(new Error(why('previousId')));
    });

    it('as userId of a track: _p is the anonymous id, and a note', () => {
      const budget = newBudget();
      const message = { type: 'track', event: 'E', userId: id, anonymousId: 'anon-1', timestamp: TIMESTAMP };
      expect(requestsFor(message, config, NOW_MS, budget)).toEqual([
        get('/e', { _k: KEY, _p: 'anon-1', _t: T, _d: 1, _n: 'E' }),
      ]);
      expect(budget.omitted).toEqual([`userId ${quoted} (would merge unrelated people)`]);
    });

    it('as the only id of a track: refused', () => {
      expect(() => requests({ type: 'track', event: 'E', userId: id, timestamp: TIMESTAMP })).toThrow(
        new Error(why('userId')),
      );
      expect(() => requests({ type: 'track', event: 'E', anonymousId: id, timestamp: TIMESTAMP })).toThrow(
        new Error(why('anonymousId')),
      );
    });

    it('one note for a track with products, however many requests use the anonymous id', () => {
      const budget = newBudget();
      const message = {
        type: 'track',
        event: 'E',
        userId: id,
        anonymousId: 'anon-1',
        timestamp: TIMESTAMP,
        properties: { products: [{ sku: 'a' }, { sku: 'b' }] },
      };
      expect(requestsFor(message, config, NOW_MS, budget).map((r) => r.params._p)).toEqual([
        'anon-1',
        'anon-1',
        'anon-1',
      ]);
      expect(budget.omissions).toBe(1);
    });
  });

  it.each<[unknown, string]>([
    [0, '0'],
    [42, '42'],
    ['u1', 'u1'],
    ['nullable', 'nullable'],
    ['guest-42', 'guest-42'],
  ])('real ids are untouched: %p', (id, expected) => {
    expect(requests({ type: 'track', event: 'E', userId: id, anonymousId: 'anon-1', timestamp: TIMESTAMP })).toEqual([
      get('/e', { _k: KEY, _p: expected, _t: T, _d: 1, _n: 'E' }),
    ]);
    expect(requests({ type: 'identify', userId: id, anonymousId: 'anon-1', timestamp: TIMESTAMP })).toEqual([
      get('/a', { _k: KEY, _p: 'anon-1', _t: T, _d: 1, _n: expected }),
    ]);
    expect(requests({ type: 'alias', userId: id, previousId: 'p1', timestamp: TIMESTAMP })).toEqual([
      get('/a', { _k: KEY, _p: 'p1', _t: T, _d: 1, _n: expected }),
    ]);
  });
});

describe('toKissmetricsRequests: identify traits from both places', () => {
  it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    ['top-level traits only', { traits: { plan: 'pro' } }, { plan: 'pro' }],
    [
      'an empty context.traits does not hide top-level traits',
      { context: { traits: {} }, traits: { plan: 'pro' } },
      { plan: 'pro' },
    ],
    [
      'empty top-level traits do not hide context.traits',
      { context: { traits: { plan: 'pro' } }, traits: {} },
      { plan: 'pro' },
    ],
    [
      'both, the top-level value winning',
      { context: { traits: { plan: 'pro', seats: 2 } }, traits: { plan: 'free' } },
      { plan: 'free', seats: 2 },
    ],
  ])('%s', (_name, fields, traits) => {
    expect(requests({ type: 'identify', anonymousId: 'anon-1', timestamp: TIMESTAMP, ...fields })).toEqual([
      get('/s', { _k: KEY, _p: 'anon-1', _t: T, _d: 1, ...traits }),
    ]);
  });
});

describe('toKissmetricsRequests: what a message had to leave out', () => {
  it('says it to onLeftOut, once, and sends the rest', () => {
    const said: string[] = [];
    const result = toKissmetricsRequests(
      {
        type: 'track',
        event: 'Viewed',
        userId: 'u1',
        timestamp: TIMESTAMP,
        properties: { note: 'x'.repeat(600), _p: 'evil' },
      },
      config,
      NOW_MS,
      (what) => said.push(what),
    );
    expect(said).toEqual(['left out or cut note (cut), _p (reserved)']);
    expect(result).toEqual([get('/e', { _k: KEY, _p: 'u1', _t: T, _d: 1, _n: 'Viewed', note: 'x'.repeat(512) })]);
  });

  it('says nothing when nothing was left out', () => {
    const said: string[] = [];
    toKissmetricsRequests({ type: 'track', event: 'Viewed', userId: 'u1' }, config, NOW_MS, (what) => said.push(what));
    expect(said).toEqual([]);
  });
});
