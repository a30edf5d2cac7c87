import { SQUISHING_ID } from './constants';

/**
 * Whether Kissmetrics would merge unrelated people under `id`: empty after trimming, or one of the ids
 * broken sites send for "no user" (`SQUISHING_ID`).
 */
export const squishes = (id: string): boolean => SQUISHING_ID.test(id.trim());
