import { BILLING_AMOUNT } from './constants';
import {
  invalidAlias,
  missingEventName,
  notAMessage,
  nothingToGroup,
  nothingToIdentify,
  unsupportedType,
} from './messages';
import { clean, eventSeconds, idOf, isRecord, prefix, revenueOf } from './properties';
import type { Bag } from './properties';
import type { KmProperties, KmqCommand } from './types';

/** The settings the rules read; other destination settings are ignored. */
export interface MappingSettings {
  prefixProperties?: unknown;
}

const VIEW_PREFIX = { page: 'Page', screen: 'Screen' } as const;

const str = (value: unknown): string | undefined => (typeof value === 'string' && value ? value : undefined);

/** `Viewed <category> <name> page`, `Viewed <name> page` or `Loaded a Page` (likewise for screens). */
export const viewEventName = (kind: 'page' | 'screen', message: Bag): string => {
  const props = isRecord(message.properties) ? message.properties : {};
  const name = str(message.name) ?? str(props.name);
  const category = str(props.category) ?? str(message.category);
  if (!name) return `Loaded a ${VIEW_PREFIX[kind]}`;
  return `Viewed ${category ? `${category} ` : ''}${name} ${kind}`;
};

/** `props` prefixed with `prefixName` when one is given. */
const named = (props: KmProperties, prefixName: string | undefined): KmProperties =>
  prefixName ? prefix(prefixName, props) : props;

const track = (message: Bag, prefixing: boolean, nowMs: number): KmqCommand[] => {
  const event = str(message.event);
  if (!event) throw new Error(missingEventName(message.event));
  const { products, ...rest } = isRecord(message.properties) ? message.properties : {};
  const items = Array.isArray(products) ? products : [];
  const props = clean(Array.isArray(products) ? rest : { ...rest, products });
  const revenue = revenueOf(event, rest);
  if (revenue !== undefined) {
    props.revenue = revenue;
    if (!(BILLING_AMOUNT in props)) props[BILLING_AMOUNT] = revenue;
  }
  const tag = prefixing ? event : undefined;
  const commands: KmqCommand[] = [['record', event, named(props, tag)]];
  const time = items.length ? eventSeconds(message, nowMs) : 0;
  items.forEach((product, i) => {
    const item = clean(product);
    if (Object.keys(item).length) commands.push(['set', { ...named(item, tag), _t: time + i, _d: 1 }]);
  });
  return commands;
};

const identify = (message: Bag): KmqCommand[] => {
  const userId = idOf(message.userId);
  const context = isRecord(message.context) ? message.context : {};
  const traits = clean(isRecord(context.traits) ? context.traits : message.traits);
  const commands: KmqCommand[] = userId ? [['identify', userId]] : [];
  if (Object.keys(traits).length) commands.push(['set', traits]);
  if (!commands.length) throw new Error(nothingToIdentify());
  return commands;
};

const alias = (message: Bag): KmqCommand[] => {
  const userId = idOf(message.userId);
  const previousId = idOf(message.previousId);
  if (!userId || !previousId || userId === previousId) throw new Error(invalidAlias(message.userId, message.previousId));
  return [['alias', userId, previousId]];
};

const group = (message: Bag): KmqCommand[] => {
  const groupId = idOf(message.groupId);
  const props = prefix('Group', clean(message.traits));
  if (groupId) props['Group - id'] = groupId;
  if (!Object.keys(props).length) throw new Error(nothingToGroup());
  return [['set', props]];
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
  if (!isRecord(message)) throw new Error(notAMessage(message));
  const prefixing = settings.prefixProperties === true;
  switch (type) {
    case 'identify':
      return identify(message);
    case 'track':
      return track(message, prefixing, nowMs);
    case 'page':
    case 'screen':
      return [['record', viewEventName(type, message), named(clean(message.properties), prefixing ? VIEW_PREFIX[type] : undefined)]];
    case 'alias':
      return alias(message);
    case 'group':
      return group(message);
    default:
      throw new Error(unsupportedType(type));
  }
};

/** `translate` for a message that carries its own `type`. */
export const toKmqCommands = (message: unknown, settings: MappingSettings, nowMs?: number): KmqCommand[] =>
  translate(isRecord(message) ? message.type : undefined, message, settings, nowMs);
