/** Every text this package logs or throws: who is speaking, what was expected, what was done. */

export const LOG_SCOPE = 'Kissmetrics';

const describe = (value: unknown): string =>
  typeof value === 'string' ? JSON.stringify(value) : value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;

export const invalidApiKey = (value: unknown): string =>
  `${LOG_SCOPE}: config.apiKey must be a Kissmetrics API key (1-100 of A-Z a-z 0-9 _ -), got ${describe(value)}`;

export const notAMessage = (value: unknown): string =>
  `expected a message object, got ${describe(value)}`;

export const unsupportedType = (type: unknown): string =>
  `unsupported type ${describe(type)}, expected identify, track, page, screen, alias or group`;

export const missingEventName = (value: unknown): string =>
  `expected a non-empty event name, got ${describe(value)}`;

export const nothingToIdentify = (): string => 'expected a userId or traits, got neither';

export const invalidAlias = (userId: unknown, previousId: unknown): string =>
  `expected two different ids, got userId ${describe(userId)} and previousId ${describe(previousId)}`;

export const nothingToGroup = (): string => 'expected a groupId or traits, got neither';

export const notInitialised = (): string => 'expected a successful init() first';

export const noQueue = (): string => 'expected window._kmq to have push()';

export const dropped = (method: string, reason: string): string => `${LOG_SCOPE} ${method}: ${reason}; nothing sent`;
