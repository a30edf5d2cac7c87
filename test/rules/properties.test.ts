import { clean, eventSeconds, money, newBudget, prefix, revenueOf } from '../../src/rules/properties';
import type { Budget } from '../../src/rules/properties';

describe('clean', () => {
  it.each<[string, unknown, Record<string, unknown>]>([
    ['flattens nested objects at any depth, keeping siblings', { a: { b: { c: 1 }, d: 2 } }, { 'a.b.c': 1, 'a.d': 2 }],
    ['joins arrays of primitives with commas', { tags: ['a', 'b', 3, true] }, { tags: 'a,b,3,true' }],
    ['turns an empty array into an empty string', { tags: [] }, { tags: '' }],
    ['drops null and undefined items from joined arrays', { tags: ['a', null, undefined, 'b'] }, { tags: 'a,b' }],
    [
      'indexes arrays that contain objects',
      { items: [{ sku: 'a' }, 'loose', { sku: 'b', q: { n: 1 } }] },
      { 'items.0.sku': 'a', 'items.1': 'loose', 'items.2.sku': 'b', 'items.2.q.n': 1 },
    ],
    ['indexes arrays of arrays', { m: [[1, 2], [3]] }, { 'm.0': '1,2', 'm.1': '3' }],
    ['turns Dates into Unix seconds', { at: new Date(Date.UTC(2026, 0, 1, 0, 0, 1, 999)) }, { at: 1767225601 }],
    ['turns Dates inside arrays into Unix seconds', { at: [new Date(1000), new Date(2000)] }, { at: '1,2' }],
    ['keeps ISO date strings as strings', { at: '2026-01-01T00:00:00Z' }, { at: '2026-01-01T00:00:00Z' }],
    ['drops invalid Dates', { at: new Date('nope') }, {}],
    [
      'drops null, undefined, functions, symbols, NaN and Infinity',
      { a: null, b: undefined, c: () => 1, d: Symbol('s'), e: NaN, f: Infinity, g: -Infinity, keep: 1 },
      { keep: 1 },
    ],
    [
      'drops them at any depth too',
      { n: { a: null, b: { c: undefined } }, keep: { d: NaN, e: 'x' } },
      { 'keep.e': 'x' },
    ],
    ['makes empty objects vanish', { a: {}, b: { c: {} } }, {}],
    [
      'keeps booleans, finite numbers and strings as they are',
      { t: true, f: false, z: 0, n: -1.5, s: '' },
      { t: true, f: false, z: 0, n: -1.5, s: '' },
    ],
    ['turns bigints into strings', { big: 12345678901234567890n }, { big: '12345678901234567890' }],
    ['gives {} for anything but a plain object', 'text', {}],
    ['gives {} for null', null, {}],
    ['gives {} for an array', [1, 2], {}],
    ['keeps "." in keys as they are', { 'a.b': 1 }, { 'a.b': 1 }],
  ])('%s', (_name, input, expected) => {
    expect(clean(input)).toEqual(expected);
  });

  it('drops cycles without following them, keeping everything else', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    a.child = { parent: a, label: 'child', list: [a, { x: 1 }] };
    expect(clean(a)).toEqual({ name: 'a', 'child.label': 'child', 'child.list.1.x': 1 });
  });

  it('keeps an object that appears twice without a cycle', () => {
    const shared = { v: 1 };
    expect(clean({ a: shared, b: shared })).toEqual({ 'a.v': 1, 'b.v': 1 });
  });

  it('keeps leaves up to 32 levels below the root and drops deeper ones', () => {
    const nest = (levels: number): Record<string, unknown> => {
      let value: Record<string, unknown> = { leaf: 1 };
      for (let i = 1; i < levels; i += 1) value = { k: value };
      return value;
    };
    expect(clean(nest(32))).toEqual({ [`${'k.'.repeat(31)}leaf`]: 1 });
    expect(clean(nest(33))).toEqual({});
    expect(clean({ keep: 1, deep: nest(1000) })).toEqual({ keep: 1 });
  });

  it('keeps __proto__, constructor and prototype as ordinary data keys', () => {
    const input = JSON.parse(
      '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"x":1}},"prototype":2}',
    ) as unknown;
    const out = clean(input);
    expect(Object.keys(out)).toEqual(['__proto__.polluted', 'constructor.prototype.x', 'prototype']);
    expect(out['__proto__.polluted']).toBe('yes');
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('keeps a top-level __proto__ leaf as an own property without touching the prototype', () => {
    const out = clean(JSON.parse('{"__proto__":"data"}'));
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')).toEqual({
      value: 'data',
      enumerable: true,
      writable: true,
      configurable: true,
    });
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });

  it('does not modify its input', () => {
    const input = { a: { b: [1, { c: null }] }, d: new Date(0) };
    const copy = structuredClone(input);
    clean(input);
    expect(input).toEqual(copy);
  });
});

