import { STATUS_FILTERED } from '../../src/service/constants';
import { encodeAnswer } from '../../src/service/encode';
import type { CallEvent, EventOutcome } from '../../src/service/transform';
import { EVERY_TYPE, destination, metadata } from './fixtures';

const event = (jobId: number): CallEvent => ({
  item: {},
  message: {},
  metadata: metadata(jobId),
  destination: destination(),
});

const [identify, order] = EVERY_TYPE;
const translated = (requests: (typeof EVERY_TYPE)[number]['requests'], trimmed = false): EventOutcome => ({
  statusCode: 200,
  requests,
  trimmed,
});

describe('encodeAnswer', () => {
  const each: [CallEvent, EventOutcome][] = [
    [event(1), translated(identify?.requests ?? [])],
    [event(2), { statusCode: 400, error: 'bad' }],
    [event(3), { statusCode: STATUS_FILTERED, error: 'nothing' }],
    [event(4), translated(order?.requests ?? [], true)],
  ];

  it('answers the processor one entry per request, and one per refused or filtered event, in input order', () => {
    const { body } = encodeAnswer('processor', each);
    expect(body).toEqual([
      ...(identify?.requests ?? []).map((output) => ({ output, metadata: metadata(1), statusCode: 200 })),
      { metadata: metadata(2), statusCode: 400, error: 'bad' },
      { metadata: metadata(3), statusCode: STATUS_FILTERED, error: 'nothing' },
      ...(order?.requests ?? []).map((output) => ({ output, metadata: metadata(4), statusCode: 200 })),
    ]);
  });

  it('answers the router one entry per event, its requests as an array', () => {
    const common = { batched: false, destination: destination() };
    expect(encodeAnswer('router', each).body).toEqual({
      output: [
        { batchedRequest: identify?.requests, metadata: [metadata(1)], ...common, statusCode: 200 },
        { metadata: [metadata(2)], ...common, statusCode: 400, error: 'bad' },
        { metadata: [metadata(3)], ...common, statusCode: STATUS_FILTERED, error: 'nothing' },
        { batchedRequest: order?.requests, metadata: [metadata(4)], ...common, statusCode: 200 },
      ],
    });
  });

  it('counts events, requests, refused, filtered and trimmed events for the log', () => {
    expect(encodeAnswer('processor', each).summary).toEqual({
      events: 4,
      requests: 5,
      refused: 1,
      filtered: 1,
      trimmed: 1,
    });
  });
});
