import { requestId, translateLine } from '../../../src/cli/send/translate';
import type { LineWork } from '../../../src/cli/send/translate';
import { requestsFor } from '../../../src/cloud/requests';
import { thrown } from '../../thrown';

const CONFIG = { apiKey: 'k'.repeat(40), trackingHost: 'http://127.0.0.1:9' };
const TIME = '2024-03-01T12:00:00.000Z';
const track = { type: 'track', event: 'Signed Up', userId: 'u1', timestamp: TIME };
const identify = { type: 'identify', userId: 'u2', anonymousId: 'a2', traits: { name: 'T' }, timestamp: TIME };

const line = (text: string | Buffer, start = 10) => {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  return { kind: 'line' as const, number: 3, start, end: start + bytes.length + 1, bytes };
};

describe('translate stage', () => {
  it.each<[string, string | Buffer, LineWork]>([
    ['a blank line', ' \t\r', { kind: 'blank' }],
    [
      'bytes that are not UTF-8',
      Buffer.from([0x7b, 0xe9, 0x7d]),
      { kind: 'malformed', reason: 'not valid UTF-8 text' },
    ],
    [
      'malformed JSON',
      '{"type":',
      { kind: 'malformed', reason: `malformed JSON: ${thrown(() => JSON.parse('{"type":'))}` },
    ],
    [
      'an event it cannot translate',
      '{"type":"fly"}',
      { kind: 'untranslatable', reason: thrown(() => requestsFor({ type: 'fly' }, CONFIG)) },
    ],
    ['an identify with nothing to send', '{"type":"identify","userId":"u9"}', { kind: 'nothing' }],
    [
      'a track: its requests and its person',
      JSON.stringify(track),
      { kind: 'requests', requests: requestsFor(track, CONFIG), people: ['u1'] },
    ],
    [
      'an identify with both ids: both people',
      JSON.stringify(identify),
      { kind: 'requests', requests: requestsFor(identify, CONFIG), people: ['u2', 'a2'] },
    ],
  ])('reads %s', (_name, text, expected) => {
    expect(translateLine(line(text), CONFIG)).toEqual(expected);
  });

  it('says what a line had to leave out, and still sends the rest', () => {
    const trimmed = { ...track, properties: { note: 'x'.repeat(600) } };
    const work = translateLine(line(JSON.stringify(trimmed)), CONFIG);
    expect(work).toEqual({
      kind: 'requests',
      requests: requestsFor(trimmed, CONFIG),
      people: ['u1'],
      trimmed: 'left out or cut note (cut)',
    });
  });

  it('ignores a byte order mark at the start of the input only', () => {
    const withBom = `\uFEFF${JSON.stringify(track)}`;
    expect(translateLine(line(withBom, 0), CONFIG).kind).toBe('requests');
    expect(translateLine(line(withBom, 10), CONFIG).kind).toBe('malformed');
  });
});

describe('requestId', () => {
  const requests = requestsFor({ ...track, properties: { products: [{ sku: 'a' }, { sku: 'a' }] } }, CONFIG);

  it('tells apart the requests of a line, even two alike but for their place', () => {
    const ids = requests.map((request, i) => requestId(request, i));
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{16}$/);
  });

  it('does not depend on the API key or on the time of translation, and never holds the key', () => {
    const [first] = requests;
    if (!first) throw new Error('expected a request');
    const other = { ...first, params: { ...first.params, _k: 'z'.repeat(40), _t: 1 } };
    expect(requestId(other, 0)).toBe(requestId(first, 0));
    expect(requestId({ ...first, params: { ...first.params, _n: 'Other' } }, 0)).not.toBe(requestId(first, 0));
  });
});
