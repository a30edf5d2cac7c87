import { MAX_GET_URL_LENGTH_CHARS } from '../../src/cloud/constants';
import { requestUrl } from '../../src/cloud';
import { requestsFor } from '../../src/cloud/requests';
import { newBudget } from '../../src/rules/properties';
import { goUrlLength, restRequestsFor, toRestRequest } from '../../src/service/rest';
import type { RestRequest } from '../../src/service/rest';
import { translateEvent } from '../../src/service/transform';
import { API_KEY, NOW_MS, NOW_S, T, TIMESTAMP, get, post } from './fixtures';

describe('goUrlLength: the URL rudder-server builds (Go url.Values.Encode)', () => {
  it.each<[string, Record<string, string>, number]>([
    ['letters, digits and -_.~ as they are', { a: 'Az09-_.~' }, 'https://x/e?a=Az09-_.~'.length],
    ['a space as +', { a: 'b c' }, 'https://x/e?a=b+c'.length],
    ["!'()* escaped, unlike encodeURIComponent", { a: "!'()*" }, 'https://x/e?a=%21%27%28%29%2A'.length],
    ['reserved characters escaped', { 'a&b': '=?/' }, 'https://x/e?a%26b=%3D%3F%2F'.length],
    ['two-byte UTF-8', { é: 'ü' }, 'https://x/e?%C3%A9=%C3%BC'.length],
    ['three-byte UTF-8', { a: '€' }, 'https://x/e?a=%E2%82%AC'.length],
    ['a surrogate pair as four bytes', { a: '😀' }, 'https://x/e?a=%F0%9F%98%80'.length],
    ['a lone surrogate as U+FFFD', { a: '\uD800' }, 'https://x/e?a=%EF%BF%BD'.length],
    ['several pairs joined by &', { a: '1', b: '2' }, 'https://x/e?a=1&b=2'.length],
    ['no params', {}, 'https://x/e'.length],
  ])('%s', (_name, params, expected) => {
    expect(goUrlLength('https://x/e', params)).toBe(expected);
  });
});

describe('toRestRequest', () => {
  it('writes every value as a string and keeps a short request a GET with params', () => {
    const request = {
      method: 'GET' as const,
      endpoint: 'https://trk.kissmetrics.io/e',
      params: { _k: API_KEY, _p: 'u1', _t: 1579847342, _d: 1, paid: false, ratio: 0.25 },
    };
    expect(toRestRequest(request, 'u1')).toStrictEqual(
      get('/e', { _k: API_KEY, _p: 'u1', _t: '1579847342', _d: '1', paid: 'false', ratio: '0.25' }, 'u1'),
    );
  });

  it('keeps a request the cloud rules send as POST a POST, its fields in body.FORM', () => {
    const request = {
      method: 'POST' as const,
      endpoint: 'https://trk.kissmetrics.io/s',
      params: { _k: API_KEY, n: 3 },
    };
    expect(toRestRequest(request, '')).toStrictEqual(post('/s', { _k: API_KEY, n: '3' }, ''));
  });

  it('turns a GET into a POST when Go would build a URL over the limit, though encodeURIComponent would not', () => {
    const bangs = '!'.repeat(500);
    const message = {
      type: 'track',
      event: 'Bangs',
      userId: 'u1',
      timestamp: TIMESTAMP,
      properties: { a: bangs, b: bangs, c: bangs },
    };
    const [request] = requestsFor(message, { apiKey: API_KEY });
    if (!request) throw new Error('expected one request');
    expect(request.method).toBe('GET');
    const fields = { _k: API_KEY, _p: 'u1', _t: T, _d: '1', _n: 'Bangs', a: bangs, b: bangs, c: bangs };
    expect(goUrlLength(request.endpoint, fields)).toBeGreaterThan(MAX_GET_URL_LENGTH_CHARS);
    expect(toRestRequest(request, 'u1')).toStrictEqual(post('/e', fields, 'u1'));
  });

  it('keeps a GET whose Go URL is exactly at the limit a GET', () => {
    const endpoint = 'https://trk.kissmetrics.io/e';
    const fill = MAX_GET_URL_LENGTH_CHARS - `${endpoint}?v=`.length;
    const request = { method: 'GET' as const, endpoint, params: { v: 'a'.repeat(fill) } };
    expect(toRestRequest(request, 'u').method).toBe('GET');
    const over = { ...request, params: { v: 'a'.repeat(fill + 1) } };
    expect(toRestRequest(over, 'u').method).toBe('POST');
  });
});

