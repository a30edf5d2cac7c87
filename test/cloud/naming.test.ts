import { toKissmetricsRequests } from '../../src/cloud';
import type { CloudConfig, KissmetricsRequest } from '../../src/cloud';

const KEY = 'c'.repeat(40);
/** 2024-03-01T12:00:00Z */
const T = 1709294400;
const TIMESTAMP = '2024-03-01T12:00:00.000Z';

const get = (path: string, params: KissmetricsRequest['params']): KissmetricsRequest => ({
  method: 'GET',
  endpoint: `https://trk.kissmetrics.io${path}`,
  params,
});

const order = {
  type: 'track' as const,
  event: 'Order Completed',
  userId: 'u1',
  anonymousId: 'anon-1',
  timestamp: TIMESTAMP,
  properties: { coupon: 'SPRING', total: '$1,299.99', products: [{ sku: 'a', price: 10 }] },
};

describe("config.naming 'rudder-transformer': RudderStack's names, our values", () => {
  it.each<[string, Partial<CloudConfig>, KissmetricsRequest[]]>([
    [
      'prefixed: <event>-<key>, no revenue made of total, products with _t and _d',
      { prefixProperties: true },
      [
        get('/e', {
          _k: KEY,
          _p: 'u1',
          _t: T,
          _d: 1,
          _n: 'Order Completed',
          'Order Completed-coupon': 'SPRING',
          'Order Completed-total': '$1,299.99',
        }),
        get('/s', { _k: KEY, _p: 'u1', _t: T, _d: 1, 'Order Completed-sku': 'a', 'Order Completed-price': 10 }),
      ],
    ],
    [
      'unprefixed',
      { prefixProperties: false },
      [
        get('/e', { _k: KEY, _p: 'u1', _t: T, _d: 1, _n: 'Order Completed', coupon: 'SPRING', total: '$1,299.99' }),
        get('/s', { _k: KEY, _p: 'u1', _t: T, _d: 1, sku: 'a', price: 10 }),
      ],
    ],
  ])('%s', (_name, config, expected) => {
    expect(toKissmetricsRequests(order, { apiKey: KEY, naming: 'rudder-transformer', ...config })).toEqual(expected);
  });

  it('reads a revenue as money (1299.99, where RudderStack read 1) and names it <event> - revenue', () => {
    const message = { ...order, properties: { revenue: '$1,299.99' } };
    expect(
      toKissmetricsRequests(message, { apiKey: KEY, naming: 'rudder-transformer', prefixProperties: true }),
    ).toEqual([
      get('/e', {
        _k: KEY,
        _p: 'u1',
        _t: T,
        _d: 1,
        _n: 'Order Completed',
        'Order Completed - revenue': 1299.99,
        'Billing Amount': 1299.99,
      }),
    ]);
  });

  it('names a screen its way and sends it unprefixed', () => {
    const screen = { type: 'screen' as const, userId: 'u1', name: 'Main', timestamp: TIMESTAMP, properties: { a: 1 } };
    expect(
      toKissmetricsRequests(screen, { apiKey: KEY, naming: 'rudder-transformer', prefixProperties: true }),
    ).toEqual([get('/e', { _k: KEY, _p: 'u1', _t: T, _d: 1, _n: 'Viewed Main screen', a: 1 })]);
  });

  it('still ties the anonymous visitor to the user on identify (/a), which is not a name', () => {
    const identify = { type: 'identify' as const, userId: 'u1', anonymousId: 'anon-1', timestamp: TIMESTAMP };
    expect(toKissmetricsRequests(identify, { apiKey: KEY, naming: 'rudder-transformer' })).toEqual([
      get('/a', { _k: KEY, _p: 'anon-1', _t: T, _d: 1, _n: 'u1' }),
    ]);
  });

  it('changes nothing when naming is default or absent', () => {
    const config = { apiKey: KEY, prefixProperties: true };
    expect(toKissmetricsRequests(order, { ...config, naming: 'default' })).toEqual(
      toKissmetricsRequests(order, config),
    );
    expect(toKissmetricsRequests(order, config)[0]?.params).toEqual({
      _k: KEY,
      _p: 'u1',
      _t: T,
      _d: 1,
      _n: 'Order Completed',
      'Order Completed - coupon': 'SPRING',
      'Order Completed - total': '$1,299.99',
      'Order Completed - revenue': 1299.99,
      'Billing Amount': 1299.99,
    });
  });

  it('refuses an unknown naming, naming the allowed values (and it does not compile)', () => {
    // @ts-expect-error: not a naming
    const config: CloudConfig = { apiKey: KEY, naming: 'rudderstack' };
    expect(() => toKissmetricsRequests(order, config)).toThrow(
      new Error('config.naming: expected "default" or "rudder-transformer", got "rudderstack"'),
    );
  });
});
