// Benchmark (not a test): translating a typical track event, as a ratio to JSON.stringify of the
// same message, both measured in this one process, interleaved, so machine noise cancels out.
import { translate } from '../dist/index.mjs';

const message = {
  type: 'track',
  event: 'Order Completed',
  messageId: 'b8f0d0a4-1b8e-4f0c-9a57-1c2d3e4f5a6b',
  anonymousId: '7e2c9a0e-5f4b-4d3c-8b2a-1e0f9d8c7b6a',
  userId: 'user-1234',
  channel: 'web',
  originalTimestamp: '2026-11-28T12:00:00.000Z',
  sentAt: '2026-11-28T12:00:00.100Z',
  context: {
    library: { name: 'RudderLabs JavaScript SDK', version: '3.34.1' },
    page: { path: '/checkout', url: 'https://shop.example/checkout', title: 'Checkout', referrer: '$direct' },
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
    locale: 'en-GB',
    screen: { width: 1920, height: 1080, density: 1 },
    traits: { email: 'ada@example.com', plan: 'pro' },
  },
  properties: {
    orderId: 'o-98765',
    total: '$1,299.99',
    currency: 'USD',
    coupon: null,
    shipping: { method: 'express', address: { city: 'Brussels', country: 'BE' }, cost: 9.5 },
    tags: ['gift', 'priority'],
    products: [
      { product_id: 'p1', sku: 'SKU-1', name: 'Tintin poster', price: 19.99, quantity: 2, category: 'Posters' },
      { product_id: 'p2', sku: 'SKU-2', name: 'Snowy mug', price: 12.5, quantity: 1, attributes: { color: 'white' } },
    ],
  },
  integrations: { All: true },
};
const settings = { apiKey: 'abc', prefixProperties: false };

const ITERATIONS_PER_SAMPLE = 20_000;
const SAMPLES = 15;
let sink = 0;

const timeNs = (fn) => {
  const start = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS_PER_SAMPLE; i += 1) sink += fn().length;
  return Number(process.hrtime.bigint() - start) / ITERATIONS_PER_SAMPLE;
};
const ours = () => translate('track', message, settings, 0);
const baseline = () => JSON.stringify(message);

// Warm both paths up so the JIT has optimised them before anything is measured.
for (let i = 0; i < 5; i += 1) {
  timeNs(ours);
  timeNs(baseline);
}
const ratios = [];
const oursNs = [];
const baselineNs = [];
for (let i = 0; i < SAMPLES; i += 1) {
  const a = timeNs(ours);
  const b = timeNs(baseline);
  oursNs.push(a);
  baselineNs.push(b);
  ratios.push(a / b);
}
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
console.log(`translate(track, 2 products):  ${median(oursNs).toFixed(0)} ns/event (median of ${SAMPLES})`);
console.log(`JSON.stringify(same message):  ${median(baselineNs).toFixed(0)} ns/event`);
console.log(`ratio translate / JSON.stringify: ${median(ratios).toFixed(2)}x (target <= 1.00x)`);
if (sink === 0) console.log('unreachable');
