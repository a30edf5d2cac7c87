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

/** Destination settings, as the RudderStack control plane sends them. Other keys are ignored. */
export interface KissmetricsConfig {
  apiKey: string;
  prefixProperties?: boolean;
}
