import {
  BILLING_AMOUNT,
  MAX_ARRAY_ITEMS,
  MAX_CACHED_NAMES,
  MAX_DEPTH_LEVELS,
  MAX_MONEY_LENGTH_CHARS,
  MAX_NAME_LENGTH_CHARS,
  MAX_NAMED_OMISSIONS,
  MAX_PROPERTIES_PER_COMMAND,
  MAX_VALUE_LENGTH_CHARS,
  MAX_VALUES_PER_MESSAGE,
  MONEY_PATTERN,
  NOT_A_DIGIT,
  ORDER_COMPLETED_EVENT,
  PREFIX_SEPARATOR,
  RESERVED_NAME,
} from './constants';
import type { KmProperties, KmValue } from './types';

export type Bag = Record<string, unknown>;

const isObject = (value: unknown): value is Bag => typeof value === 'object' && value !== null;

export const isRecord = (value: unknown): value is Bag => isObject(value) && !Array.isArray(value);

/** `value` when it is an array, else an empty one: for optional lists. */
export const listOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** `value` when it is a plain object, else an empty one: for optional property bags. */
export const bag = (value: unknown): Bag => (isRecord(value) ? value : {});

// eslint-disable-next-line @typescript-eslint/unbound-method -- always called with .call
const HAS_OWN = Object.prototype.hasOwnProperty;

/**
 * `value[key]` when `value` is an object that has `key` as its own property, else undefined. Every field
 * of a message or a config is read with it: a getter a page defined on `Object.prototype` for a field
 * the message lacks (`revenue`, `traits`, `timestamp`…) must not put a value into what we send.
 */
export const own = (value: unknown, key: string): unknown =>
  isObject(value) && HAS_OWN.call(value, key) ? value[key] : undefined;

export const unixSeconds = (ms: number): number => Math.floor(ms / 1000);

/** A non-empty id or name: strings as they are, finite numbers as strings; anything else is none. */
export const idOf = (value: unknown): string | undefined =>
  typeof value === 'string' ? value || undefined : Number.isFinite(value) ? String(value) : undefined;

/**
 * The work one message may still do and what it had to leave out, shared by every bag of the
 * message so that one warning can say it all.
 */
export interface Budget {
  /** Values that may still be visited. */
  values: number;
  /** Where something was left out or cut and why, for the warning: the first few only… */
  omitted: string[];
  /** …and how many in all. */
  omissions: number;
}

export const newBudget = (): Budget => ({ values: MAX_VALUES_PER_MESSAGE, omitted: [], omissions: 0 });

/** Notes that `name` (and `count - 1` more after it) was left out, or cut, for `why`. */
export const omit = (budget: Budget, name: string, why: string, count = 1): void => {
  if (budget.omissions < MAX_NAMED_OMISSIONS) budget.omitted.push(`${name.slice(0, 40)} (${why})`);
  budget.omissions += count;
};

/**
 * Prefixed property names built before, by the prefix they extend (`Order Completed - ` + `total`). A
 * name the engine has not seen must be built and interned before it can name a property, which costs
 * several times a property under a name it knows (measured in Chromium); real sites send the same few
 * events and keys, so the prefixed names of the walk's top level are looked up instead. Nested paths
 * (`shipping.` + `method`) are joined each time: caching them helped repeated messages a little, but
 * every nested object under a key that never repeats (`cart_8f3a.`) then cost a table of its own,
 * and such pages became several times slower. Bounded: emptied when it holds `MAX_CACHED_NAMES`.
 */
let NAMES = Object.create(null) as Record<string, Record<string, string> | undefined>;
let cachedNames = 0;

/**
 * `path + key`, counted into the cache, which is emptied when it is full (this name then goes into the
 * table just dropped, so the new one starts at 0).
 */
const newName = (path: string, key: string): string => {
  if (cachedNames++ >= MAX_CACHED_NAMES) {
    NAMES = Object.create(null) as typeof NAMES;
    cachedNames = 0;
  }
  return path + key;
};

/** `path + key`, built once per `path` and key (see `NAMES`). */
export const nameOf = (path: string, key: string): string =>
  // No prototype: `constructor` or `__proto__` are ordinary keys.
  ((NAMES[path] ??= Object.create(null) as Record<string, string>)[key] ??= newName(path, key));

