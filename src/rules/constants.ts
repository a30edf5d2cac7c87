/** Real keys are 40 hex characters; anything of this shape is accepted. */
export const API_KEY_PATTERN = /^[\w-]{1,100}$/;

/** Nested values more than this many keys below the root are dropped. */
export const MAX_DEPTH_LEVELS = 32;

export const BILLING_AMOUNT = 'Billing Amount';
export const PREFIX_SEPARATOR = ' - ';

export const ORDER_COMPLETED_EVENT = /^[ _]?(order[ _]?completed|completed[ _]?order)[ _]?$/i;

/**
 * A money amount: optional sign, optional currency (one symbol or a 3-letter ISO code, before or
 * after), digits with optional `,` thousands separators, optional decimals.
 */
export const MONEY_PATTERN =
  /^([+-]?)\s*(?:[^\w\s.,+-]|[a-z]{3})?\s*([+-]?)(\d{1,3}(?:,\d{3})+|\d*)(\.\d+)?\s*(?:[^\w\s.,+-]|[a-z]{3})?$/i;
