import { invalidTrackingHost } from '../../src/cloud/messages';
import { invalidNaming, unsupportedType } from '../../src/rules/messages';
import { invalidDestinationApiKey } from '../../src/service/messages';
import { NAMINGS } from '../../src/rules/naming';
import { MAX_REQUESTS_PER_EVENT, STATUS_FILTERED } from '../../src/service/constants';
import { nothingToSend, tooManyRequests } from '../../src/service/messages';
import { outcomeOf, requestBound } from '../../src/service/outcome';
import type { ReadEvent } from '../../src/service/types';
import { EVERY_TYPE, NOW_MS, TIMESTAMP, destination, metadata } from './fixtures';

const eventOf = (message: unknown, config?: Record<string, unknown>): ReadEvent => {
  const item = { message, metadata: metadata(1), destination: destination(config) };
  return { item, message, metadata: item.metadata, destination: item.destination };
};

const order = (products: unknown[], type = 'track'): Record<string, unknown> => ({
  type,
  event: 'Order Completed',
  userId: 'u1',
  timestamp: TIMESTAMP,
  properties: { products },
});

describe('requestBound: the most requests a message may become, counted without translating it', () => {
  it.each([
    ['a track without products', { type: 'track', event: 'x' }, 1],
    ['a track: one more per product that has a property', order([{ a: 1 }, {}, 'x', null, [1], { b: null }]), 3],
    ['a track whose products are not a list', { type: 'track', properties: { products: { a: 1 } } }, 1],
    ['TRACK in capitals', order([{ a: 1 }], 'TRACK'), 2],
    ['an identify', { type: 'identify' }, 2],
    ['a page with products', order([{ a: 1 }], 'page'), 1],
    ['not a message', 'hello', 1],
  ])('%s: %i', (_name, message, bound) => {
    expect(requestBound(message)).toBe(bound);
  });
});

describe('outcomeOf: each event translated on its own, within its bounds', () => {
  it.each(EVERY_TYPE)('translates $name', ({ message, config, requests }) => {
    expect(outcomeOf(eventOf(message, config), NOW_MS)).toEqual({ statusCode: 200, requests, trimmed: false });
  });

  it.each(['Track', 'TRACK', 'tRaCk'])('translates type %j as track (rudder-transformer lower-cases it)', (type) => {
    const [, withProducts] = EVERY_TYPE;
    const message = { ...withProducts?.message, type };
    expect(outcomeOf(eventOf(message, withProducts?.config), NOW_MS)).toEqual({
      statusCode: 200,
      requests: withProducts?.requests,
      trimmed: false,
    });
  });

  it.each(EVERY_TYPE)('translates $name with its type in capitals', ({ message, config, requests }) => {
    const shouting = { ...message, type: String(message.type).toUpperCase() };
    expect(outcomeOf(eventOf(shouting, config), NOW_MS)).toEqual({ statusCode: 200, requests, trimmed: false });
  });

  it('refuses a type that is none of them in any case, naming it as it came', () => {
    expect(outcomeOf(eventOf({ type: 'Reset', userId: 'u' }), NOW_MS)).toEqual({
      statusCode: 400,
      error: unsupportedType('Reset'),
      errorType: 'instrumentation',
    });
  });

  it.each([
    [{}, invalidDestinationApiKey(undefined)],
    [{ apiKey: 'not a key!' }, invalidDestinationApiKey('not a key!')],
    [{ apiKey: 'k', trackingHost: 'https://user:pw@trk.example' }, invalidTrackingHost('a URL with credentials')],
    [{ apiKey: 'k', naming: 'segment' }, invalidNaming('segment', NAMINGS)],
  ])('refuses a destination config it cannot use (%j) as a configuration error', (config, error) => {
    expect(outcomeOf(eventOf(EVERY_TYPE[4]?.message, config), NOW_MS)).toEqual({
      statusCode: 400,
      error,
      errorType: 'configuration',
    });
  });

  it('answers an event that becomes no request as filtered (298)', () => {
    expect(outcomeOf(eventOf({ type: 'identify', userId: 'u1' }), NOW_MS)).toEqual({
      statusCode: STATUS_FILTERED,
      error: nothingToSend('identify'),
      errorType: 'filtered',
    });
  });

  it(`translates an order of ${MAX_REQUESTS_PER_EVENT - 1} products: ${MAX_REQUESTS_PER_EVENT} requests`, () => {
    const products = Array.from({ length: MAX_REQUESTS_PER_EVENT - 1 }, (_, sku) => ({ sku }));
    const outcome = outcomeOf(eventOf(order(products)), NOW_MS);
    expect(outcome.statusCode === 200 && outcome.requests.length).toBe(MAX_REQUESTS_PER_EVENT);
  });

  it(`refuses an order that may become more than ${MAX_REQUESTS_PER_EVENT} requests with 413, naming the cap and the count`, () => {
    const products = Array.from({ length: 2100 }, (_, sku) => ({ sku }));
    expect(outcomeOf(eventOf(order(products)), NOW_MS)).toEqual({
      statusCode: 413,
      error: tooManyRequests(2101, MAX_REQUESTS_PER_EVENT),
      errorType: 'instrumentation',
    });
    expect(tooManyRequests(2101, MAX_REQUESTS_PER_EVENT)).toBe(
      'this event may become 2,101 Kissmetrics requests (one for the event, one per product), at most 1,000 are sent per event (MAX_REQUESTS_PER_EVENT); send the products in several events',
    );
  });

  it('passes on the refusal of an event that could not be built', () => {
    const refusal = { statusCode: 413 as const, error: 'too large', errorType: 'instrumentation' as const };
    expect(outcomeOf({ ...eventOf(EVERY_TYPE[4]?.message), refusal }, NOW_MS)).toBe(refusal);
  });
});