/**
 * A property bag under construction. It has no prototype, so that no setter or getter a page defined on
 * `Object.prototype` (or its `__proto__` accessor) can take, drop or change a value as we add it: every
 * key is an ordinary data key. `finished` gives it `Object.prototype` back once it is complete, so that
 * the Kissmetrics library, which may call methods such as `hasOwnProperty` on what we push, gets an
 * ordinary object. (A bag without a prototype is also kept by the engine as a hash table, so a name seen
 * for the first time costs no new hidden class.)
 */
export const newBag = (): KmProperties => Object.create(null) as KmProperties;

/** `bag`, complete, as an ordinary object (see `newBag`). */
export const finished = (bag: KmProperties): KmProperties =>
  Object.setPrototypeOf(bag, Object.prototype) as KmProperties;

// A `__proto__` key must stay an own data property: plain assignment would replace the prototype.
const put = (out: KmProperties, key: string, value: KmValue): void => {
  if (key === '__proto__')
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
};

/** A string value as Kissmetrics keeps it: at most `MAX_VALUE_LENGTH_CHARS` characters. */
export const cut = (value: KmValue, name: string, budget: Budget): KmValue => {
  if (typeof value !== 'string' || value.length <= MAX_VALUE_LENGTH_CHARS) return value;
  omit(budget, name, 'cut');
  return value.slice(0, MAX_VALUE_LENGTH_CHARS);
};

/** Dates become Unix seconds (a Date as a number is its time in ms); every other value stays as it is. */
const dated = (value: unknown): unknown => (value instanceof Date ? unixSeconds(Number(value)) : value);

/** A stored value (bigints as strings), `undefined` for what is dropped. */
const leaf = (value: unknown): KmValue | undefined =>
  typeof value === 'bigint'
    ? String(value)
    : typeof value === 'string' || typeof value === 'boolean' || Number.isFinite(value)
      ? (value as KmValue)
      : undefined;

/**
 * Objects and arrays are walked (also from another frame, or made by a class); Maps, Sets, typed
 * arrays, DOM nodes and the like are not: walking them key by key is unbounded and never what is meant.
 */
const isPlain = (value: object): boolean =>
  Array.isArray(value) || Object.prototype.toString.call(value) === '[object Object]';

/** One bag being cleaned: its output, how many properties it has, the objects above the current one. */
interface Walk {
  out: KmProperties;
  count: number;
  /** A cycle is one of these; the depth is their number. */
  above: object[];
  budget: Budget;
}

/** Stores `value` under `name`, within the limits; what leaf() dropped (`undefined`) is left out silently. */
const emit = (w: Walk, name: string, value: KmValue | undefined): void => {
  if (value === undefined) return;
  if (name.length === 2 && RESERVED_NAME.test(name)) omit(w.budget, name, 'reserved');
  else if (w.count++ < MAX_PROPERTIES_PER_COMMAND) w.out[name] = cut(value, name, w.budget);
  else omit(w.budget, name, 'too many');
};

/**
 * Visits each own property of `object` (the items of an array) as `path + key`, while the message has
 * values left to visit, and notes how many it did not visit. `atRoot`: `object` is the bag itself, whose
 * `skip` key is left out.
 */
const walk = (w: Walk, object: Bag, path: string, atRoot?: boolean, skip?: string | false): void => {
  const { budget } = w;
  // Only the top level's prefixed names are cached (see `NAMES`).
  const cached = path && atRoot;
  // Once the message has no values left, the keys not visited: the first is named, the others counted.
  let stoppedAt = '';
  let notVisited = 0;
  w.above.push(object);
  // Own enumerable keys, in order (an array's holes have none). Measured in Chromium, a lookup per key
  // in this list costs less than for…in with an own-property check when the object's keys are new.
  for (const key of Object.keys(object)) {
    if (key === skip) continue;
    if (notVisited || budget.values-- < 1) {
      if (!notVisited++) stoppedAt = key;
    } else if (atRoot && key === BILLING_AMOUNT) visit(w, key, object[key]);
    // Measured on the parts: joining a 10 MB key to its path would copy it.
    else if (path.length + key.length > MAX_NAME_LENGTH_CHARS) omit(budget, path + key.slice(0, 40), 'too long');
    else visit(w, cached ? nameOf(path, key) : path + key, object[key]);
  }
  w.above.pop();
  if (notVisited) omit(budget, path + stoppedAt, 'too many', notVisited);
};

