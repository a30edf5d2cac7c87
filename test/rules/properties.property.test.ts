import fc from 'fast-check';
import { clean, eventSeconds, money } from '../../src/rules/properties';

// Fixed by default so that CI is reproducible; fast-check prints the seed and path of any failure,
// and FC_SEED=<n> replays or explores another run.
const SEED = Number(process.env.FC_SEED ?? 20261128);
const RUNS = 10_000;
const options = { numRuns: RUNS, seed: SEED };

const TRICKY_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', ''];
const key = fc.oneof(fc.constantFrom(...TRICKY_KEYS), fc.string({ maxLength: 6 }));

/** Anything a caller might pass: every JS value kind, nested, plus tricky keys and cycles. */
const anyValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string(),
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constantFrom(null, undefined, NaN, Infinity, -Infinity, Symbol('s'), () => 1),
    fc.bigInt(),
    fc.date({ noInvalidDate: false }),
    fc.array(tie('value'), { maxLength: 4 }),
    tie('object'),
  ),
  object: fc
    .array(fc.tuple(key, tie('value')), { maxLength: 5 })
    .map((entries) => Object.fromEntries(entries) as Record<string, unknown>),
}));

/** Adds cycles: some nested objects point back at the root or at themselves. */
const withCycles = fc.tuple(anyValue.object, fc.array(fc.nat(), { maxLength: 3 })).map(([root, picks]) => {
  const objects: Record<string, unknown>[] = [];
  const collect = (value: unknown): void => {
    if (typeof value === 'object' && value !== null && !objects.includes(value as Record<string, unknown>)) {
      objects.push(value as Record<string, unknown>);
      for (const child of Object.values(value)) collect(child);
    }
  };
  collect(root);
  picks.forEach((pick, i) => {
    const target = objects[pick % objects.length];
    if (target && !Array.isArray(target)) target[`cycle${i}`] = i % 2 ? target : root;
  });
  return root;
});

const isKmValue = (value: unknown): boolean =>
  typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));

