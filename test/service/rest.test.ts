import { MAX_GET_URL_LENGTH_CHARS } from '../../src/cloud/constants';
import { requestsFor } from '../../src/cloud/requests';
import { goUrlLength, toRestRequest } from '../../src/service/rest';
import { API_KEY, T, TIMESTAMP, get, post } from './fixtures';

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
