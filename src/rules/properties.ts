import { BILLING_AMOUNT, MAX_DEPTH_LEVELS, MONEY_PATTERN, ORDER_COMPLETED_EVENT, PREFIX_SEPARATOR } from './constants';
import type { KmProperties, KmValue } from './types';

export type Bag = Record<string, unknown>;

export const isRecord = (value: unknown): value is Bag =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `value` when it is a plain object, else an empty one: for optional property bags. */
export const bag = (value: unknown): Bag => (isRecord(value) ? value : {});

export const unixSeconds = (ms: number): number => Math.floor(ms / 1000);

/** A non-empty id or name: strings as they are, finite numbers as strings; anything else is none. */
export const idOf = (value: unknown): string | undefined =>
  typeof value === 'string' ? value || undefined : Number.isFinite(value) ? String(value) : undefined;

// A `__proto__` key must stay an own data property: plain assignment would replace the prototype.
const put = (out: KmProperties, key: string, value: KmValue): void => {
  if (key === '__proto__')
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
};

const isLeaf = (value: unknown): boolean => typeof value !== 'object' || value === null || value instanceof Date;

const leaf = (value: unknown): KmValue | undefined => {
  if (value instanceof Date) value = unixSeconds(value.getTime());
  return typeof value === 'bigint'
    ? String(value)
    : typeof value === 'string' || typeof value === 'boolean' || Number.isFinite(value)
      ? (value as KmValue)
      : undefined;
};

const walk = (
  obj: object,
  path: string,
  depth: number,
  out: KmProperties,
  ancestors: object[],
  skip?: string,
): void => {
  ancestors.push(obj);
  for (const key of Object.keys(obj)) {
    if (key === skip) continue;
    const value = (obj as Bag)[key];
    const name = path + key;
    if (isLeaf(value)) {
      const kept = leaf(value);
      if (kept !== undefined) put(out, name, kept);
    } else if (!ancestors.includes(value as object)) {
      if (Array.isArray(value) && value.every(isLeaf)) {
        put(
          out,
          name,
          value
            .map(leaf)
            .filter((item) => item !== undefined)
            .join(','),
        );
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
 * Anything but a plain object gives `{}`. A top-level `skip` key is left out.
 */
export const clean = (input: unknown, skip?: string): KmProperties => {
  const out: KmProperties = {};
  if (isRecord(input)) walk(input, '', 1, out, [], skip);
  return out;
};

/** `<name> - <key>` for every key but `Billing Amount`. */
export const prefix = (name: string, props: KmProperties): KmProperties => {
  const out: KmProperties = {};
  for (const [key, value] of Object.entries(props))
    out[key === BILLING_AMOUNT ? key : name + PREFIX_SEPARATOR + key] = value;
  return out;
};

/** A money amount from a finite non-zero number or a string such as `'$1,299.99'` or `'12.50 EUR'`. */
export const money = (value: unknown): number | undefined => {
  if (typeof value === 'string') {
    const [, sign = '', signAfterCurrency = '', units = '', decimals = ''] = MONEY_PATTERN.exec(value.trim()) ?? [];
    if ((sign && signAfterCurrency) || !(units || decimals)) return undefined;
    value = Number(sign + signAfterCurrency + units.replace(/,/g, '') + decimals);
  }
  return typeof value === 'number' && Number.isFinite(value) && value !== 0 ? value : undefined;
};

/** The revenue of a track event: `revenue`, or `total` for an order completion without `revenue`. */
export const revenueOf = (event: string, props: Bag): number | undefined =>
  money(props.revenue == null && ORDER_COMPLETED_EVENT.test(event) ? props.total : props.revenue);

/** Unix seconds of the event: `timestamp`, else `originalTimestamp`, else `nowMs`. */
export const eventSeconds = (message: Bag, nowMs: number): number =>
  unixSeconds(
    [message.timestamp, message.originalTimestamp]
      .map((time) => (typeof time === 'string' ? Date.parse(time) : NaN))
      .find((ms) => !Number.isNaN(ms)) ?? nowMs,
  );