describe('clean, on generated input (fast-check, 10,000 runs each)', () => {
  it('never throws and emits only string keys with string, finite number or boolean values', () => {
    fc.assert(
      fc.property(fc.oneof(withCycles, anyValue.value), (input) => {
        const out = clean(input);
        expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
        for (const name of Reflect.ownKeys(out)) {
          expect(typeof name).toBe('string');
          expect(isKmValue(out[name as string])).toBe(true);
        }
      }),
      options,
    );
  });

  it('drops nothing it should keep: every non-null leaf of a nested object appears under its dotted path', () => {
    // A JSON tree as entry lists, turned into JSON text so that every key (even __proto__) is an own key.
    type Tree = { leaf: string | number | boolean | null } | { entries: [string, Tree][] };
    const plainKey = fc.oneof(fc.constantFrom(...TRICKY_KEYS.filter(Boolean)), fc.stringMatching(/^[a-z0-9 _-]{1,5}$/));
    const tree = fc.letrec<{ tree: Tree }>((tie) => ({
      tree: fc.oneof(
        { depthSize: 'small' },
        fc
          .oneof(
            fc.string(),
            fc.integer(),
            fc.double({ noNaN: true, noDefaultInfinity: true }),
            fc.boolean(),
            fc.constant(null),
          )
          .map((leaf) => ({ leaf })),
        fc
          .uniqueArray(fc.tuple(plainKey, tie('tree')), { maxLength: 4, selector: ([k]) => k })
          .map((entries) => ({ entries })),
      ),
    }));
    const toJson = (t: Tree): string =>
      'leaf' in t
        ? JSON.stringify(t.leaf)
        : `{${t.entries.map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`).join(',')}}`;
    const expectedLeaves = (t: Tree, path: string, out: Map<string, unknown>): Map<string, unknown> => {
      if ('leaf' in t) {
        // The tracking API's own parameter names are left out (SPEC: reserved in both modes).
        const reserved = ['_k', '_p', '_n', '_t', '_d'].includes(path);
        if (t.leaf !== null && !reserved) out.set(path, Object.is(t.leaf, -0) ? 0 : t.leaf);
      } else for (const [k, v] of t.entries) expectedLeaves(v, path ? `${path}.${k}` : k, out);
      return out;
    };
    const root = fc
      .uniqueArray(fc.tuple(plainKey, tree.tree), { maxLength: 5, selector: ([k]) => k })
      .map((entries) => ({ entries }));

    fc.assert(
      fc.property(root, (t) => {
        const out = clean(JSON.parse(toJson(t)));
        const expected = expectedLeaves(t, '', new Map());
        expect(new Map(Object.entries(out).map(([k, v]) => [k, Object.is(v, -0) ? 0 : v]))).toEqual(expected);
      }),
      options,
    );
  });

  it('joins arrays of primitives in order, keeping every string, finite number and boolean', () => {
    const item = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined));
    fc.assert(
      fc.property(fc.array(item, { maxLength: 8 }), (list) => {
        const kept = list.filter((x) => x !== null && x !== undefined).map(String);
        expect(clean({ list })).toEqual({ list: kept.join(',') });
      }),
      options,
    );
  });

  it('never modifies a prototype, whatever keys the input has', () => {
    const prototypes = [Object.prototype, Array.prototype, Function.prototype, Date.prototype];
    const before = prototypes.map((p) => Reflect.ownKeys(p).length);
    const json = fc
      .jsonValue()
      .map((value) => JSON.stringify({ __proto__: value, constructor: { prototype: value }, prototype: value, value }));
    fc.assert(
      fc.property(json, fc.oneof(withCycles, anyValue.object), (text, generated) => {
        clean(JSON.parse(text));
        clean(generated);
        expect(prototypes.map((p) => Reflect.ownKeys(p).length)).toEqual(before);
        expect(Object.keys({})).toEqual([]);
        expect(({} as Record<string, unknown>).value).toBeUndefined();
      }),
      options,
    );
  });
});

describe('eventSeconds, on generated timestamps (fast-check)', () => {
  it('reads any ISO 8601 UTC timestamp exactly as Date.parse does', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date(-62e12), max: new Date(253e12), noInvalidDate: true }), (date) => {
        const text = date.toISOString();
        expect(eventSeconds({ timestamp: text }, 0)).toBe(Math.floor(Date.parse(text) / 1000));
      }),
      options,
    );
  });

  it.each([
    '2026-02-29T00:00:00.000Z',
    '2024-02-29T12:00:00.000Z',
    '2026-04-31T00:00:00.000Z',
    '2026-12-31T23:59:59.999Z',
    '2026-11-29T24:00:00.000Z',
    '0999-01-01T00:00:00.000Z',
    '0050-01-01T00:00:00.000Z',
    '2026-11-29T10:00:00.000+01:00',
    '2026-11-29T10:00:00Z',
    '2026-11-29',
    'Sun, 29 Nov 2026 10:00:00 GMT',
  ])('reads %s as Date.parse does, or falls back to the clock when it cannot', (text) => {
    const parsed = Date.parse(text);
    expect(eventSeconds({ timestamp: text }, 5000)).toBe(Number.isNaN(parsed) ? 5 : Math.floor(parsed / 1000));
  });
});

describe('money, on generated strings (fast-check)', () => {
  // The grammar of a money amount, written out with capture groups as a reference: at most one sign,
  // before or after a currency that comes first; a currency is one symbol or three letters.
  const REFERENCE =
    /^([+-]?)\s*(?:(?:[^\w\s.,+-]|[a-z]{3})\s*)?([+-]?)(\d{1,3}(?:,\d{3})+|\d+|)(\.\d+)?(?:\s*(?:[^\w\s.,+-]|[a-z]{3}))?$/i;
  const reference = (text: string): number | undefined => {
    const [, sign = '', signAfter = '', units = '', decimals = ''] = REFERENCE.exec(text.trim()) ?? [];
    if ((sign && signAfter) || !(units || decimals)) return undefined;
    const amount = Number(sign + signAfter + units.replace(/,/g, '') + decimals);
    return Number.isFinite(amount) && amount !== 0 ? amount : undefined;
  };
  const moneyish = fc
    .array(fc.constantFrom('$', '€', '-', '+', ' ', '\t', '0', '1', '9', '.', ',', 'E', 'U', 'R', 'x', 'a', 'b', '_'), {
      maxLength: 14,
    })
    .map((chars) => chars.join(''));

  it('agrees with the reference grammar on every string of money characters', () => {
    fc.assert(
      fc.property(moneyish, (text) => {
        expect(money(text)).toBe(reference(text));
      }),
      options,
    );
  });
});
