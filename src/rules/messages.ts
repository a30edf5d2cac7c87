import { API_KEY_PATTERN, MAX_NAME_LENGTH_CHARS } from './constants';
import type { Budget } from './properties';
import { MESSAGE_TYPES } from './types';

/** Every text this package logs or throws: what was expected, what came, and what was done. */

export const LOG_SCOPE = 'Kissmetrics';

/** Strings longer than this are shown cut, with their length. */
const SHOWN_CHARS = 40;

/** A short, safe description of any value: strings quoted (long ones cut), never a whole object. */
export const describe = (value: unknown): string =>
  typeof value === 'string'
    ? JSON.stringify(value.slice(0, SHOWN_CHARS)) + (value.length > SHOWN_CHARS ? `… (${value.length} characters)` : '')
    : value === null
      ? 'null'
      : Array.isArray(value)
        ? 'array'
        : typeof value;

/** `expected <what>, got <value>`: the shape of every complaint about input. */
export const expected = (what: string, value?: unknown): string => `expected ${what}, got ${describe(value)}`;

/** Says only what type came, never the value: a near-valid key would be most of a real one. */
export const invalidApiKey = (value: unknown): string =>
  `${LOG_SCOPE}: config.apiKey: expected a Kissmetrics API key matching ${API_KEY_PATTERN.source}, got ${typeof value}`;

export const notAMessage = (value: unknown): string => expected('a RudderStack message object', value);

export const unsupportedType = (type: unknown): string => expected(`type ${MESSAGE_TYPES.join('|')}`, type);

export const missingEventName = (value: unknown): string => expected('an event name', value);

export const nothingToIdentify = (): string => expected('a userId or traits');

export const invalidAlias = (userId: unknown, previousId: unknown): string =>
  expected(`a userId other than previousId ${describe(previousId)}`, userId);

export const nothingToGroup = (): string => expected('a groupId or traits');

export const invalidNaming = (value: unknown, namings: readonly string[]): string =>
  `config.naming: ${expected(namings.map((naming) => JSON.stringify(naming)).join(' or '), value)}`;

/** Why an id is refused, or left out: Kissmetrics would make one person of everyone sent with it. */
export const MERGES_PEOPLE = 'would merge unrelated people';

export const squishingId = (field: string, id: string): string =>
  `${field} ${describe(id)} ${MERGES_PEOPLE} into one Kissmetrics person`;

/** What a name or id must be, for `expected(STORABLE_NAME, name)` (a constant, so the minifier puts it in place). */
export const STORABLE_NAME = `a name or id of at most ${MAX_NAME_LENGTH_CHARS} characters`;

/** The text of anything thrown, even of values that cannot be printed. */
export const reasonOf = (error: unknown): string => {
  try {
    // `message` may be anything at run time (a getter can return an object whose toString throws).
    // `String`, not concatenation: a thrown Symbol prints (`Symbol(why)`), where `+ ''` would throw. Called
    // through `call` because the minifier's unsafe options turn `String(x)` into `x + ''`.
    return String.call(null, error instanceof Error ? error.message : error);
  } catch {
    return 'an error that cannot be printed';
  }
};

/** What a call had to leave out or cut: the first few places and why, and how many more. */
export const leftOut = (budget: Budget): string =>
  `left out or cut ${budget.omitted.join(', ')}${budget.omissions > budget.omitted.length ? ` and ${budget.omissions - budget.omitted.length} more` : ''}`;

/** The one warning of a call: why, and how much of it was sent (`sent` of `total` commands). */
export const warning = (method: string, reason: string, sent: number, total: number): string =>
  `${LOG_SCOPE} ${method}: ${reason}; ${sent ? (sent < total ? `only ${sent} of ${total} commands` : 'the rest') : 'nothing'} sent`;