describe('prefix', () => {
  it('prefixes every key with "<name> - " except Billing Amount', () => {
    expect(prefix('Signed Up', { plan: 'pro', 'a.b': 1, 'Billing Amount': 5 })).toEqual({
      'Signed Up - plan': 'pro',
      'Signed Up - a.b': 1,
      'Billing Amount': 5,
    });
  });
});

describe('money', () => {
  it.each<[unknown, number | undefined]>([
    [12.5, 12.5],
    [-3, -3],
    [0, undefined],
    [NaN, undefined],
    [Infinity, undefined],
    ['$1,299.99', 1299.99],
    ['12.50 EUR', 12.5],
    ['EUR 12.50', 12.5],
    ['€12', 12],
    ['12 £', 12],
    ['-$5', -5],
    ['$-5', -5],
    ['+7', 7],
    ['  42  ', 42],
    ['.5', 0.5],
    ['1,234,567', 1234567],
    ['0.00', undefined],
    ['12,34', undefined],
    ['1,2345', undefined],
    ['--5', undefined],
    ['-$-5', undefined],
    ['$$5', undefined],
    ['abc', undefined],
    ['5 apples', undefined],
    ['1e3', undefined],
    ['150.00', 150],
    ['-5', -5],
    ['-.5', -0.5],
    ['-0', undefined],
    ['0xab', undefined],
    ['0b11', undefined],
    ['Infinity', undefined],
    ['', undefined],
    ['$', undefined],
    [null, undefined],
    [true, undefined],
    [{ amount: 5 }, undefined],
    ['- $ 5', -5],
    ['$ 1,299.99 ', 1299.99],
    ['1,299.99 USD', 1299.99],
    ['USD -3', -3],
    ['1'.repeat(64), Number('1'.repeat(64))],
    ['1'.repeat(65), undefined],
  ])('%p → %p', (input, expected) => {
    expect(money(input)).toBe(expected);
  });

  it.each([
    ['a sign, spaces, a sign and garbage', '-' + ' '.repeat(3200) + '-!!'],
    ['the same within 64 characters', '-' + ' '.repeat(60) + '-!!'],
    ['spaces between every part', '- ' + ' '.repeat(30) + '$' + ' '.repeat(30)],
    ['ten megabytes of digits', '9'.repeat(10 * 1024 * 1024)],
  ])('rejects a hostile string (%s) as not money', (_name, text) => {
    // The pattern matches every run of spaces in one place only, and nothing longer than 64
    // characters is scanned: bench/hostile.mjs measures these as linear.
    expect(money(text)).toBeUndefined();
  });
});

