/** Real keys are 40 hex characters; anything of this shape is accepted. */
export const API_KEY_PATTERN = /^[\w-]{1,100}$/;

export const BILLING_AMOUNT = 'Billing Amount';
export const PREFIX_SEPARATOR = ' - ';

export const ORDER_COMPLETED_EVENT = /^[ _]?(order[ _]?completed|completed[ _]?order)[ _]?$/i;

// Limits. Every call does a bounded amount of work whatever it is handed (a 10 MB string, 100k keys, a
// shared reference in every branch, a typed array of millions of items), and the numbers come from what
// Kissmetrics stores: anything past them would be cut or refused by Kissmetrics anyway.

/** Kissmetrics event and property names are under 255 characters: a longer event name or id is refused, a longer property left out. */
export const MAX_NAME_LENGTH_CHARS = 255;
/** Kissmetrics stores at most 512 characters of a value: longer strings are cut to that, as Kissmetrics would. */
export const MAX_VALUE_LENGTH_CHARS = 512;
/**
 * Properties in one command (one tracking request). A full SDK page event has about a dozen and rich
 * e-commerce events a few dozen; 256 leaves room for any real event while one command stays under
 * 256 × (255 + 512) characters (~200 kB) whatever comes in.
 */
export const MAX_PROPERTIES_PER_COMMAND = 256;
/**
 * Items of one array that are read. Past 256 items a joined list is longer than the 512 characters a
 * value keeps, and a list of objects has more properties than one command carries: the rest would be
 * lost in Kissmetrics anyway, so huge or sparse arrays are never walked index by index.
 */
export const MAX_ARRAY_ITEMS = 256;
/**
 * Values visited for one message, all its bags together (its properties and every product). A value
 * reached through two paths is visited (and kept) once per path, so shared references cannot multiply
 * the work past this: 16 commands' worth of full property sets.
 */
export const MAX_VALUES_PER_MESSAGE = 4096;
/** Property names remembered so that the names of repeated events are not built again (see `nameOf`). */
export const MAX_CACHED_NAMES = 4096;
/** Nested values more than this many keys below the root are left out. */
export const MAX_DEPTH_LEVELS = 32;
/** A money amount is never longer than this; a longer revenue or total is not money (and is never scanned). */
export const MAX_MONEY_LENGTH_CHARS = 64;
/** The warning about what was left out names this many places, then counts the rest. */
export const MAX_NAMED_OMISSIONS = 5;

/**
 * Ids that would merge unrelated people (matched on the trimmed id, in any letter case; an id that is
 * empty after trimming too). Kissmetrics merges everyone identified with the same id into one person, for
 * good, and an alias can never be undone; these are what broken sites send when they have no user:
 * `String(undefined)`, a template printing `null`, `nil` or `None` from Ruby or Python, `NaN` from
 * arithmetic on a missing id, `[object Object]` from an object where an id belongs, and the placeholders
 * `anonymous`, `unknown` and `guest`.
 */
export const SQUISHING_ID = /^(null|undefined|nil|none|nan|anonymous|unknown|guest|\[object object\])?$/i;

/** Parameters the Kissmetrics tracking API reads itself; properties with these names are left out in both modes. */
export const RESERVED_NAME = /^_[kpntd]$/;

/**
 * A money amount: at most one sign (before or after a currency before the amount), digits with optional
 * `,` thousands separators, optional decimals, optionally a currency after. A currency is one symbol
 * (`[^\w\s.,+-]`) or a 3-letter ISO code (`[a-z]{3}`), in each of its three places. Every run of spaces
 * can be matched in one place only, so the scan is linear (no backtracking blow-up on hostile strings).
 * Only tested, never matched for its parts: the groups capture, as plain `(` is shorter than `(?:`.
 */
export const MONEY_PATTERN =
  /^([+-]?\s*(([^\w\s.,+-]|[a-z]{3})\s*)?|([^\w\s.,+-]|[a-z]{3})\s*[+-])(\d{1,3}(,\d{3})+|\d+|(?=\.\d))(\.\d+)?(\s*([^\w\s.,+-]|[a-z]{3}))?$/i;

/** What is not part of the number in a money amount. */
export const NOT_A_DIGIT = /[^\d.]/g;
