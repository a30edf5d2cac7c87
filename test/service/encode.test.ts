import { STATUS_FILTERED } from '../../src/service/constants';
import { answerClosing, answerOpening, answerState, encodeEvent } from '../../src/service/encode';
import type { AnswerState } from '../../src/service/encode';
import { answerFull, destinationNotEchoed, metadataNotEchoed } from '../../src/service/messages';
import type { Outcome } from '../../src/service/outcome';
import type { ReadEvent } from '../../src/service/types';
import type { Endpoint } from '../../src/service/types';
import { EVERY_TYPE, destination, metadata, statTags } from './fixtures';

const event = (jobId: number, extra: Partial<ReadEvent> = {}): ReadEvent => ({
  item: {},
  message: {},
  metadata: metadata(jobId),
  destination: destination(),
  ...extra,
});

const [identify, order] = EVERY_TYPE;
const translated = (requests: (typeof EVERY_TYPE)[number]['requests'], trimmed = false): Outcome => ({
  statusCode: 200,
  requests,
  trimmed,
});

const each: [ReadEvent, Outcome][] = [
  [event(1), translated(identify?.requests ?? [])],
  [event(2), { statusCode: 400, error: 'bad', errorType: 'configuration' }],
  [event(3), { statusCode: STATUS_FILTERED, error: 'nothing', errorType: 'filtered' }],
  [event(4), translated(order?.requests ?? [], true)],
];

/** The whole answer as the write stage would send it, parsed back. */
const encodeAll = (state: AnswerState, events: [ReadEvent, Outcome][]): unknown =>
  JSON.parse(
    answerOpening(state.endpoint) +
      events.flatMap(([read, outcome]) => encodeEvent(state, read, outcome)).join('') +
      answerClosing(state.endpoint),
  );

const answer = (endpoint: Endpoint, maxBytes = 1024 * 1024): { body: unknown; state: AnswerState } => {
  const state = answerState(endpoint, maxBytes);
  return { body: encodeAll(state, each), state };
};

/** Nested `levels` deep, built without JSON (deeper than `JSON.stringify` can recurse). */
const deep = (levels: number): unknown => {
  let value: unknown = {};
  for (let i = 0; i < levels; i++) value = { inner: value };
  return value;
};

describe('encodeEvent: the entries of one event, as text, in the shape of the endpoint', () => {
  it('answers the processor one entry per request, and one with statTags per refused or filtered event, in input order', () => {
    expect(answer('processor').body).toEqual([
      ...(identify?.requests ?? []).map((output) => ({ output, metadata: metadata(1), statusCode: 200 })),
      { metadata: metadata(2), statusCode: 400, error: 'bad', statTags: statTags('configuration') },
      { metadata: metadata(3), statusCode: STATUS_FILTERED, error: 'nothing', statTags: statTags('filtered') },
      ...(order?.requests ?? []).map((output) => ({ output, metadata: metadata(4), statusCode: 200 })),
    ]);
  });

  it('answers the router one entry per event, its requests as an array', () => {
    const common = { batched: false, destination: destination() };
    expect(answer('router').body).toEqual({
      output: [
        { batchedRequest: identify?.requests, metadata: [metadata(1)], ...common, statusCode: 200 },
        {
          metadata: [metadata(2)],
          ...common,
          statusCode: 400,
          error: 'bad',
          statTags: statTags('configuration', 'router'),
        },
        {
          metadata: [metadata(3)],
          ...common,
          statusCode: STATUS_FILTERED,
          error: 'nothing',
          statTags: statTags('filtered', 'router'),
        },
        { batchedRequest: order?.requests, metadata: [metadata(4)], ...common, statusCode: 200 },
      ],
    });
  });

  it('counts events, requests, refused, filtered and trimmed events for the log', () => {
    expect(answer('processor').state.summary).toEqual({ events: 4, requests: 5, refused: 1, filtered: 1, trimmed: 1 });
  });

  it('counts the bytes it encodes', () => {
    const { state } = answer('processor');
    const text = JSON.stringify(answer('processor').body);
    expect(state.bytes).toBe(Buffer.byteLength(text) - 2);
  });

  it('echoes metadata as it came, whatever it is', () => {
    const odd = JSON.parse('[null, 7, "text", [1, {"a": []}], {"__proto__": {"x": 1}, "é": "😀"}]') as unknown[];
    const state = answerState('processor', 1024 * 1024);
    const body = encodeAll(
      state,
      odd.map((value, i) => [
        event(i, { metadata: value }),
        { statusCode: 400, error: 'bad', errorType: 'instrumentation' },
      ]),
    ) as { metadata: unknown }[];
    expect(body.map((entry) => entry.metadata)).toStrictEqual(
      JSON.parse('[null, 7, "text", [1, {"a": []}], {"__proto__": {"x": 1}, "é": "😀"}]'),
    );
  });

  it.each(['processor', 'router'] as const)(
    '%s: refuses an event whose metadata cannot be encoded, echoing its top-level fields (jobId)',
    (endpoint) => {
      const state = answerState(endpoint, 1024 * 1024);
      const unencodable = { jobId: 9, workspaceId: 'ws-1', nested: deep(100_000), list: [1] };
      const text = encodeEvent(state, event(9, { metadata: unencodable }), translated(identify?.requests ?? [])).join(
        '',
      );
      const entry = JSON.parse(text) as Record<string, unknown>;
      expect(entry).toMatchObject({
        metadata: endpoint === 'router' ? [{ jobId: 9, workspaceId: 'ws-1' }] : { jobId: 9, workspaceId: 'ws-1' },
        statusCode: 400,
        error: metadataNotEchoed(),
        statTags: statTags('instrumentation', endpoint, { workspaceId: 'ws-1' }),
      });
      expect(state.summary).toEqual({ events: 1, requests: 0, refused: 1, filtered: 0, trimmed: 0 });
    },
  );

  it('router: refuses an event whose destination cannot be encoded, echoing its top-level fields', () => {
    const state = answerState('router', 1024 * 1024);
    const unencodable = { ID: 'dest-km-1', Config: deep(100_000) };
    const text = encodeEvent(state, event(5, { destination: unencodable }), translated([])).join('');
    expect(JSON.parse(text)).toMatchObject({
      metadata: [metadata(5)],
      destination: { ID: 'dest-km-1' },
      statusCode: 400,
      error: destinationNotEchoed(),
    });
  });

  it('refuses, once the answer is full, the event that would pass the cap, and says so', () => {
    const requests = order?.requests ?? [];
    const oneEntry = `{"output":${JSON.stringify(requests[0])},"metadata":${JSON.stringify(metadata(1))},"statusCode":200}`;
    // Room for the first event's three entries (and their commas), not for the second's.
    const state = answerState('processor', 4 * (Buffer.byteLength(oneEntry) + 8));
    const body = encodeAll(state, [
      [event(1), translated(requests)],
      [event(2), translated(requests)],
    ]) as { statusCode: number; error?: string; statTags?: unknown }[];
    expect(body.map((entry) => entry.statusCode)).toEqual([200, 200, 200, 413]);
    expect(body[3]).toEqual({
      metadata: metadata(2),
      statusCode: 413,
      error: answerFull(state.maxBytes),
      statTags: statTags('instrumentation'),
    });
    expect(state.full).toBe(true);
    expect(state.summary).toEqual({ events: 2, requests: 3, refused: 1, filtered: 0, trimmed: 0 });
  });
});
