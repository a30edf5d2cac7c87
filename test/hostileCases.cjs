// The hostile inputs of SPEC §4.1 and issue 8, each as the properties or traits of one call. Plain
// JavaScript, so that test/hostile.test.ts (what must hold) and bench/hostile.mjs (how long it takes)
// run the very same cases. Each input is built once, on first use: the code under test never modifies it.
'use strict';

const TEN_MB = 10 * 1024 * 1024;
const TEN_KB = 'v'.repeat(10_000);

/** `wide` keys per level, all pointing at the same child, `deep` levels: wide^deep paths to one leaf. */
const sharedDag = (wide, deep) => {
  let level = { leaf: 'x' };
  for (let i = 0; i < deep; i++) {
    const child = level;
    level = Object.fromEntries(Array.from({ length: wide }, (_, k) => [`k${k}`, child]));
  }
  return level;
};

const nested = (levels) => {
  let value = { leaf: 1 };
  for (let i = 0; i < levels; i++) value = { n: value };
  return value;
};

const manyKeys = (n, value = (i) => i) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, value(i)]));

const cycle = () => {
  const a = { name: 'a' };
  a.self = a;
  a.list = [a, { back: a }];
  return a;
};

const sparse = () => {
  const array = [];
  array[2 ** 32 - 2] = { sku: 'far' };
  return array;
};

const once = (make) => {
  let made;
  return () => (made ??= make());
};

/** @type {[string, () => Record<string, unknown>][]} */
const CASES = [
  ['a pathological money string as revenue', () => ({ revenue: '-' + ' '.repeat(3200) + '-!!' })],
  ['a pathological money string as an order total', () => ({ total: '-' + ' '.repeat(60) + '-!!' })],
  ['a 10 MB revenue of digits', () => ({ revenue: '9'.repeat(TEN_MB) })],
  ['a 10 MB string value', () => ({ text: 'x'.repeat(TEN_MB) })],
  ['a 10 MB key', () => ({ ['k'.repeat(TEN_MB)]: 1, ok: 1 })],
  ['100,000 keys', () => manyKeys(100_000)],
  ['100,000 keys of 10 kB strings', () => manyKeys(100_000, () => TEN_KB)],
  ['shared references, 2 wide and 24 deep', () => ({ tree: sharedDag(2, 24) })],
  ['shared references, 16 wide and 8 deep', () => ({ tree: sharedDag(16, 8) })],
  ['one long key over many leaves', () => ({ ['k'.repeat(1000)]: manyKeys(10_000) })],
  ['a cycle through objects and arrays', () => ({ c: cycle() })],
  ['nesting 100,000 levels deep', () => nested(100_000)],
  ['a typed array of 10 million bytes', () => ({ bytes: new Uint8Array(1e7) })],
  ['a sparse array with one element at 2^32-2', () => ({ list: sparse() })],
  ['an array of 100 million holes', () => ({ list: new Array(1e8) })],
  ['an array of a million objects', () => ({ list: Array.from({ length: 1e6 }, (_, i) => ({ i })) })],
  ['a million products', () => ({ products: Array.from({ length: 1e6 }, (_, i) => ({ sku: i })) })],
  ['a product list with one product at 2^32-2', () => ({ products: sparse() })],
  [
    'a Map and a Set of a million entries',
    () => ({
      m: new Map(Array.from({ length: 1e6 }, (_, i) => [i, i])),
      s: new Set(Array.from({ length: 1e6 }, (_, i) => i)),
    }),
  ],
  ['a lone UTF-16 surrogate', () => ({ text: 'a\uD800b', ['\uDC00key']: 1 })],
  ['the reserved parameter names', () => ({ _k: 'x', _p: 'someone else', _n: 'Other', _t: 1, _d: 0 })],
].map(([name, make]) => [name, once(make)]);

module.exports = { CASES };
