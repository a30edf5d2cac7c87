import { BILLING_AMOUNT, MAX_NAME_LENGTH_CHARS } from './constants';
import { squishes } from './ids';
import {
  describe,
  expected,
  invalidAlias,
  MERGES_PEOPLE,
  missingEventName,
  notAMessage,
  nothingToGroup,
  nothingToIdentify,
  squishingId,
  STORABLE_NAME,
  unsupportedType,
} from './messages';
import {
  cleanBag as clean,
  cut,
  eventSeconds,
  finished,
  idOf,
  isRecord,
  listOf,
  nameOf,
  newBudget,
  omit,
  own,
  prefixOf,
  revenueOf,
} from './properties';
import type { Bag, Budget } from './properties';
import { MESSAGE_TYPES } from './types';
import type { KmProperties, KmqCommand, MappingSettings, MessageOfType, MessageType, RudderMessage } from './types';

const VIEW_PREFIX = { page: 'Page', screen: 'Screen' } as const;

/** Throws an `Error` with `reason`, where an expression is expected. */
export const fail = (reason: string): never => {
  throw new Error(reason);
};

const isEmpty = (props: KmProperties): boolean => !Object.keys(props).length;

/** A name or id Kissmetrics can store; a longer one is refused rather than silently cut. */
export const storable = (name: string): string =>
  name.length > MAX_NAME_LENGTH_CHARS ? fail(expected(STORABLE_NAME, name)) : name;

/** `field`'s id when it names one person; an error saying why when Kissmetrics would merge people under it. */
export const person = (field: string, id: string): string =>
  squishes(id) ? fail(squishingId(field, id)) : storable(id);

/** `Viewed <category> <name> page`, `Viewed <name> page` or `Loaded a Page` (likewise for screens). */
export const viewEventName = (kind: 'page' | 'screen', message: Bag): string => {
  const props = own(message, 'properties');
  const name = idOf(own(message, 'name')) ?? idOf(own(props, 'name'));
  const category = idOf(own(props, 'category')) ?? idOf(own(message, 'category'));
  return name ? `Viewed ${category ? category + ' ' : ''}${name} ${kind}` : `Loaded a ${VIEW_PREFIX[kind]}`;
};

/**
 * An identify's traits: `context.traits` (where the browser SDKs put them) and top-level `traits` (where
 * server-side sources do), the top-level value winning a key both have. Either may be missing or empty.
 * Copied only when both are there: the SDKs send one or the other.
 */
const mergedTraits = (context: unknown, traits: unknown): unknown =>
  isRecord(traits) ? (isRecord(context) ? { ...context, ...traits } : traits) : context;

/**
 * One rule: a message (an object) to commands. `prefixing` is the `prefixProperties` setting. Bags are
 * built without a prototype (see `newBag`) and finished as each command is made.
 */
export type Rule = (message: Bag, budget: Budget, prefixing: boolean, nowMs: number) => KmqCommand[];

const view =
  (kind: 'page' | 'screen'): Rule =>
  (message, budget, prefixing) => [
    [
      'record',
      storable(viewEventName(kind, message)),
      finished(clean(own(message, 'properties'), prefixing ? prefixOf(VIEW_PREFIX[kind]) : '', budget)),
    ],
  ];

