import { BILLING_AMOUNT, MAX_NAME_LENGTH_CHARS, PREFIX_SEPARATOR, RESERVED_NAME } from './constants';
import { RULES, storable } from './mapping';
import type { Rule } from './mapping';
import { invalidNaming } from './messages';
import { bag, clean, idOf, money, nameOf, omit } from './properties';
import type { Bag, Budget } from './properties';
import type { KmProperties, KmqCommand, MessageType } from './types';

/**
 * How events and properties are named in Kissmetrics. `default`: our names, the same in device and
 * cloud mode (`<event> - <key>`, `Page - <key>`). `rudder-transformer`: the names RudderStack's own cloud
 * destination gives the same events (its transformer's kissmetrics code), so that a company moving from
 * it keeps its reports; the values stay ours. Cloud mode only: the browser script never carries it.
 */
export const NAMINGS = ['default', 'rudder-transformer'] as const;
export type Naming = (typeof NAMINGS)[number];
export const DEFAULT_NAMING: Naming = 'default';

const REVENUE = 'revenue';
/** rudder-transformer joins a prefix and a key with a bare hyphen (but `revenue` with our PREFIX_SEPARATOR). */
const COMPAT_SEPARATOR = '-';

const isNaming = (value: unknown): value is Naming => NAMINGS.includes(value as Naming);

/**
 * rudder-transformer's prefixing of a cleaned bag: `<name>-<key>` for every key, but `<name> - revenue`
 * for `revenue`, with `Billing Amount` beside it when the revenue is money and the bag has none; a
 * `Billing Amount` of the caller's, and the `_t`/`_d` of product sets, stay as they are.
 */
const prefixed = (name: string, props: KmProperties, budget: Budget): KmProperties => {
  const root = nameOf(name, COMPAT_SEPARATOR);
  const out: KmProperties = {};
  for (const [key, value] of Object.entries(props)) {
    if (key === BILLING_AMOUNT || (key.length === 2 && RESERVED_NAME.test(key))) {
      out[key] = value;
      continue;
    }
    const full = key === REVENUE ? nameOf(name, PREFIX_SEPARATOR + REVENUE) : nameOf(root, key);
    if (full.length > MAX_NAME_LENGTH_CHARS) omit(budget, full, 'too long');
    else out[full] = value;
    const amount = key === REVENUE ? money(value) : undefined;
    if (amount !== undefined && !(BILLING_AMOUNT in props)) out[BILLING_AMOUNT] = amount;
  }
  return out;
};

/**
 * The properties of a track, page or screen as rudder-transformer names them before prefixing: every
 * property but a `products` it reads apart (or drops), and `revenue` read as money when it is.
 */
const recorded = (properties: Bag, budget: Budget): KmProperties => {
  // It sets `products` aside whenever it is there (an empty string or 0 excepted): never a property.
  const props = clean(properties, '', budget, properties.products ? 'products' : undefined);
  const amount = REVENUE in props ? money(properties.revenue) : undefined;
  if (amount !== undefined) props[REVENUE] = amount;
  return props;
};

/** A name as rudder-transformer tests it: anything but '', 0, null… (ids and names only: never an object). */
const given = (value: unknown): string | undefined => (value ? idOf(value) : undefined);

/**
 * rudder-transformer's page and screen names: `Viewed <name> page` (screen: `Viewed <name> screen`),
 * `Viewed <category> <name> page` (for a screen too), else `Loaded a Page` / `Loaded a Screen`. It
 * reads `name` and `properties.category` only.
 */
const compatViewName = (kind: 'page' | 'screen', message: Bag): string => {
  const name = given(message.name);
  const category = given(bag(message.properties).category);
  if (!name) return kind === 'page' ? 'Loaded a Page' : 'Loaded a Screen';
  return category ? `Viewed ${category} ${name} page` : `Viewed ${name} ${kind}`;
};

const compatTrack: Rule = (message, budget, prefixing, nowMs) => {
  const properties = bag(message.properties);
  const props = recorded(properties, budget);
  const { products } = properties;
  // Our product sets (values, `_t`/`_d`, limits): the track rule on the products alone, unprefixed.
  const [record, ...sets] = RULES.track(
    { ...message, properties: Array.isArray(products) ? { products } : {} },
    budget,
    false,
    nowMs,
  );
  const event = record?.[0] === 'record' ? record[1] : '';
  if (!prefixing) return [['record', event, props], ...sets];
  return [
    ['record', event, prefixed(event, props, budget)],
    ...sets.map((set): KmqCommand => (set[0] === 'set' ? ['set', prefixed(event, set[1], budget)] : set)),
  ];
};

const compatView =
  (kind: 'page' | 'screen'): Rule =>
  (message, budget, prefixing) => {
    const props = recorded(bag(message.properties), budget);
    // It prefixes page properties (with `Page`), never screen properties.
    const named = prefixing && kind === 'page' ? prefixed('Page', props, budget) : props;
    return [['record', storable(compatViewName(kind, message)), named]];
  };

/**
 * The rules with rudder-transformer's names. Identify, alias and group are ours: it names traits as we
 * do, an alias has no names, and it refuses groups (they are sent with our names: there are none to keep).
 */
export const RUDDER_TRANSFORMER_RULES: Record<MessageType, Rule> = {
  ...RULES,
  track: compatTrack,
  page: compatView('page'),
  screen: compatView('screen'),
};

/** The rules of a naming (the config's `naming`: absent is `fallback`); throws for an unknown naming. */
export const rulesOf = (naming: unknown, fallback: Naming = DEFAULT_NAMING): Record<MessageType, Rule> => {
  const chosen = naming === undefined ? fallback : naming;
  if (!isNaming(chosen)) throw new Error(invalidNaming(chosen, NAMINGS));
  return chosen === 'rudder-transformer' ? RUDDER_TRANSFORMER_RULES : RULES;
};
