/**
 * The calls of the browser scenario, shared by the SDKs' end-to-end tests (v3 and the legacy v1.1), and
 * the `_kmq` commands they must become. The SDKs add different page properties: each test passes its own.
 */
import type { KmCall, SdkCall } from './scenario';

export const ORDER_TIME = '2024-05-01T10:00:00.000Z';
export const ORDER_SECONDS = 1_714_557_600;

/** Issued in the same task as `load()`, long before the integration exists. */
export const EARLY_CALLS: SdkCall[] = [
  [
    'identify',
    'user-42',
    {
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      plan: null,
      address: { city: 'London', country: 'UK' },
      tags: ['vip', 'beta'],
    },
  ],
  [
    'track',
    'Order Completed',
    {
      order_id: 'o-1',
      revenue: '$1,299.99',
      coupon: null,
      shipping: { method: 'express', address: { city: 'Paris' } },
      products: [
        { sku: 'kb-1', name: 'Keyboard', price: 999.99, quantity: 1, discount: null },
        { sku: 'ms-2', name: 'Mouse', price: 300, quantity: 1, attributes: { color: 'black' } },
      ],
    },
    { originalTimestamp: ORDER_TIME },
  ],
  ['page', 'Docs', 'Install', { section: 'setup' }],
  ['alias', 'user-42-v2'],
  ['group', 'acme', { name: 'Acme Inc', employees: 120, billing: { plan: 'pro' }, deleted: null }],
];

/** Issued once the SDK has the integration initialised. */
export const LIVE_CALLS: SdkCall[] = [
  ['track', 'Video Played', { title: 'Intro', position: 0, muted: false, chapters: ['a', 'b'], extra: null }],
  ['track', 'Product Added', { cart_id: 'c-9', products: [{ sku: 'cb-3', price: 12.5 }] }],
  ['page', 'Pricing'],
];

export const expectedEarly = (pageProperties: Record<string, string>): KmCall[] => [
  ['identify', 'user-42'],
  [
    'set',
    {
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      'address.city': 'London',
      'address.country': 'UK',
      tags: 'vip,beta',
    },
  ],
  [
    'record',
    'Order Completed',
    {
      order_id: 'o-1',
      revenue: 1299.99,
      'Billing Amount': 1299.99,
      'shipping.method': 'express',
      'shipping.address.city': 'Paris',
    },
  ],
  ['set', { sku: 'kb-1', name: 'Keyboard', price: 999.99, quantity: 1, _t: ORDER_SECONDS, _d: 1 }],
  [
    'set',
    { sku: 'ms-2', name: 'Mouse', price: 300, quantity: 1, 'attributes.color': 'black', _t: ORDER_SECONDS + 1, _d: 1 },
  ],
  ['record', 'Viewed Docs Install page', { section: 'setup', name: 'Install', category: 'Docs', ...pageProperties }],
  ['alias', 'user-42-v2', 'user-42'],
  [
    'set',
    { 'Group - name': 'Acme Inc', 'Group - employees': 120, 'Group - billing.plan': 'pro', 'Group - id': 'acme' },
  ],
];

/** `productSeconds`: Unix seconds of the `Product Added` event, as the SDK stamped it. */
export const expectedLive = (pageProperties: Record<string, string>, productSeconds: number): KmCall[] => [
  ['record', 'Video Played', { title: 'Intro', position: 0, muted: false, chapters: 'a,b' }],
  ['record', 'Product Added', { cart_id: 'c-9' }],
  ['set', { sku: 'cb-3', price: 12.5, _t: productSeconds, _d: 1 }],
  ['record', 'Viewed Pricing page', { name: 'Pricing', ...pageProperties }],
];

export const prefixed = (name: string, props: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(props).map(([key, value]) => [`${name} - ${key}`, value]));

export const expectedEarlyPrefixed = (pageProperties: Record<string, string>): KmCall[] => [
  ['identify', 'user-42'],
  [
    'set',
    {
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      'address.city': 'London',
      'address.country': 'UK',
      tags: 'vip,beta',
    },
  ],
  [
    'record',
    'Order Completed',
    {
      'Order Completed - order_id': 'o-1',
      'Order Completed - revenue': 1299.99,
      'Billing Amount': 1299.99,
      'Order Completed - shipping.method': 'express',
      'Order Completed - shipping.address.city': 'Paris',
    },
  ],
  [
    'set',
    {
      'Order Completed - sku': 'kb-1',
      'Order Completed - name': 'Keyboard',
      'Order Completed - price': 999.99,
      'Order Completed - quantity': 1,
      _t: ORDER_SECONDS,
      _d: 1,
    },
  ],
  [
    'set',
    {
      'Order Completed - sku': 'ms-2',
      'Order Completed - name': 'Mouse',
      'Order Completed - price': 300,
      'Order Completed - quantity': 1,
      'Order Completed - attributes.color': 'black',
      _t: ORDER_SECONDS + 1,
      _d: 1,
    },
  ],
  [
    'record',
    'Viewed Docs Install page',
    prefixed('Page', { section: 'setup', name: 'Install', category: 'Docs', ...pageProperties }),
  ],
  ['alias', 'user-42-v2', 'user-42'],
  [
    'set',
    { 'Group - name': 'Acme Inc', 'Group - employees': 120, 'Group - billing.plan': 'pro', 'Group - id': 'acme' },
  ],
];
