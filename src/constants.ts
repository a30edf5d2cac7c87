/** The SDK's type name for this destination: it loads `Kissmetrics.min.js` and reads `window.Kissmetrics_RS`. */
export const SDK_TYPE_NAME = 'Kissmetrics';
export const SDK_GLOBAL = `${SDK_TYPE_NAME}_RS`;

export const KM_LIBRARY_URL = 'https://i.kissmetrics.io/i.js';
export const KM_KEY_SCRIPT_URL = (apiKey: string): string =>
  `https://scripts.kissmetrics.io/${encodeURIComponent(apiKey)}.2.js`;

/** Real keys are 40 hex characters; anything of this shape is accepted. */
export const API_KEY_PATTERN = /^[\w-]{1,100}$/;

/** Nested values more than this many keys below the root are dropped. */
export const MAX_DEPTH_LEVELS = 32;

export const BILLING_AMOUNT = 'Billing Amount';
export const MOBILE_SESSION = 'Mobile Session';
export const PREFIX_SEPARATOR = ' - ';

export const MOBILE_USER_AGENT = /Android|BlackBerry|IEMobile|Opera Mini|iPhone|iPod|iPad/i;

export const ORDER_COMPLETED_EVENT = /^[ _]?(order[ _]?completed|completed[ _]?order)[ _]?$/i;

/**
 * A money amount: optional sign, optional currency (one symbol or a 3-letter ISO code, before or
 * after), digits with optional `,` thousands separators, optional decimals.
 */
export const MONEY_PATTERN =
  /^([+-]?)\s*(?:[^\w\s.,+-]|[a-z]{3})?\s*([+-]?)(\d{1,3}(?:,\d{3})+|\d*)(\.\d+)?\s*(?:[^\w\s.,+-]|[a-z]{3})?$/i;

/** The SDK's levels are LOG < INFO < DEBUG < WARN < ERROR < NONE: these two hide warnings. */
export const QUIET_LOG_LEVELS = /^(error|none)$/i;
