import {
  MAX_CACHED_DESTINATIONS,
  MAX_DEPTH_LEVELS_PER_EVENT,
  MAX_REPARSED_BODY_BYTES,
  MAX_VALUES_PER_DESTINATION,
  MAX_VALUES_PER_EVENT,
} from '../../src/service/constants';
import {
  callTooLarge,
  destinationTooDeep,
  destinationTooLarge,
  eventTooDeep,
  eventTooLarge,
  malformedAt,
  malformedDestination,
  malformedEvent,
  malformedJson,
  notAnEventList,
  notARouterCall,
  otherDestination,
  tooManyEvents,
} from '../../src/service/messages';
import { parseCall, readEvent, readerOf } from '../../src/service/parse';
import type { ReadEvent } from '../../src/service/types';
import type { Endpoint } from '../../src/service/types';
import { destination, jsonSize, metadata } from './fixtures';

const bytes = (value: unknown): Buffer => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

const parserReason = (text: string): string => {
  try {
    JSON.parse(text);
    return '';
  } catch (error) {
    return (error as Error).message;
  }
};

/** Every event of a call, built in order as the pipeline builds them. */
const eventsOf = (body: unknown, endpoint: Endpoint = 'processor', maxEvents = 1000): ReadEvent[] => {
  const parsed = parseCall(bytes(body), endpoint, maxEvents);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.answer));
  const reader = readerOf(parsed.call);
  return parsed.call.events.map((_, i) => readEvent(reader, i));
};

/** `[[[…]]]`, `levels` deep. */
const nested = (levels: number): string => '['.repeat(levels) + ']'.repeat(levels);

describe('parseCall and readEvent: the events of a call, built one at a time', () => {
  it('reads a plain list of events, metadata {} when an event has none', () => {
    const list = [{ message: { type: 'track' }, metadata: metadata(1), destination: destination() }, 7];
    expect(eventsOf(list)).toEqual([
      { item: list[0], message: { type: 'track' }, metadata: metadata(1), destination: destination() },
      { item: 7, message: undefined, metadata: {}, destination: undefined },
    ]);
  });

  it('reads a compacted list, each destination by its own id only', () => {
    const body = {
      input: [
        { message: {}, metadata: { jobId: 1, destinationId: 'd' } },
        { message: {}, metadata: { jobId: 2, destinationId: 'toString' } },
        { message: {}, metadata: { jobId: 3, destinationId: 'd' }, destination: null },
      ],
      destinations: { d: destination() },
    };
    expect(eventsOf(body).map((event) => event.destination)).toEqual([destination(), undefined, destination()]);
  });

  it('reads a router call whose destType is kissmetrics in any letter case', () => {
    const body = {
      input: [{ message: {}, metadata: { jobId: 4 }, destination: destination() }],
      destType: 'KissMetrics',
    };
    expect(eventsOf(body, 'router').map((event) => event.metadata)).toEqual([{ jobId: 4 }]);
  });

  it.each([
    ['processor', { message: {} }, 400, notAnEventList({})],
    ['processor', '"a string"', 400, notAnEventList('a string')],
    ['processor', { input: 'no list' }, 400, notAnEventList({})],
    ['router', [1], 400, notARouterCall([1])],
    ['router', 12, 400, notARouterCall(12)],
    ['router', { input: [], destType: 'hs' }, 404, otherDestination('hs')],
    ['router', { input: [], destType: { name: 'kissmetrics' } }, 404, otherDestination({})],
    ['router', { input: [] }, 404, otherDestination(undefined)],
  ] as const)('%s: %j → %i', (endpoint, body, status, error) => {
    expect(parseCall(bytes(body), endpoint, 1000)).toEqual({ ok: false, answer: { status, body: { error } } });
  });

  it('refuses more events than the call may hold with 413, counting them all and building none', () => {
    expect(parseCall(bytes([{}, {}, {}]), 'processor', 2)).toEqual({
      ok: false,
      answer: { status: 413, body: { error: tooManyEvents(3, 2) } },
    });
    expect(parseCall(bytes({ input: [1, 2, 3, 4], destType: 'kissmetrics' }), 'router', 3)).toEqual({
      ok: false,
      answer: { status: 413, body: { error: tooManyEvents(4, 3) } },
    });
  });

  it.each(['[{', '[{"message": {"type": "track"', 'tru', '[1] 2', '\uFEFF[]'])(
    'answers the malformed body %j with 400 and the JSON parser’s own reason',
    (text) => {
      expect(parseCall(bytes(text), 'processor', 1000)).toEqual({
        ok: false,
        answer: { status: 400, body: { error: malformedJson(parserReason(text)) } },
      });
    },
  );

  it(`answers a malformed body over ${MAX_REPARSED_BODY_BYTES} bytes with where the scan stopped, without parsing it`, () => {
    const text = `[${'{},'.repeat(MAX_REPARSED_BODY_BYTES / 3)}{}`;
    expect(parseCall(bytes(text), 'processor', 1_000_000)).toEqual({
      ok: false,
      answer: { status: 400, body: { error: malformedJson(malformedAt("',' or ']'", text.length)) } },
    });
  });
});

