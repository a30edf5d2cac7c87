import { BILLING_AMOUNT, MAX_DEPTH_LEVELS, MONEY_PATTERN, ORDER_COMPLETED_EVENT, PREFIX_SEPARATOR } from './constants';
import type { KmProperties, KmValue } from './types';

export type Bag = Record<string, unknown>;

export const isRecord = (value: unknown): value is Bag =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const unixSeconds = (ms: number): number => Math.floor(ms / 1000);

/** A non-empty identifier: strings as they are, finite numbers as strings; anything else is none. */
export const idOf = (value: unknown): string | undefined =>
  typeof value === 'string' ? value || undefined : Number.isFinite(value) ? String(value) : undefined;

type Entry = [string, KmValue];

const isLeaf = (value: unknown): boolean => typeof value !== 'object' || value === null || value instanceof Date;

const leaf = (value: unknown): KmValue | undefined => {
  if (value instanceof Date) value = unixSeconds(value.getTime());
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : undefined;
    case 'bigint':
      return String(value);
    default:
      return undefined;
  }
};

const walk = (obj: object, path: string, depth: number, out: Entry[], ancestors: object[]): void => {
  ancestors.push(obj);
  for (const key of Object.keys(obj)) {
    const value = (obj as Bag)[key];
    const name = path + key;
    if (isLeaf(value)) {
      const kept = leaf(value);
      if (kept !== undefined) out.push([name, kept]);
    } else if (!ancestors.includes(value as object)) {
      if (Array.isArray(value) && value.every(isLeaf)) {
        const parts: KmValue[] = [];
        for (const item of value) {
          const kept = leaf(item);
          if (kept !== undefined) parts.push(kept);
        }
        out.push([name, parts.join(',')]);
      } else if (depth < MAX_DEPTH_LEVELS) {
        walk(value as object, name + '.', depth + 1, out, ancestors);
      }
    }
  }
  ancestors.pop();
};

/**
 * Flattens a property bag into what Kissmetrics can store: nested keys joined with `.`, arrays of
 * primitives comma-joined, arrays of objects indexed, dates as Unix seconds, empty values dropped.
 * Anything but a plain object gives `{}`.
 */
export const clean = (input: unknown): KmProperties => {
  const out: Entry[] = [];
  if (isRecord(input)) walk(input, '', 1, out, []);
  // fromEntries defines own data properties: a `__proto__` key stays data and reaches no prototype.
  return Object.fromEntries(out);
};

/** `<name> - <key>` for every key but `Billing Amount`. */
export const prefix = (name: string, props: KmProperties): KmProperties => {
  const out: KmProperties = {};
  for (const key of Object.keys(props)) out[key === BILLING_AMOUNT ? key : name + PREFIX_SEPARATOR + key] = props[key]!;
  return out;
};

/** A money amount from a finite non-zero number or a string such as `'$1,299.99'` or `'12.50 EUR'`. */
export const money = (value: unknown): number | undefined => {
  if (typeof value === 'string') {
    const m = MONEY_PATTERN.exec(value.trim());
    if (!m || (m[1] && m[2]) || !(m[3] || m[4])) return undefined;
    value = Number(m[1]! + m[2]! + m[3]!.replace(/,/g, '') + (m[4] ?? ''));
  }
  return typeof value === 'number' && Number.isFinite(value) && value !== 0 ? value : undefined;
};

/** The revenue of a track event: `revenue`, or `total` for an order completion without `revenue`. */
export const revenueOf = (event: string, props: Bag): number | undefined =>
  money(props.revenue == null && ORDER_COMPLETED_EVENT.test(event) ? props.total : props.revenue);

/** Unix seconds of the event: `timestamp`, else `originalTimestamp`, else `nowMs`. */
export const eventSeconds = (message: Bag, nowMs: number): number => {
  for (const time of [message.timestamp, message.originalTimestamp]) {
    const ms = typeof time === 'string' ? Date.parse(time) : NaN;
    if (!Number.isNaN(ms)) return unixSeconds(ms);
  }
  return unixSeconds(nowMs);
};
