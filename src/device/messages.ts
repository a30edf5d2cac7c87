/** Texts of the device-mode class. */
import { expected } from '../rules/messages';

export const notInitialised = (): string => 'init() has not succeeded';

export const noQueue = (queue: unknown): string => expected('window._kmq.push', queue);
