import { API_KEY_PATTERN } from './constants';
import { MESSAGE_TYPES } from './types';

/** Every text this package logs or throws: what was expected, what came, and what was done. */

export const LOG_SCOPE = 'Kissmetrics';

/** A short, safe description of any value: strings quoted, never a whole object. */
export const describe = (value: unknown): string =>
  typeof value === 'string'
    ? JSON.stringify(value)
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
