import fc from 'fast-check';
import { containerAt, kindOf, membersOf, scanBody, scanValue } from '../../src/service/scan';
import type { Span } from '../../src/service/scan';
import { jsonSize } from './fixtures';

// Fixed by default so that CI is reproducible; FC_SEED=<n> replays or explores another run.
const options = { numRuns: 2_000, seed: Number(process.env.FC_SEED ?? 20261204) };

const bytes = (text: string): Buffer => Buffer.from(text);

const spanOf = (text: string): Span => {
  const scanned = scanBody(bytes(text));
  if (!scanned.ok) throw new Error(`${text}: expected ${scanned.expected} at ${scanned.at}`);
  return scanned.span;
};

describe('scanBody: where a value is, how many values it holds, how deep it nests', () => {
  it.each([
    ['{}', 1, 0, 1],
    ['[]', 1, 0, 1],
    ['[1,2,3]', 4, 0, 1],
    ['[[],[]]', 3, 0, 2],
    ['{"a":{"b":[1,{}]}}', 5, 2, 4],
    [' \n[ "a\\":]{" , "[:" ]\t', 3, 0, 1],
    ['"text"', 1, 0, 0],
    ['-1.5e3', 1, 0, 0],
    ['null', 1, 0, 0],
    ['[{"k":"v","n":[true,false,null]},{}]', 8, 2, 3],
  ])('%j holds %i values, %i keys, %i levels deep', (text, values, keys, depth) => {
    const span = spanOf(text);
    expect([span.values, span.keys, span.depth]).toEqual([values, keys, depth]);
    expect(text.slice(span.start, span.end)).toBe(text.trim());
  });

  it('counts exactly what JSON.parse builds, for any JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom('', ' ', '\n\t '), (value, space) => {
        const text = JSON.stringify(value, null, space);
        const span = spanOf(`${space}${text}${space}`);
        expect({ values: span.values, keys: span.keys, depth: span.depth }).toEqual(jsonSize(JSON.parse(text)));
      }),
      options,
    );
  });

  it.each([
    ['', 'a JSON value', 0],
    ['   ', 'a JSON value', 3],
    ['["a', 'the end of a string', 3],
    ['[1,2', "',' or ']'", 4],
    ['[[1', 'the end of an object or array', 3],
    ['{"a":"b', 'the end of a string', 7],
    ['{"a" 1}', "':' after a key", 4],
    ['{a:1}', 'a key in double quotes', 1],
    ['[1 2]', "',' or ']'", 3],
    ['{"a":1]', "',' or '}'", 6],
    ['[1] x', 'the end of the body', 4],
  ])('%j is malformed: expected %s at byte %i', (text, expected, at) => {
    expect(scanBody(bytes(text))).toEqual({ ok: false, at, expected });
  });
});

describe('containerAt and membersOf: members one level down, each with its own span', () => {
  it('gives every member of an object its key and span, decoding escaped keys', () => {
    const text = '{"a": 1, "b\\u0021": {"c": [2]}, "a": "x"}';
    const found = membersOf(bytes(text), spanOf(text));
    if (!found.ok) throw new Error('expected members');
    expect(found.members.map((m) => [m.key, text.slice(m.span.start, m.span.end), m.span.values])).toEqual([
      ['a', '1', 1],
      ['b!', '{"c": [2]}', 3],
      ['a', '"x"', 1],
    ]);
    expect(found.count).toBe(3);
  });

  it('keeps the first `max` members and counts the rest without keeping them', () => {
    const text = `[${Array.from({ length: 10 }, (_, i) => i).join(',')}]`;
    const found = containerAt(bytes(text), 0, text.length, { max: 3 });
    expect(found.ok && [found.members.length, found.count, found.span.values]).toEqual([3, 10, 11]);
  });

  it('reads the list under `descend` member by member in the same pass, whatever its place', () => {
    const text = '{"x": 0, "y": 1, "input": [{"a": 1}, [], 3], "z": 2}';
    const found = containerAt(bytes(text), 0, text.length, { max: 1, descend: 'input', descendMax: 2 });
    if (!found.ok) throw new Error('expected members');
    expect(found.members.map((m) => m.key)).toEqual(['x', 'input']);
    const input = found.members[1];
    expect(input?.count).toBe(3);
    expect(input?.members?.map((m) => text.slice(m.span.start, m.span.end))).toEqual(['{"a": 1}', '[]']);
    expect(found.span.values).toBe(9);
  });

  it('finds an array’s members for any JSON array', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { maxLength: 8 }), (list) => {
        const text = JSON.stringify(list);
        const found = membersOf(bytes(text), spanOf(text));
        expect(
          found.ok && found.members.map((m) => JSON.parse(text.slice(m.span.start, m.span.end)) as unknown),
        ).toEqual(JSON.parse(text));
      }),
      options,
    );
  });
});

describe('scanValue and kindOf', () => {
  it('stops a scalar at the next separator and says what kind a value is', () => {
    const text = '[12,{"a":true}]';
    const scalar = scanValue(bytes(text), 1, text.length);
    expect(scalar.ok && text.slice(scalar.span.start, scalar.span.end)).toBe('12');
    const object = scanValue(bytes(text), 4, text.length);
    expect(object.ok && kindOf(bytes(text), object.span)).toBe('object');
    expect(scalar.ok && kindOf(bytes(text), scalar.span)).toBe('other');
    expect(kindOf(bytes(text), spanOf(text))).toBe('array');
  });

  it('walks 33 million levels of nesting without recursion', () => {
    const levels = 1 << 25;
    const text = Buffer.alloc(2 * levels, '[');
    text.fill(']', levels);
    const scanned = scanBody(text);
    expect(scanned.ok && [scanned.span.values, scanned.span.depth]).toEqual([levels, levels]);
  });
});
