/** A value Kissmetrics stores: it has no nested objects, arrays or nulls. */
export type KmValue = string | number | boolean;

/** A flat property bag, as `KM.set` and `KM.record` take it. */
export type KmProperties = Record<string, KmValue>;

/** One command of the Kissmetrics `_kmq` queue, modelled on the library's API. */
export type KmqCommand =
  | ['identify', string]
  | ['set', KmProperties]
  | ['record', string, KmProperties]
  | ['alias', string, string]
  | ['clearIdentity'];

/** The RudderStack calls this integration translates, in the order the docs list them. */
export const MESSAGE_TYPES = ['identify', 'track', 'page', 'screen', 'alias', 'group'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

/**
 * A property or trait bag as RudderStack carries it: JSON-like data (and `Date`s), nested at will.
 * The SDK's own `ApiObject` fits it; anything else is still accepted at run time and cleaned.
 */
export type RudderProperties = Record<string, unknown>;

/** An id as RudderStack sends it; numbers are turned into strings. */
export type RudderId = string | number | null;

/**
 * The fields every RudderStack message may carry (the SDK's, and those a warehouse or object-storage
 * export adds). Only the ones the rules read have precise types; the others are listed so that a typo
 * in a message literal fails to compile.
 */
export interface RudderMessageFields {
  userId?: RudderId | undefined;
  anonymousId?: string | null | undefined;
  /** `context.traits` are an identify's traits; the rest of the context is not sent to Kissmetrics. */
  context?: { traits?: RudderProperties | null | undefined; [field: string]: unknown } | null | undefined;
  /** ISO 8601; the event time (cloud mode, and the `_t` of products). */
  timestamp?: string | undefined;
  /** ISO 8601; the event time when there is no `timestamp` (a browser message has only this one). */
  originalTimestamp?: string | undefined;
  sentAt?: string | undefined;
  receivedAt?: string | undefined;
  messageId?: string | undefined;
  rudderId?: string | undefined;
  channel?: string | undefined;
  request_ip?: string | undefined;
  integrations?: Record<string, unknown> | undefined;
}

export interface IdentifyMessage extends RudderMessageFields {
  type: 'identify';
  /** Merged with `context.traits`, winning a key both have. */
  traits?: RudderProperties | null | undefined;
}

export interface TrackMessage extends RudderMessageFields {
  type: 'track';
  event?: string | number | null | undefined;
  /** `products` (an array) become one `set` each; `revenue` (or `total` for an order completion) is read as money. */
  properties?: RudderProperties | null | undefined;
}

interface ViewFields extends RudderMessageFields {
  /** The event is `Viewed <category> <name> page` (or `screen`); `properties.name` and `.category` count too. */
  name?: string | number | null | undefined;
  category?: string | number | null | undefined;
  properties?: RudderProperties | null | undefined;
}

export interface PageMessage extends ViewFields {
  type: 'page';
}

/** Screen calls come from the mobile SDKs; in device mode only from custom callers. */
export interface ScreenMessage extends ViewFields {
  type: 'screen';
}

export interface AliasMessage extends RudderMessageFields {
  type: 'alias';
  previousId?: RudderId | undefined;
}

export interface GroupMessage extends RudderMessageFields {
  type: 'group';
  groupId?: RudderId | undefined;
  traits?: RudderProperties | null | undefined;
}

/** A RudderStack message, told apart by its `type`. */
export type RudderMessage = IdentifyMessage | TrackMessage | PageMessage | ScreenMessage | AliasMessage | GroupMessage;

/**
 * The fields of a message of type `T`, for callers that give the type apart (`translate`, the
 * device-mode methods): the message's own `type`, if any, is not read.
 */
export type MessageOfType<T extends MessageType> = Omit<Extract<RudderMessage, { type: T }>, 'type'> & {
  type?: MessageType | undefined;
};

/** The settings the mapping rules read. */
export interface MappingSettings {
  /** Prefix track, page and product properties (`<event> - <key>`, `Page - <key>`); `Billing Amount` never. */
  prefixProperties?: boolean | undefined;
}

/**
 * Destination settings, as the RudderStack control plane sends them. The SDK applies the event filters
 * before events reach us; the consent settings are checked by the SDK at load and by device mode on every
 * event (see `consented`). All are listed so that a literal config with a typo fails to compile.
 */
export interface KissmetricsConfig extends MappingSettings {
  /** Your Kissmetrics API key (Product Settings): 1-100 of `A-Z a-z 0-9 _ -`. */
  apiKey: string;
  useNativeSDK?: unknown;
  connectionMode?: unknown;
  blacklistedEvents?: unknown;
  whitelistedEvents?: unknown;
  eventFilteringOption?: unknown;
  consentManagement?: unknown;
  oneTrustCookieCategories?: unknown;
  ketchConsentPurposes?: unknown;
}