describe('restRequestsFor: the REST requests of a message, built in one pass', () => {
  const config = { apiKey: API_KEY };
  /** The reference: the cloud requests (GET or POST by `requestUrl`), then toRestRequest of each. */
  const reference = (message: Record<string, unknown>): RestRequest[] =>
    requestsFor(message, config, NOW_MS).map((request) => {
      expect(request.method).toBe(requestUrl(request).length > MAX_GET_URL_LENGTH_CHARS ? 'POST' : 'GET');
      return toRestRequest(request, 'u1');
    });
  const track = (properties: Record<string, unknown>): Record<string, unknown> => ({
    type: 'track',
    event: 'Sized',
    userId: 'u1',
    timestamp: TIMESTAMP,
    properties,
  });
  // URLs from well under to well over the limit, padded with characters each escaping counts differently:
  // a space is 3 for encodeURIComponent and 1 for Go, `!'()*` the opposite, `é` 6 for both, `😀` 12.
  const padded = Array.from({ length: 160 }, (_, i) => {
    const n = 4 * i;
    return track({
      letters: 'a'.repeat(Math.min(n, 512)),
      spaces: ' '.repeat(Math.min(n % 450, 512)),
      bangs: "!'()*".repeat(Math.floor(n / 10)).slice(0, 512),
      accents: i % 3 ? '' : 'é'.repeat(i),
      emoji: i % 5 ? '' : '😀'.repeat(i % 40),
    });
  });

  it('gives exactly toRestRequest of each cloud request, near the URL limit under either escaping', () => {
    const methods = new Set<string>();
    let disagreements = 0;
    for (const message of padded) {
      const built = restRequestsFor(message, config, NOW_MS, newBudget(), 'u1');
      expect(built).toStrictEqual(reference(message));
      const [cloud] = requestsFor(message, config, NOW_MS);
      if (cloud && built[0] && cloud.method !== built[0].method) disagreements++;
      for (const request of built) methods.add(request.method);
    }
    // The sweep crosses the limit, and the two escapings disagree on some requests.
    expect([...methods].sort()).toEqual(['GET', 'POST']);
    expect(disagreements).toBeGreaterThan(0);
  });

  it.each<[string, Record<string, unknown>]>([
    [
      'identify with an anonymous id and nested traits',
      { type: 'identify', userId: 'u1', anonymousId: 'a1', traits: { a: { b: [1, 2] }, ok: true, n: 0.5 } },
    ],
    [
      'order with products, each with its own _t',
      track({ revenue: '$1,299.99', products: [{ sku: 'a', price: 10 }, {}, { sku: 'c', tags: ['x', 'y'] }] }),
    ],
    ['page with a lone surrogate and non-BMP text', { type: 'page', userId: 'u1', properties: { s: 'a\uD800b😀' } }],
    ['alias', { type: 'alias', userId: 'u1', previousId: 'old' }],
    ['group', { type: 'group', userId: 'u1', groupId: 'g1', traits: { name: 'Acme' } }],
  ])('gives exactly toRestRequest of each cloud request: %s', (_name, message) => {
    expect(restRequestsFor(message, config, NOW_MS, newBudget(), 'u1')).toStrictEqual(reference(message));
  });

  it('keeps a property named __proto__ as an ordinary param, as the cloud requests do', () => {
    const traits = JSON.parse('{"__proto__": "p", "name": "T"}') as Record<string, unknown>;
    const [request] = restRequestsFor({ type: 'identify', userId: 'u1', traits }, config, NOW_MS, newBudget(), 'u1');
    expect(Object.entries(request?.params ?? {})).toEqual([
      ['_k', API_KEY],
      ['_p', 'u1'],
      ['_t', NOW_S],
      ['_d', '1'],
      ['__proto__', 'p'],
      ['name', 'T'],
    ]);
    expect(Object.getPrototypeOf(request?.params)).toBe(Object.prototype);
  });

  it('is what the service answers: a trait named __proto__ is a param (translateEvent)', () => {
    const item = JSON.parse(
      `{"message": {"type": "identify", "userId": "u1", "traits": {"__proto__": "p"}}, "destination": {"Config": {"apiKey": "${API_KEY}"}}}`,
    ) as Record<string, unknown>;
    const outcome = translateEvent(
      { item, message: item.message, metadata: {}, destination: item.destination },
      NOW_MS,
    );
    expect(outcome).toStrictEqual({
      statusCode: 200,
      requests: [get('/s', { _k: API_KEY, _p: 'u1', _t: NOW_S, _d: '1', ['__proto__']: 'p' }, 'u1')],
      trimmed: false,
    });
  });
});

describe('toRestRequest: odd keys', () => {
  it('keeps a param named __proto__ as an ordinary param', () => {
    const params = JSON.parse(`{"_k": "${API_KEY}", "__proto__": 5}`) as Record<string, number | string>;
    const request = toRestRequest({ method: 'GET', endpoint: 'https://trk.kissmetrics.io/s', params }, 'u');
    expect(Object.entries(request.params)).toEqual([
      ['_k', API_KEY],
      ['__proto__', '5'],
    ]);
  });
});
