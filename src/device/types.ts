/** The part of the SDK's analytics instance this integration reads. */
export interface AnalyticsInstance {
  logLevel?: unknown;
}

/** What the SDK hands to each event method: `{ message }`. */
export interface RudderElement {
  message?: unknown;
}

/** Globals shared with the page and the Kissmetrics library; we only know their shape loosely. */
export interface KissmetricsGlobals {
  _kmq?: unknown;
  _kmk?: unknown;
  KM?: unknown;
  Kissmetrics_RS?: unknown;
}
