import { QUIET_LOG_LEVELS } from './constants';

export interface Logger {
  warn(text: string): void;
}

/** A logger that prints warnings unless the SDK's `logLevel` is above WARN (ERROR or NONE). */
export const createLogger = (logLevel: unknown): Logger => {
  const shown = !QUIET_LOG_LEVELS.test(String(logLevel));
  return { warn: (text) => shown && console.warn(text) };
};
