import { BILLING_AMOUNT } from './constants';
import {
  invalidAlias,
  missingEventName,
  notAMessage,
  nothingToGroup,
  nothingToIdentify,
  unsupportedType,
} from './messages';
import { bag, clean, eventSeconds, idOf, isRecord, prefix, revenueOf } from './properties';
import type { Bag } from './properties';
import type { KmProperties, KmqCommand } from './types';

/** The settings the rules read; other destination settings are ignored. */
export interface MappingSettings {
  prefixProperties?: unknown;
}

const VIEW_PREFIX = { page: 'Page', screen: 'Screen' } as const;

const fail = (reason: string): never => {
  throw new Error(reason);
};

const isEmpty = (props: KmProperties): boolean => !Object.keys(props).length;

/** `Viewed <category> <name> page`, `Viewed <name> page` or `Loaded a Page` (likewise for screens). */
export const viewEventName = (kind: 'page' | 'screen', message: Bag): string => {
  const props = bag(message.properties);
  const name = idOf(message.name) ?? idOf(props.name);
  const category = idOf(props.category) ?? idOf(message.category);
  return name ? `Viewed ${category ? category + ' ' : ''}${name} ${kind}` : `Loaded a ${VIEW_PREFIX[kind]}`;
};

/**
 * Translates one RudderStack message of the given type into `_kmq` commands, in push order.
 * Throws an `Error` saying what is wrong when the message cannot be translated; never returns a
 * partial result. `nowMs` is the clock used when the message has no timestamp.
 */
export const translate = (
  type: unknown,
  message: unknown,
  settings: MappingSettings,
  nowMs: number = Date.now(),
): KmqCommand[] => {
  if (!isRecord(message)) return fail(notAMessage(message));
  const named = (props: KmProperties, name: string): KmProperties =>
    settings.prefixProperties === true ? prefix(name, props) : props;
  const properties = bag(message.properties);
  const commands: KmqCommand[] = [];

  switch (type) {
    case 'identify': {
      const userId = idOf(message.userId);
      const context = bag(message.context);
      const traits = clean(isRecord(context.traits) ? context.traits : message.traits);
      if (userId) commands.push(['identify', userId]);
      if (!isEmpty(traits)) commands.push(['set', traits]);
      return commands.length ? commands : fail(nothingToIdentify());
    }
    case 'track': {
      const event = idOf(message.event) ?? fail(missingEventName(message.event));
      const { products } = properties;
      const items: unknown[] = Array.isArray(products) ? products : [];
      const props = clean(properties, Array.isArray(products) ? 'products' : undefined);
      const revenue = revenueOf(event, properties);
      if (revenue !== undefined) {
        props.revenue = revenue;
        if (!(BILLING_AMOUNT in props)) props[BILLING_AMOUNT] = revenue;
      }
      commands.push(['record', event, named(props, event)]);
      const time = items.length ? eventSeconds(message, nowMs) : 0;
      items.forEach((product, i) => {
        const item = clean(product);
        if (isEmpty(item)) return;
        const props = named(item, event);
        // Distinct times, or Kissmetrics drops all but one item of an order as duplicates.
        props._t = time + i;
        props._d = 1;
        commands.push(['set', props]);
      });
      return commands;
    }
    case 'page':
    case 'screen':
      return [['record', viewEventName(type, message), named(clean(properties), VIEW_PREFIX[type])]];
    case 'alias': {
      const userId = idOf(message.userId);
      const previousId = idOf(message.previousId);
      return userId && previousId && userId !== previousId
        ? [['alias', userId, previousId]]
        : fail(invalidAlias(message.userId, message.previousId));
    }
    case 'group': {
      const groupId = idOf(message.groupId);
      const props = prefix('Group', clean(message.traits));
      if (groupId) props['Group - id'] = groupId;
      return isEmpty(props) ? fail(nothingToGroup()) : [['set', props]];
    }
    default:
      return fail(unsupportedType(type));
  }
};

/** `translate` for a message that carries its own `type`. */
export const toKmqCommands = (message: unknown, settings: MappingSettings, nowMs?: number): KmqCommand[] =>
  translate(isRecord(message) ? message.type : undefined, message, settings, nowMs);
