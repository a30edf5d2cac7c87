import type { MessageOfType, MessageType } from '../rules/types';

/** The part of the SDK's analytics instance this integration reads. */
export interface AnalyticsInstance {
  logLevel?: unknown;
}

/** What the SDK hands to each event method: `{ message }`. The method, not `message.type`, chooses the rule. */
export interface RudderElement<T extends MessageType = MessageType> {
  message?: MessageOfType<T> | undefined;
}

/** Globals shared with the page and the Kissmetrics library; we only know their shape loosely. */
export interface KissmetricsGlobals {
  _kmq?: unknown;
  _kmk?: unknown;
  KM?: unknown;
  Kissmetrics_RS?: unknown;
}