describe('an event that is not built answers for itself, with what can be read of its metadata', () => {
  const bigMessage = {
    type: 'track',
    event: 'Big',
    userId: 'u',
    properties: { list: Array(MAX_VALUES_PER_EVENT).fill(0) },
  };

  it(`refuses an event of more than ${MAX_VALUES_PER_EVENT} values with 413; its metadata comes back whole`, () => {
    const bigEvent = { message: bigMessage, metadata: metadata(1), destination: destination() };
    const [big, next] = eventsOf([bigEvent, { message: {}, metadata: metadata(2) }]);
    const { values } = jsonSize(bigEvent);
    expect(big).toEqual({
      item: undefined,
      message: undefined,
      metadata: metadata(1),
      destination: destination(),
      refusal: {
        statusCode: 413,
        error: eventTooLarge(values, MAX_VALUES_PER_EVENT),
        errorType: 'instrumentation',
      },
    });
    expect(next?.metadata).toEqual(metadata(2));
  });

  it('reads the top-level strings, numbers, booleans and nulls of metadata that is itself too large or too deep', () => {
    const text = `[{"metadata": {"jobId": 7, "messageId": "m-7", "flag": false, "none": null, "deep": ${nested(MAX_DEPTH_LEVELS_PER_EVENT + 10)}, "__proto__": 1}, "message": {}}]`;
    const [event] = eventsOf(text);
    expect(event?.metadata).toStrictEqual(
      JSON.parse('{"jobId": 7, "messageId": "m-7", "flag": false, "none": null, "__proto__": 1}'),
    );
    expect(event?.refusal).toEqual({
      statusCode: 413,
      error: eventTooDeep(MAX_DEPTH_LEVELS_PER_EVENT + 12, MAX_DEPTH_LEVELS_PER_EVENT),
      errorType: 'instrumentation',
    });
  });

  it(`refuses an event nested more than ${MAX_DEPTH_LEVELS_PER_EVENT} levels; one at the limit is built`, () => {
    // The event is level 1: a message nested n levels makes it n + 1 deep.
    const at = `[{"metadata": {"jobId": 1}, "message": ${nested(MAX_DEPTH_LEVELS_PER_EVENT - 1)}}]`;
    expect(eventsOf(at)[0]?.refusal).toBeUndefined();
    const over = `[{"metadata": {"jobId": 1}, "message": ${nested(MAX_DEPTH_LEVELS_PER_EVENT)}}]`;
    expect(eventsOf(over)[0]).toMatchObject({
      metadata: { jobId: 1 },
      refusal: { statusCode: 413, error: eventTooDeep(MAX_DEPTH_LEVELS_PER_EVENT + 1, MAX_DEPTH_LEVELS_PER_EVENT) },
    });
  });

  it('refuses an event that is not JSON on its own (400, the parser’s reason), and builds the others', () => {
    const text = '[{"metadata": {"jobId": 1}, "message": {"n": tru}}, {"metadata": {"jobId": 2}}]';
    const [bad, good] = eventsOf(text);
    expect(bad).toMatchObject({
      metadata: { jobId: 1 },
      refusal: {
        statusCode: 400,
        error: malformedEvent(parserReason('{"metadata": {"jobId": 1}, "message": {"n": tru}}')),
      },
    });
    expect(good).toEqual({
      item: { metadata: { jobId: 2 } },
      message: undefined,
      metadata: { jobId: 2 },
      destination: undefined,
    });
  });

  it('refuses the events that name a compacted destination too large, too deep or not JSON, and only those', () => {
    const large = { ...destination(), list: Array(MAX_VALUES_PER_DESTINATION).fill(0) };
    const text = JSON.stringify({
      input: ['large', 'deep', 'bad', 'fine'].map((id, jobId) => ({
        message: {},
        metadata: { jobId, destinationId: id },
      })),
      destinations: { large, deep: 0, bad: 0, fine: destination() },
    })
      .replace('"deep":0', `"deep":${nested(MAX_DEPTH_LEVELS_PER_EVENT + 1)}`)
      .replace('"bad":0', '"bad":{"Config": nul}');
    const events = eventsOf(text);
    expect(events.map((event) => event.refusal)).toEqual([
      {
        statusCode: 413,
        error: destinationTooLarge(jsonSize(large).values, MAX_VALUES_PER_DESTINATION),
        errorType: 'instrumentation',
      },
      {
        statusCode: 413,
        error: destinationTooDeep(MAX_DEPTH_LEVELS_PER_EVENT + 1, MAX_DEPTH_LEVELS_PER_EVENT),
        errorType: 'instrumentation',
      },
      { statusCode: 400, error: malformedDestination(parserReason('{"Config": nul}')), errorType: 'instrumentation' },
      undefined,
    ]);
    expect(events[3]?.destination).toEqual(destination());
  });

  it.each(['values', 'keys'] as const)(
    'refuses, once a call has built its share of JSON %s, each later event that would pass it (413), never building it',
    (what) => {
      const events = [1, 2, 3, 4].map((jobId) => ({
        message: { type: 'track', n: [jobId, { jobId }] },
        metadata: { jobId },
      }));
      const sizes = events.map((event) => jsonSize(event));
      const first2 = (sizes[0]?.[what] ?? 0) + (sizes[1]?.[what] ?? 0);
      const parsed = parseCall(bytes(events), 'processor', 1000);
      if (!parsed.ok) throw new Error('expected a call');
      const reader = what === 'values' ? readerOf(parsed.call, first2, 1e9) : readerOf(parsed.call, 1e9, first2);
      const read = parsed.call.events.map((_, i) => readEvent(reader, i));
      const refusal = {
        statusCode: 413,
        error: callTooLarge(what, first2, sizes[2]?.[what] ?? 0, first2),
        errorType: 'instrumentation',
      };
      expect(read.map((event) => [event.metadata, event.refusal])).toEqual([
        [{ jobId: 1 }, undefined],
        [{ jobId: 2 }, undefined],
        [{ jobId: 3 }, refusal],
        [{ jobId: 4 }, refusal],
      ]);
      expect(read[2]?.item).toBeUndefined();
    },
  );

  it(`keeps at most ${MAX_CACHED_DESTINATIONS} compacted destinations built, and builds one again when it is needed again`, () => {
    const ids = Array.from({ length: MAX_CACHED_DESTINATIONS + 1 }, (_, i) => `d${i}`);
    const body = {
      input: [...ids, 'd0'].map((id, jobId) => ({ message: {}, metadata: { jobId, destinationId: id } })),
      destinations: Object.fromEntries(ids.map((id) => [id, destination({ apiKey: id })])),
    };
    const parsed = parseCall(bytes(body), 'processor', 1000);
    if (!parsed.ok) throw new Error('expected a call');
    const reader = readerOf(parsed.call);
    const built = parsed.call.events.map((_, i) => readEvent(reader, i).destination);
    expect(reader.destinations.size).toBe(MAX_CACHED_DESTINATIONS);
    expect(built[0]).toEqual(destination({ apiKey: 'd0' }));
    expect(built[MAX_CACHED_DESTINATIONS + 1]).toEqual(destination({ apiKey: 'd0' }));
    expect(built[MAX_CACHED_DESTINATIONS + 1]).not.toBe(built[0]);
  });
});
