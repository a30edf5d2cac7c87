import { API_KEY_PATTERN, MAX_NAME_LENGTH_CHARS } from './constants';
import type { Budget } from './properties';
import { MESSAGE_TYPES } from './types';

/** Every text this package logs or throws: what was expected, what came, and what was done. */

export const LOG_SCOPE = 'Kissmetrics';

/** Strings longer than this are shown cut, with their length. */
const SHOWN_CHARS = 40;

/** A short, safe description of any value: strings quoted (and cut), never a whole object. */
export const describe = (value: unknown): string =>
  typeof value === 'string'
    ? value.length > SHOWN_CHARS
      ? `${JSON.stringify(value.slice(0, SHOWN_CHARS))}… (${value.length} characters)`
      : JSON.stringify(value)
    : value === null
      ? 'null'
      : Array.isArray(value)
        ? 'array'
        : typeof value;

/** `expected <what>, got <value>`: the shape of every complaint about input. */
export const expected = (what: string, value: unknown): string => `expected ${what}, got ${describe(value)}`;

export const invalidApiKey = (value: unknown): string =>
  `${LOG_SCOPE}: config.apiKey: ${expected(`a Kissmetrics API key matching ${API_KEY_PATTERN.source}`, value)}`;

export const notAMessage = (value: unknown): string => expected('a RudderStack message object', value);

export const unsupportedType = (type: unknown): string => expected(`type ${MESSAGE_TYPES.join('|')}`, type);

export const missingEventName = (value: unknown): string => expected('an event name', value);

export const nothingToIdentify = (): string => expected('a userId or traits', undefined);

export const invalidAlias = (userId: unknown, previousId: unknown): string =>
  expected(`a userId other than previousId ${describe(previousId)}`, userId);

export const nothingToGroup = (): string => expected('a groupId or traits', undefined);

export const tooLong = (name: string): string =>
  expected(`a name or id of at most ${MAX_NAME_LENGTH_CHARS} characters`, name);

/** The text of anything thrown, even of values that cannot be printed. */
export const reasonOf = (error: unknown): string => {
  try {
    // `message` may be anything at run time (a getter can return an object whose toString throws).
    return String(error instanceof Error ? error.message : error);
  } catch {
    return 'an error that cannot be printed';
  }
};

/** The one warning about what a call had to leave out or cut (the rest was sent). */
export const leftOut = (method: string, { omissions, omitted }: Budget): string =>
  `${LOG_SCOPE} ${method}: ${omissions} value${omissions > 1 ? 's' : ''} left out or cut: ${omitted.join(', ')}${omissions > omitted.length ? ', …' : ''}; the rest sent`;
