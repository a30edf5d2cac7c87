import type { RestRequest } from '../../src/service/rest';

/** Events and destinations as rudder-server sends them to a transformer (written for these tests). */

export const API_KEY = '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c';
/** The injected clock: the event time of messages with neither `timestamp` nor `originalTimestamp`. */
export const NOW_MS = Date.UTC(2030, 0, 1);
export const NOW_S = String(NOW_MS / 1000);
export const TIMESTAMP = '2020-01-24T06:29:02.358Z';
/** Unix seconds of TIMESTAMP, as rudder-server must write it: digits, never 1.579847342e+09. */
export const T = '1579847342';

export const destination = (config: Record<string, unknown> = { apiKey: API_KEY }): Record<string, unknown> => ({
  ID: 'dest-km-1',
  Name: 'Kissmetrics (cloud)',
  DestinationDefinition: { ID: 'def-km', Name: 'KISSMETRICS', DisplayName: 'Kiss Metrics', Config: {} },
  Config: { prefixProperties: false, blacklistedEvents: [], eventFilteringOption: 'disable', ...config },
  Enabled: true,
  WorkspaceID: 'ws-1',
  Transformations: [],
  IsProcessorEnabled: true,
  RevisionID: 'rev-3',
});

/** rudder-server's processor metadata, plus fields it may add tomorrow: all must come back unchanged. */
export const metadata = (jobId: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  jobId,
  workspaceId: 'ws-1',
  rudderId: `rudder-${jobId}`,
  receivedAt: '2020-01-24T06:29:02.400Z',
  messageId: `msg-${jobId}`,
  sourceId: 'src-1',
  originalSourceId: '',
  sourceName: 'web',
  sourceType: 'Javascript',
  sourceCategory: '',
  destinationId: 'dest-km-1',
  destinationName: 'Kissmetrics (cloud)',
  destinationType: 'KISSMETRICS',
  ...extra,
});

export const event = (
  jobId: number,
  message: unknown,
  config?: Record<string, unknown>,
): { message: unknown; metadata: Record<string, unknown>; destination: Record<string, unknown> } => ({
  message,
  metadata: metadata(jobId),
  destination: destination(config),
});

const base = (p: string, t = T): Record<string, string> => ({ _k: API_KEY, _p: p, _t: t, _d: '1' });

export const get = (path: '/e' | '/s' | '/a', params: Record<string, string>, userId: string): RestRequest => ({
  version: '1',
  type: 'REST',
  method: 'GET',
  endpoint: `https://trk.kissmetrics.io${path}`,
  headers: {},
  params,
  body: { JSON: {}, JSON_ARRAY: {}, XML: {}, FORM: {} },
  files: {},
  userId,
});

export const post = (path: '/e' | '/s' | '/a', form: Record<string, string>, userId: string): RestRequest => ({
  version: '1',
  type: 'REST',
  method: 'POST',
  endpoint: `https://trk.kissmetrics.io${path}`,
  headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  params: {},
  body: { JSON: {}, JSON_ARRAY: {}, XML: {}, FORM: form },
  files: {},
  userId,
});

