/** Texts of the device-mode class. */
import { expected, LOG_SCOPE } from '../rules/messages';

export const notInitialised = (): string => 'init() has not succeeded';

export const noQueue = (queue: unknown): string => expected('window._kmq.push', queue);

/** Anything but a bad key that stops init(): a hostile page (a throwing `_kmq` getter, patched built-ins…). */
export const initFailed = (reason: string): string => `${LOG_SCOPE}: init() failed: ${reason}`;
