import { clean, eventSeconds, money, prefix, revenueOf } from '../../src/rules/properties';

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
    ['', undefined],
    ['$', undefined],
    [null, undefined],
    [true, undefined],
    [{ amount: 5 }, undefined],
  ])('%p → %p', (input, expected) => {
    expect(money(input)).toBe(expected);
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
