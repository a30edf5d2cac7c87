/** Texts of the device-mode class. */
import { LOG_SCOPE, expected } from '../rules/messages';

export const notInitialised = (): string => 'init() has not succeeded';

export const noQueue = (queue: unknown): string => expected('window._kmq.push', queue);

/** The warning an event method logs instead of throwing. */
export const dropped = (method: string, error: unknown): string =>
  `${LOG_SCOPE} ${method}: ${error instanceof Error ? error.message : String(error)}; nothing sent`;
