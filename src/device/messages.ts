/** Texts of the device-mode class. */
import { expected, LOG_SCOPE, reasonOf, warning } from '../rules/messages';

export const notInitialised = (): string => 'init() has not succeeded';

export const noQueue = (queue: unknown): string => expected('window._kmq.push', queue);

/** Anything but a bad key that stops init(): a hostile page (a throwing `_kmq` getter, patched built-ins…). */
export const initFailed = (error: unknown): string => `${LOG_SCOPE}: init() failed: ${reasonOf(error)}`;

/** The debug note of an event the visitor's consent, as the message carries it, keeps from Kissmetrics. */
export const notConsented = (method: string): string => warning(method, 'not consented', 0, 0);