/** The rule of each message type (SPEC §3). */
export const RULES: Record<MessageType, Rule> = {
  identify: (message, budget) => {
    const commands: KmqCommand[] = [];
    const userId = idOf(own(message, 'userId'));
    const traits = clean(mergedTraits(own(own(message, 'context'), 'traits'), own(message, 'traits')), '', budget);
    const set = !isEmpty(traits);
    // Traits still go to the current visitor when the id would merge people; without traits, say why nothing is sent.
    if (userId && squishes(userId) && set) omit(budget, `userId ${describe(userId)}`, MERGES_PEOPLE);
    else if (userId) commands.push(['identify', person('userId', userId)]);
    if (set) commands.push(['set', finished(traits)]);
    return commands.length ? commands : fail(nothingToIdentify());
  },

  track: (message, budget, prefixing, nowMs) => {
    const given = own(message, 'event');
    const event = storable(idOf(given) ?? fail(missingEventName(given)));
    const root = prefixing ? prefixOf(event) : '';
    const properties = own(message, 'properties');
    const products = own(properties, 'products');
    const items = listOf(products);
    const props = clean(properties, root, budget, items === products && 'products');
    const revenue = revenueOf(event, properties);
    if (revenue !== undefined) {
      const name = nameOf(root, 'revenue');
      if (name.length > MAX_NAME_LENGTH_CHARS) omit(budget, name, 'too long');
      else props[name] = revenue;
      props[BILLING_AMOUNT] ??= revenue;
    }
    const commands: KmqCommand[] = [['record', event, finished(props)]];
    // The products' time, read even for an event without products (two reads and a Date.parse: 6 B smaller).
    const time = eventSeconds(message, nowMs);
    for (let i = 0; i < items.length; i++) {
      // Each product costs a value too, so that a million empty products is bounded work.
      if (budget.values-- < 1) {
        omit(budget, `products.${i}`, 'too many', items.length - i);
        break;
      }
      const item = clean(items[i], root, budget);
      if (isEmpty(item)) continue;
      // Distinct times, or Kissmetrics drops all but one item of an order as duplicates.
      item._t = time + i;
      item._d = 1;
      commands.push(['set', finished(item)]);
    }
    return commands;
  },

  page: view('page'),
  screen: view('screen'),

  alias: (message) => {
    const givenUserId = own(message, 'userId');
    const givenPreviousId = own(message, 'previousId');
    const userId = idOf(givenUserId);
    const previousId = idOf(givenPreviousId);
    return userId && previousId && userId !== previousId
      ? [['alias', person('userId', userId), person('previousId', previousId)]]
      : fail(invalidAlias(givenUserId, givenPreviousId));
  },

  group: (message, budget) => {
    const groupId = idOf(own(message, 'groupId'));
    const props = clean(own(message, 'traits'), prefixOf('Group'), budget);
    if (groupId) props['Group - id'] = cut(groupId, 'Group - id', budget);
    return isEmpty(props) ? fail(nothingToGroup()) : [['set', finished(props)]];
  },
};

/**
 * Runs one rule on any input: throws an `Error` saying what is wrong when the message cannot be
 * translated, and never returns a partial result. `nowMs` is the clock used when the message has no
 * timestamp; what had to be left out or cut (limits, cycles, reserved names) is noted in `budget`.
 */
export const applyRule = (
  rule: Rule,
  message: unknown,
  settings: unknown,
  nowMs: number,
  budget: Budget,
): KmqCommand[] =>
  isRecord(message)
    ? rule(message, budget, own(settings, 'prefixProperties') === true, nowMs)
    : fail(notAMessage(message));

/**
 * `applyRule` for a type given as data (a parsed line, a service call): anything may come in. `rules`
 * are the rules of each type (another naming's, see `naming.ts`).
 */
export const translateMessage = (
  type: unknown,
  message: unknown,
  settings: unknown,
  nowMs = Date.now(),
  budget = newBudget(),
  rules: Record<MessageType, Rule> = RULES,
): KmqCommand[] =>
  applyRule(
    // A message that is not an object is reported as such by applyRule, whatever its type.
    !isRecord(message) || MESSAGE_TYPES.includes(type as MessageType)
      ? rules[type as MessageType]
      : fail(unsupportedType(type)),
    message,
    settings,
    nowMs,
    budget,
  );

/**
 * Translates one RudderStack message of the given type into `_kmq` commands, in push order. Throws an
 * `Error` saying what is wrong when the message cannot be translated; never returns a partial result.
 * `nowMs` is the clock used when the message has no timestamp. Typed for callers; at run time any
 * value is accepted and checked.
 */
export const translate: <T extends MessageType>(
  type: T,
  message: MessageOfType<T>,
  settings?: MappingSettings,
  nowMs?: number,
) => KmqCommand[] = translateMessage;

/** `translate` for a message that carries its own `type`. */
export const toKmqCommands = (message: RudderMessage, settings?: MappingSettings, nowMs?: number): KmqCommand[] =>
  translateMessage(own(message, 'type'), message, settings, nowMs);