describe('revenueOf', () => {
  it.each<[string, Record<string, unknown>, number | undefined]>([
    ['Order Completed', { total: 10 }, 10],
    ['order completed', { total: '$10' }, 10],
    ['Order_Completed', { total: 10 }, 10],
    ['OrderCompleted', { total: 10 }, 10],
    ['Completed Order', { total: 10 }, 10],
    [' order completed ', { total: 10 }, 10],
    ['Order Completed', { total: 10, revenue: 4 }, 4],
    ['Order Completed', { total: 10, revenue: null }, 10],
    ['Order Completed Twice', { total: 10 }, undefined],
    ['Checkout', { total: 10 }, undefined],
    ['Checkout', { revenue: '10' }, 10],
  ])('%s with %p → %p', (event, props, expected) => {
    expect(revenueOf(event, props)).toBe(expected);
  });
});

describe('eventSeconds', () => {
  it('prefers timestamp, then originalTimestamp, then now, in whole seconds', () => {
    expect(eventSeconds({ timestamp: '2026-01-01T00:00:01.900Z', originalTimestamp: '2020-01-01T00:00:00Z' }, 0)).toBe(
      1767225601,
    );
    expect(eventSeconds({ timestamp: 'x', originalTimestamp: '2026-01-01T00:00:02Z' }, 0)).toBe(1767225602);
    expect(eventSeconds({ timestamp: 5 }, 7999)).toBe(7);
  });
});

