/** Texts of the device-mode class. */
import { LOG_SCOPE, expected, reasonOf } from '../rules/messages';

export const notInitialised = (): string => 'init() has not succeeded';

export const noQueue = (queue: unknown): string => expected('window._kmq.push', queue);

/** The warning an event method logs instead of throwing: why, and how much of the call was sent. */
export const dropped = (method: string, error: unknown, sent: number, total: number): string =>
  `${LOG_SCOPE} ${method}: ${reasonOf(error)}; ${sent ? `only ${sent} of ${total} commands sent` : 'nothing sent'}`;
