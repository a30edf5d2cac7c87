// A realistic, varied mix of RudderStack events as rudder-server hands them to a transformer, for the
// transformer benchmarks (bench/transformer.mjs, bench/serve-throughput.mjs). Deterministic: event i is
// always the same, so runs compare. No group calls: rudder-transformer's kissmetrics refuses them, and
// the comparison is on events both translate.
//
// The mix (per 100 events): 15 identify (nested traits, in context.traits from a browser or top-level
// from a server source), 27 track (money strings, nested objects, lists), 15 orders (2-6 products,
// revenue or total as money strings), 30 page, 8 screen, 5 alias. Every event carries a full SDK context.

/** A deterministic hash of (i, salt): a 32-bit draw. */
const draw = (i, salt) => {
  let x = Math.imul(i + 1, 2654435761) ^ Math.imul(salt + 7, 40503);
  x = Math.imul(x ^ (x >>> 15), 2246822507);
  x = Math.imul(x ^ (x >>> 13), 3266489909);
  return (x ^ (x >>> 16)) >>> 0;
};
const pick = (list, i, salt) => list[draw(i, salt) % list.length];

const EVENTS = [
  'Button Clicked',
  'Signed Up',
  'Product Viewed',
  'Product Added',
  'Cart Viewed',
  'Checkout Started',
  'Payment Info Entered',
  'Coupon Applied',
  'Video Played',
  'Search Performed',
  'Newsletter Subscribed',
  'Feature Used',
  'File Downloaded',
  'Trial Started',
  'Subscription Renewed',
];
const PAGES = ['Home', 'Pricing', 'Docs', 'Blog Post', 'Checkout', 'Account', 'Careers', 'Changelog'];
const CATEGORIES = ['Marketing', 'Docs', 'Shop', 'Support'];
const SCREENS = ['Main', 'Settings', 'Basket', 'Product Detail', 'Onboarding'];
const MONEY = ['$1,299.99', '49.90', '12.50 EUR', '€ 8,50', '$0.99', '199', 'USD 2,500.00', '-15.00'];
const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet'];
const CITIES = ['Brussels', 'Ghent', 'Lyon', 'Porto', 'Oslo', 'Kraków'];

const context = (i, traits) => ({
  app: { name: 'RudderLabs JavaScript SDK', namespace: 'com.rudderlabs.javascript', version: '3.34.1' },
  library: { name: 'RudderLabs JavaScript SDK', version: '3.34.1' },
  page: {
    path: `/p/${i % 97}`,
    referrer: 'https://www.google.com/',
    search: '',
    title: pick(PAGES, i, 1),
    url: `https://example.com/p/${i % 97}`,
  },
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  locale: 'en-GB',
  os: { name: '', version: '' },
  screen: { width: 1920, height: 1080, density: 2, innerWidth: 1280, innerHeight: 720 },
  campaign: i % 5 === 0 ? { name: 'spring', source: 'newsletter', medium: 'email' } : {},
  sessionId: 1700000000000 + (i % 300),
  traits,
});

/**
 * The properties of an event of schema `schema` (its name: a site sends the same keys with an event,
 * the values vary): `count` keys of a stable type each (strings, numbers, booleans, lists, nested
 * objects two levels deep, nulls), and one key of its own in one event of ten (an experiment id).
 */
const properties = (i, schema, count) => {
  const props = {};
  for (let k = 0; k < count; k++) {
    const key = `${WORDS[(schema * 3 + k) % WORDS.length]}_${k}`;
    const kind = (schema + k * 5) % 7;
    if (kind === 0) props[key] = pick(WORDS, i + k, 5);
    else if (kind === 1) props[key] = (draw(i + k, 6) % 10000) / 100;
    else if (kind === 2) props[key] = draw(i + k, 7) % 2 === 0;
    else if (kind === 3) props[key] = [pick(WORDS, i + k, 8), pick(WORDS, i + k, 9)];
    else if (kind === 4) props[key] = { id: `x-${i % 50}`, level: k, meta: { source: pick(WORDS, i, k) } };
    else if (kind === 5) props[key] = `${pick(WORDS, i + k, 10)} ${pick(CITIES, i + k, 11)} ${i}`;
    else props[key] = draw(i + k, 12) % 3 ? null : pick(WORDS, i, 13);
  }
  if (i % 10 === 0) props[`exp_${i % 500}`] = pick(['a', 'b'], i, 14);
  return props;
};

const product = (i, p) => ({
  product_id: `p-${(i + p) % 400}`,
  sku: `SKU-${(i * 7 + p) % 1000}`,
  name: `${pick(WORDS, i + p, 12)} ${pick(WORDS, i + p, 13)}`,
  price: ((draw(i + p, 14) % 20000) + 99) / 100,
  quantity: 1 + (p % 3),
  category: pick(CATEGORIES, i + p, 15),
  ...(p % 2 ? { variant: { color: pick(WORDS, i, 16), size: 'M' } } : {}),
});