/** The first `length` items of a list of values, comma-joined (as Kissmetrics would join them); undefined when they hold an object. */
const joined = (list: unknown[], length: number): string | undefined => {
  const items: KmValue[] = [];
  for (let i = 0; i < length; i++) {
    const value = dated(list[i]);
    if (isObject(value)) return undefined;
    const kept = leaf(value);
    if (kept !== undefined) items.push(kept);
  }
  return items.join(',');
};

const visit = (w: Walk, name: string, value: unknown): void => {
  value = dated(value);
  if (!isObject(value)) emit(w, name, leaf(value));
  else if (w.above.includes(value)) omit(w.budget, name, 'cycle');
  else if (!isPlain(value)) omit(w.budget, name, 'not plain data');
  else {
    if (Array.isArray(value)) {
      // Only the first items of a list are read: a huge or sparse array is never walked index by index.
      const length = Math.min(value.length, MAX_ARRAY_ITEMS);
      const text = joined(value, length);
      if (value.length > length) omit(w.budget, name, 'too many');
      if (text !== undefined) {
        w.budget.values -= length;
        emit(w, name, text);
        return;
      }
      value = value.slice(0, length);
    }
    if (w.above.length >= MAX_DEPTH_LEVELS) omit(w.budget, name, 'too deep');
    // An array is walked like an object: its indices are its keys (holes have none).
    else walk(w, value as Bag, name + '.');
  }
};

/**
 * `clean`, into a bag that is not finished (see `newBag`): the mapping rules add to it, then finish it.
 */
export const cleanBag = (input: unknown, root: string, budget: Budget, skip?: string | false): KmProperties => {
  const w: Walk = { out: newBag(), count: 0, above: [], budget };
  if (isRecord(input) && isPlain(input)) walk(w, input, root, true, skip);
  return w.out;
};

/**
 * Flattens a property bag into what Kissmetrics can store: nested keys joined with `.`, arrays of
 * primitives comma-joined, arrays of objects indexed, dates as Unix seconds, empty values dropped,
 * every top-level key but `Billing Amount` prefixed with `root`. Anything but a plain object gives `{}`.
 * A top-level `skip` key is left out. Work and output are bounded (see the limits in `constants`);
 * what is left out or cut is noted in `budget`.
 */
export const clean = (input: unknown, root = '', budget: Budget = newBudget(), skip?: string): KmProperties =>
  finished(cleanBag(input, root, budget, skip));

/** `<name> - ` : what `clean` puts before every key when prefixing with `name`. */
export const prefixOf = (name: string): string => nameOf(name, PREFIX_SEPARATOR);

/** `<name> - <key>` for every key but `Billing Amount`. */
export const prefix = (name: string, props: KmProperties): KmProperties => {
  const out: KmProperties = {};
  for (const [key, value] of Object.entries(props))
    put(out, key === BILLING_AMOUNT ? key : prefixOf(name) + key, value);
  return out;
};

/** A money amount from a finite non-zero number or a string such as `'$1,299.99'` or `'12.50 EUR'`. */
export const money = (value: unknown): number | undefined => {
  if (typeof value === 'string') {
    const text = value.length <= MAX_MONEY_LENGTH_CHARS ? value.trim() : '';
    // Valid money has at most one sign and nothing but digits and one `.` in its number.
    value = MONEY_PATTERN.test(text) ? Number(text.replace(NOT_A_DIGIT, '')) * (text.includes('-') ? -1 : 1) : NaN;
  }
  // Number.isFinite is false for anything but a number.
  return Number.isFinite(value) && value !== 0 ? (value as number) : undefined;
};

/** The revenue of a track event: `revenue`, or `total` for an order completion without `revenue`. */
export const revenueOf = (event: string, props: unknown): number | undefined => {
  const revenue = own(props, 'revenue');
  return money(revenue == null && ORDER_COMPLETED_EVENT.test(event) ? own(props, 'total') : revenue);
};

/** Unix seconds of the event: `timestamp`, else `originalTimestamp` (the first that is a valid time), else `nowMs`. */
export const eventSeconds = (message: Bag, nowMs: number): number =>
  unixSeconds(
    [own(message, 'timestamp'), own(message, 'originalTimestamp')]
      .map((time) => (typeof time === 'string' ? Date.parse(time) : NaN))
      // Date.parse gives a finite number or NaN.
      .find(Number.isFinite) ?? nowMs,
  );
