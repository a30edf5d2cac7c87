import { SQUISHING_ID } from './constants';
import { idOf } from './properties';

/**
 * Whether Kissmetrics would merge unrelated people under `id`: empty after trimming, or one of the ids
 * broken sites send for "no user" (`SQUISHING_ID`).
 */
export const squishes = (id: string): boolean => SQUISHING_ID.test(id.trim());

/** `idOf(value)` when it names one person; none for a missing id or one that `squishes`. */
export const personOf = (value: unknown): string | undefined => {
  const id = idOf(value);
  return id && !squishes(id) ? id : undefined;
};