describe('clean: bounded work and output (limits from what Kissmetrics stores)', () => {
  const cleaned = (input: unknown, root = ''): { out: Record<string, unknown>; budget: Budget } => {
    const budget = newBudget();
    return { out: clean(input, root, budget), budget };
  };

  it('cuts string values to 512 characters, as Kissmetrics stores them, and says so', () => {
    const { out, budget } = cleaned({ long: 'x'.repeat(10 * 1024 * 1024), short: 'y'.repeat(512) });
    expect(out).toEqual({ long: 'x'.repeat(512), short: 'y'.repeat(512) });
    expect(budget).toEqual({ values: 4094, omitted: ['long (cut)'], omissions: 1 });
  });

  it('cuts a joined list to 512 characters', () => {
    const { out, budget } = cleaned({ tags: Array.from({ length: 200 }, () => 'abc') });
    expect(out.tags).toBe(
      Array.from({ length: 200 }, () => 'abc')
        .join(',')
        .slice(0, 512),
    );
    expect(budget.omitted).toEqual(['tags (cut)']);
  });

  it('leaves out a property whose name (prefix included) is longer than 255 characters, and all below it', () => {
    const long = 'k'.repeat(300);
    const { out, budget } = cleaned({ [long]: { a: 1, b: 2 }, ['n'.repeat(255)]: 1, ok: 2 });
    expect(out).toEqual({ ['n'.repeat(255)]: 1, ok: 2 });
    expect(budget.omitted).toEqual([`${'k'.repeat(40)} (too long)`]);
    expect(cleaned({ ['p'.repeat(250)]: 1 }, 'Event - ').out).toEqual({});
  });

  it('keeps at most 256 properties in one bag and counts the rest as left out', () => {
    const input = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i]));
    const { out, budget } = cleaned(input);
    expect(Object.keys(out)).toEqual(Array.from({ length: 256 }, (_, i) => `k${i}`));
    // Every key costs a visit: past the message's 4,096 values the rest are not even looked at.
    expect(budget.omissions).toBe(100_000 - 256);
    expect(budget.omitted).toEqual([
      'k256 (too many)',
      'k257 (too many)',
      'k258 (too many)',
      'k259 (too many)',
      'k260 (too many)',
    ]);
  });

  it('reads at most 256 items of an array, whatever its length or holes', () => {
    const sparse: unknown[] = [];
    sparse[2 ** 32 - 2] = { sku: 'far away' };
    const reads: number[] = [];
    const huge = new Proxy(new Array(1e8), {
      get: (target, key, receiver) => {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads.push(Number(key));
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    const small = [1, 2, 3];
    // eslint-disable-next-line @typescript-eslint/no-array-delete -- a hole, on purpose
    delete small[1];
    const { out, budget } = cleaned({ sparse, huge, small });
    expect(out).toEqual({ sparse: '', huge: '', small: '1,3' });
    expect(reads.length).toBeLessThanOrEqual(2 * 256);
    expect(Math.max(...reads)).toBe(255);
    expect(budget.omitted).toEqual(['sparse (too many)', 'huge (too many)']);
  });

  it('keeps the first 256 items of a list of objects, indexed', () => {
    const items = Array.from({ length: 300 }, (_, i) => ({ i }));
    const { out } = cleaned({ items });
    expect(Object.keys(out)).toHaveLength(256);
    expect(out['items.255.i']).toBe(255);
    expect(out['items.256.i']).toBeUndefined();
  });

  it.each<[string, unknown]>([
    ['a typed array of ten million bytes', new Uint8Array(1e7)],
    ['a Map', new Map([['a', 1]])],
    ['a Set', new Set([1])],
    ['an ArrayBuffer', new ArrayBuffer(8)],
    ['a RegExp', /x/],
    ['an Error', new Error('e')],
    ['a boxed string', Object('text')],
    ['a Promise', Promise.resolve(1)],
  ])('never walks %s: it is left out as not plain data', (_name, value) => {
    const { out, budget } = cleaned({ value, keep: 1 });
    expect(out).toEqual({ keep: 1 });
    expect(budget.omitted).toEqual(['value (not plain data)']);
  });

  it('walks objects made by a class and objects without a prototype, like plain ones', () => {
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
    }
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 });
    expect(cleaned({ point: new Point(1, 2), bare }).out).toEqual({ 'point.x': 1, 'point.y': 2, 'bare.a': 1 });
  });

  it.each(['_k', '_p', '_n', '_t', '_d'])(
    'leaves out a property named %s (the tracking API would read it as its own parameter)',
    (name) => {
      const { out, budget } = cleaned({ [name]: 'x', nested: { [name]: 'kept' }, keep: 1 });
      expect(out).toEqual({ [`nested.${name}`]: 'kept', keep: 1 });
      expect(budget.omitted).toEqual([`${name} (reserved)`]);
      expect(cleaned({ [name]: 'x' }, 'E - ').out).toEqual({ [`E - ${name}`]: 'x' });
    },
  );

  it('visits shared references once per path, but never more than 4,096 values in one message', () => {
    // 2 wide × 24 deep: 2^24 paths to the leaves, every level the same two objects.
    let reads = 0;
    let level: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 24; i++) {
      const child = level;
      level = new Proxy(
        { a: child, b: child },
        {
          get: (target, key) => {
            // Property reads; the Symbol.toStringTag read that tells plain data apart is not one.
            if (typeof key === 'string') reads++;
            return target[key as 'a'];
          },
        },
      );
    }
    const budget = newBudget();
    const out = clean({ root: level }, '', budget);
    expect(reads).toBeLessThanOrEqual(4096);
    // Every leaf is kept under its own path until one command is full.
    expect(Object.keys(out)).toHaveLength(256);
    expect(out[`root.${'a.'.repeat(24)}leaf`]).toBe(1);
    expect(budget.values).toBeLessThanOrEqual(0);
    expect(budget.omitted[0]).toMatch(/\(too many\)$/);
  });

  it('shares one budget between the bags of a message', () => {
    const budget = newBudget();
    const bagOf = (n: number): Record<string, number> =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));
    for (let i = 0; i < 16; i++) expect(Object.keys(clean(bagOf(256), '', budget))).toHaveLength(256);
    expect(clean(bagOf(10), '', budget)).toEqual({});
    expect(budget.omissions).toBe(10);
  });

  it('names the first five places it left out and counts them all', () => {
    const { budget } = cleaned({ a: { _k: 1 }, _k: 1, _p: 2, _n: 3, _t: 4, _d: 5, b: new Map() });
    expect(budget.omitted).toEqual([
      '_k (reserved)',
      '_p (reserved)',
      '_n (reserved)',
      '_t (reserved)',
      '_d (reserved)',
    ]);
    expect(budget.omissions).toBe(6);
  });
});
