import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { startService } from '../../src/service/server';
import type { RunningService } from '../../src/service/server';
import { API_KEY, NOW_MS, T, TIMESTAMP, event, get, metadata, statTags } from './fixtures';
import { call } from './http';
import { killChildren, spawnNode } from './spawn';

/** The migration naming over HTTP: `naming` of the service (`serve --naming`) and of a destination's config. */

const PROCESSOR = '/v0/destinations/kissmetrics';
const CLI = resolve(__dirname, '../../dist/cli.mjs');
const LISTENING = /^rudderstack-kissmetrics serve: listening on (http:\/\/127\.0\.0\.1:\d+) /m;

const order = {
  type: 'track',
  event: 'Order Completed',
  userId: 'u1',
  timestamp: TIMESTAMP,
  properties: { coupon: 'SPRING', revenue: '12.50 EUR', products: [{ sku: 'a' }] },
};
const page = { type: 'page', userId: 'u1', name: 'Home', timestamp: TIMESTAMP, properties: { url: '/' } };
const screen = { type: 'screen', userId: 'u1', name: 'Main', timestamp: TIMESTAMP, properties: { tab: 't' } };

const base = { _k: API_KEY, _p: 'u1', _t: T, _d: '1' };
/** Each message's answer with rudder-transformer's names (prefixProperties on): its order, page, screen. */
const COMPAT = [
  [
    get(
      '/e',
      {
        ...base,
        _n: 'Order Completed',
        'Order Completed-coupon': 'SPRING',
        'Order Completed - revenue': '12.5',
        'Billing Amount': '12.5',
      },
      'u1',
    ),
    get('/s', { ...base, 'Order Completed-sku': 'a' }, 'u1'),
  ],
  [get('/e', { ...base, _n: 'Viewed Home page', 'Page-url': '/' }, 'u1')],
  [get('/e', { ...base, _n: 'Viewed Main screen', tab: 't' }, 'u1')],
];
/** The same with our names. */
const DEFAULT = [
  [
    get(
      '/e',
      {
        ...base,
        _n: 'Order Completed',
        'Order Completed - coupon': 'SPRING',
        'Order Completed - revenue': '12.5',
        'Billing Amount': '12.5',
      },
      'u1',
    ),
    get('/s', { ...base, 'Order Completed - sku': 'a' }, 'u1'),
  ],
  [get('/e', { ...base, _n: 'Viewed Home page', 'Page - url': '/' }, 'u1')],
  [get('/e', { ...base, _n: 'Viewed Main screen', 'Screen - tab': 't' }, 'u1')],
];

/** The processor answer for these messages' requests, each event's entries in order. */
const answer = (requests: ReturnType<typeof get>[][], firstJobId = 1): unknown[] =>
  requests.flatMap((outputs, i) =>
    outputs.map((output) => ({ output, metadata: metadata(firstJobId + i), statusCode: 200 })),
  );

let service: RunningService | undefined;
const start = async (naming?: 'rudder-transformer'): Promise<string> => {
  service = await startService({ port: 0, clock: () => NOW_MS, log: () => undefined, ...(naming ? { naming } : {}) });
  return service.url;
};
afterEach(async () => {
  await service?.close();
  service = undefined;
  killChildren();
});

const config = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  apiKey: API_KEY,
  prefixProperties: true,
  ...extra,
});

describe('serve with naming rudder-transformer', () => {
  it('answers every event with its names and our values', async () => {
    const url = await start('rudder-transformer');
    const reply = await call(
      url,
      'POST',
      PROCESSOR,
      [order, page, screen].map((m, i) => event(i + 1, m, config())),
    );
    expect([reply.status, reply.json]).toEqual([200, answer(COMPAT)]);
  });

  it("lets a destination's config.naming choose, event by event", async () => {
    const url = await start('rudder-transformer');
    const body = [
      event(1, order, config({ naming: 'default' })),
      event(2, order, config()),
      event(3, order, config({ naming: 'bogus' })),
    ];
    const reply = await call(url, 'POST', PROCESSOR, body);
    expect(reply.json).toEqual([
      ...answer([DEFAULT[0] ?? []], 1),
      ...answer([COMPAT[0] ?? []], 2),
      {
        metadata: metadata(3),
        statusCode: 400,
        error: 'config.naming: expected "default" or "rudder-transformer", got "bogus"',
        statTags: statTags('configuration'),
      },
    ]);
  });

  it('keeps our names by default, and takes the naming of a config that has one', async () => {
    const url = await start();
    const body = [order, page, screen].map((m, i) => event(i + 1, m, config()));
    expect((await call(url, 'POST', PROCESSOR, body)).json).toEqual(answer(DEFAULT));
    const compat = [order, page, screen].map((m, i) => event(i + 1, m, config({ naming: 'rudder-transformer' })));
    expect((await call(url, 'POST', PROCESSOR, compat)).json).toEqual(answer(COMPAT));
  });

  it('is what `serve --naming rudder-transformer` does', async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first (npm test does)`);
    const running = spawnNode([CLI, 'serve', '--port', '0', '--naming', 'rudder-transformer'], { PORT: undefined });
    const [, url = ''] = await running.waitFor(LISTENING);
    const reply = await call(
      url,
      'POST',
      PROCESSOR,
      [order, page, screen].map((m, i) => event(i + 1, m, config())),
    );
    expect([reply.status, reply.json]).toEqual([200, answer(COMPAT)]);
  });
});