/** One message of every type, and exactly the requests each must become (prefixProperties off unless said). */
export const EVERY_TYPE: {
  name: string;
  message: Record<string, unknown>;
  config?: Record<string, unknown>;
  requests: RestRequest[];
}[] = [
  {
    name: 'identify: /a from the anonymous id, then /s with context.traits flattened at every depth',
    message: {
      type: 'identify',
      userId: 'u1',
      anonymousId: 'anon-1',
      timestamp: TIMESTAMP,
      context: { traits: { name: 'Tintin', address: { city: 'Brussels', geo: { lat: 50.85 } } } },
    },
    requests: [
      get('/a', { ...base('anon-1'), _n: 'u1' }, 'u1'),
      get('/s', { ...base('u1'), name: 'Tintin', 'address.city': 'Brussels', 'address.geo.lat': '50.85' }, 'u1'),
    ],
  },
  {
    name: 'track with products (prefixProperties on): record with revenue, one /s per product with _t = T + i',
    config: { apiKey: API_KEY, prefixProperties: true },
    message: {
      type: 'track',
      event: 'Order Completed',
      userId: 'u1',
      anonymousId: 'anon-1',
      timestamp: TIMESTAMP,
      properties: {
        total: '$1,299.99',
        shipping: { method: 'express', price: { amount: 5 } },
        products: [
          { sku: 'A-1', price: 1500000 },
          { sku: 'B-2', tags: ['gift', 'fragile'] },
        ],
      },
    },
    requests: [
      get(
        '/e',
        {
          ...base('u1'),
          _n: 'Order Completed',
          'Order Completed - total': '$1,299.99',
          'Order Completed - shipping.method': 'express',
          'Order Completed - shipping.price.amount': '5',
          'Order Completed - revenue': '1299.99',
          'Billing Amount': '1299.99',
        },
        'u1',
      ),
      get('/s', { ...base('u1'), 'Order Completed - sku': 'A-1', 'Order Completed - price': '1500000' }, 'u1'),
      get(
        '/s',
        { ...base('u1', '1579847343'), 'Order Completed - sku': 'B-2', 'Order Completed - tags': 'gift,fragile' },
        'u1',
      ),
    ],
  },
  {
    name: 'page of an anonymous visitor, time from originalTimestamp',
    message: {
      type: 'page',
      anonymousId: 'anon-2',
      userId: '',
      name: 'Pricing',
      originalTimestamp: TIMESTAMP,
      properties: { category: 'Docs', path: '/pricing', referrer: '' },
    },
    requests: [
      get(
        '/e',
        { ...base('anon-2'), _n: 'Viewed Docs Pricing page', category: 'Docs', path: '/pricing', referrer: '' },
        'anon-2',
      ),
    ],
  },
  {
    name: 'screen without any timestamp: the injected clock; a numeric userId as a string',
    message: { type: 'screen', userId: 42, name: 'Home', properties: { build: 1234 } },
    requests: [get('/e', { ...base('42', NOW_S), _n: 'Viewed Home screen', build: '1234' }, '42')],
  },
  {
    name: 'alias: /a from previousId to userId',
    message: { type: 'alias', userId: 'u1', previousId: 'anon-1', timestamp: TIMESTAMP },
    requests: [get('/a', { ...base('anon-1'), _n: 'u1' }, 'u1')],
  },
  {
    name: 'group: /s with Group - properties and the group id',
    message: {
      type: 'group',
      userId: 'u1',
      groupId: 'g-7',
      timestamp: TIMESTAMP,
      traits: { name: 'Acme', plan: { tier: 'pro' } },
    },
    requests: [
      get('/s', { ...base('u1'), 'Group - name': 'Acme', 'Group - plan.tier': 'pro', 'Group - id': 'g-7' }, 'u1'),
    ],
  },
];

/**
 * rudder-server's `statTags` of an error entry, as rudder-transformer writes them: category and type
 * (none for a filtered event), then where it failed, and the destination and workspace of `metadata(n)`
 * unless `ids` says otherwise.
 */
export const statTags = (
  errorType: 'configuration' | 'instrumentation' | 'filtered',
  feature: 'processor' | 'router' = 'processor',
  ids: Record<string, string> = { destinationId: 'dest-km-1', workspaceId: 'ws-1' },
): Record<string, string> => ({
  ...(errorType === 'filtered' ? {} : { errorCategory: 'dataValidation', errorType }),
  destType: 'KISSMETRICS',
  module: 'destination',
  implementation: 'native',
  feature,
  ...ids,
});

/** How many JSON values `value` holds (itself included), how many object keys, and how many levels deep it nests. */
export const jsonSize = (value: unknown): { values: number; keys: number; depth: number } => {
  if (typeof value !== 'object' || value === null) return { values: 1, keys: 0, depth: 0 };
  let values = 1;
  let keys = Array.isArray(value) ? 0 : Object.keys(value).length;
  let depth = 1;
  for (const child of Object.values(value)) {
    const inner = jsonSize(child);
    values += inner.values;
    keys += inner.keys;
    depth = Math.max(depth, inner.depth + 1);
  }
  return { values, keys, depth };
};
