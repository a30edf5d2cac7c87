import { malformedJson, notAnEventList, notARouterCall, otherDestination } from '../../src/service/messages';
import { parseCall } from '../../src/service/parse';
import { destination, metadata } from './fixtures';

const bytes = (value: unknown): Buffer => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

describe('parseCall', () => {
  it('reads a plain list of events, metadata {} when an event has none', () => {
    const list = [{ message: { type: 'track' }, metadata: metadata(1), destination: destination() }, 7];
    expect(parseCall(bytes(list), 'processor')).toEqual({
      ok: true,
      events: [
        { item: list[0], message: { type: 'track' }, metadata: metadata(1), destination: destination() },
        { item: 7, message: undefined, metadata: {}, destination: undefined },
      ],
    });
  });

  it('reads a compacted list, each destination by its own id only', () => {
    const body = {
      input: [
        { message: {}, metadata: { jobId: 1, destinationId: 'd' } },
        { message: {}, metadata: { jobId: 2, destinationId: 'toString' } },
      ],
      destinations: { d: destination() },
    };
    const call = parseCall(bytes(body), 'processor');
    expect(call.ok && call.events.map((event) => event.destination)).toEqual([destination(), undefined]);
  });

  it.each([
    ['processor', { message: {} }, 400, notAnEventList({ message: {} })],
    ['router', [1], 400, notARouterCall([1])],
    ['router', { input: [], destType: 'hs' }, 404, otherDestination('hs')],
  ] as const)('%s: %j → %i', (endpoint, body, status, error) => {
    expect(parseCall(bytes(body), endpoint)).toEqual({ ok: false, answer: { status, body: { error } } });
  });

  it('answers malformed JSON with 400 and the parser’s reason', () => {
    const reason = ((): string => {
      try {
        JSON.parse('[{');
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(parseCall(bytes('[{'), 'processor')).toEqual({
      ok: false,
      answer: { status: 400, body: { error: malformedJson(reason) } },
    });
  });
});