const traits = (i) => ({
  email: `user${i % 2000}@example.com`,
  name: `User ${i % 2000}`,
  plan: pick(['free', 'pro', 'enterprise'], i, 17),
  company: { name: `Acme ${i % 40}`, employees: 10 + (i % 500), industry: pick(WORDS, i, 18) },
  address: { city: pick(CITIES, i, 19), country: 'BE', postalCode: `${1000 + (i % 8000)}` },
  createdAt: new Date(1.6e12 + i * 86_400).toISOString(),
  tags: ['beta', pick(WORDS, i, 20)],
});

const identify = (i, common) =>
  i % 3 === 0
    ? // A server-side source: traits at the top level, no browser context traits.
      { ...common, type: 'identify', traits: traits(i), context: { ...common.context, traits: undefined } }
    : { ...common, type: 'identify', context: { ...common.context, traits: traits(i) } };

const track = (i, common) => {
  const schema = draw(i, 21) % EVENTS.length;
  return {
    ...common,
    type: 'track',
    event: EVENTS[schema],
    properties: {
      ...properties(i, schema, 3 + ((schema * 7) % 20) - (i % 2)),
      ...(i % 4 === 0 ? { revenue: pick(MONEY, i, 23) } : {}),
      ...(i % 6 === 0 ? { price: pick(MONEY, i, 24), currency: 'EUR' } : {}),
    },
  };
};

const order = (i, common) => ({
  ...common,
  type: 'track',
  event: pick(['Order Completed', 'Order Completed', 'Checkout Step Completed', 'Order Refunded'], i, 25),
  properties: {
    order_id: `o-${i}`,
    ...(i % 2 ? { revenue: pick(MONEY, i, 26) } : { total: pick(MONEY, i, 27) }),
    currency: 'USD',
    coupon: i % 3 ? null : 'SPRING',
    shipping: { method: 'express', address: { city: pick(CITIES, i, 28), country: 'BE' }, cost: 9.5 },
    products: Array.from({ length: 2 + (draw(i, 29) % 5) }, (_, p) => product(i, p)),
  },
});

const view = (i, common, type) => {
  const names = type === 'page' ? PAGES : SCREENS;
  const schema = draw(i, 30) % names.length;
  return {
    ...common,
    type,
    name: names[schema],
    properties: {
      ...(i % 4 ? { category: pick(CATEGORIES, i, 32) } : {}),
      path: `/p/${i % 97}`,
      url: `https://example.com/p/${i % 97}?utm_source=news&q=${pick(WORDS, i, 33)}`,
      title: pick(PAGES, i, 34),
      referrer: 'https://www.google.com/',
      ...properties(i, 20 + schema, schema % 6),
    },
  };
};

/** Event i of the mix, as rudder-server sends its `message`. */
export const message = (i) => {
  const person = draw(i, 36) % 2000;
  const common = {
    anonymousId: `anon-${person}-${(i * 31) % 9973}`,
    userId: i % 5 === 0 ? '' : `user-${person}`,
    messageId: `msg-${i}`,
    channel: 'web',
    context: context(i, { email: `user${person}@example.com` }),
    originalTimestamp: new Date(1.7e12 + i * 1000).toISOString(),
    timestamp: new Date(1.7e12 + i * 1000 + 40).toISOString(),
    sentAt: new Date(1.7e12 + i * 1000 + 20).toISOString(),
    integrations: { All: true },
  };
  const kind = draw(i, 37) % 100;
  if (kind < 15) return identify(i, common);
  if (kind < 42) return track(i, common);
  if (kind < 57) return order(i, common);
  if (kind < 87) return view(i, common, 'page');
  if (kind < 95) return view(i, common, 'screen');
  return { ...common, type: 'alias', previousId: common.anonymousId, userId: `user-${person}` };
};

export const API_KEY = '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c';

/** The destination as rudder-server sends it with each event. */
export const destination = (prefixProperties, extra = {}) => ({
  ID: 'dest-km',
  Name: 'Kissmetrics',
  DestinationDefinition: { ID: 'def-km', Name: 'KISSMETRICS', DisplayName: 'Kiss Metrics', Config: {} },
  Config: { apiKey: API_KEY, prefixProperties, eventFilteringOption: 'disable', ...extra },
  Enabled: true,
  WorkspaceID: 'ws',
  Transformations: [],
  IsProcessorEnabled: true,
});

/** Event i as one item of a processor call: `{message, metadata, destination}`. */
export const callEvent = (i, dest) => ({
  message: message(i),
  metadata: { jobId: i + 1, messageId: `msg-${i}`, sourceId: 'src', destinationId: 'dest-km', workspaceId: 'ws' },
  destination: dest,
});

/** Counts per type, for the printed description of a mix. */
export const mixOf = (messages) => {
  const counts = {};
  for (const m of messages) counts[m.type] = (counts[m.type] ?? 0) + 1;
  return Object.entries(counts)
    .map(([type, n]) => `${n} ${type}`)
    .join(', ');
};
