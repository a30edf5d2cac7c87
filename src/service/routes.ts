import {
  DESTINATION_NAME,
  DESTINATIONS_PATH_PREFIX,
  FEATURES_PATH,
  HEALTH_PATH,
  MAX_LOGGED_PATH_CHARS,
  ROUTER_TRANSFORM_PATH,
} from './constants';
import { errorAnswer } from './answer';
import type { Answer } from './answer';
import { methodNotAllowed, otherDestination, unknownPath } from './messages';
import type { Endpoint } from './types';

export type Route = { ok: true; endpoint: Endpoint } | { ok: false; answer: Answer };

/**
 * The path of a request URL, without its query, doubled slashes or a trailing slash: a
 * `DEST_TRANSFORM_URL` ending in `/` makes rudder-server call `//v0/destinations/kissmetrics`.
 */
export const pathOf = (url: string | undefined): string => {
  const raw = url ?? '/';
  let path: string;
  try {
    // Leading slashes collapsed first: the URL parser would read `//v0/…` as a host name.
    path = new URL(raw.replace(/^\/{2,}/, '/'), 'http://service.invalid').pathname;
  } catch {
    path = raw;
  }
  path = path.replace(/\/{2,}/g, '/');
  return path.length > 1 ? path.replace(/\/$/, '') : path;
};

/** The path as the log shows it: printable ASCII only, cut to a bounded length. */
export const loggedPath = (path: string): string =>
  path.slice(0, MAX_LOGGED_PATH_CHARS).replace(/[^\x21-\x7e]/g, '?') + (path.length > MAX_LOGGED_PATH_CHARS ? '…' : '');

const only = (method: string, allowed: readonly string[], endpoint: Endpoint): Route =>
  allowed.includes(method)
    ? { ok: true, endpoint }
    : { ok: false, answer: errorAnswer(405, methodNotAllowed(method, allowed), { allow: allowed }) };

/** Which endpoint a method and path reach, or the 404 / 405 they are answered. */
export const routeOf = (method: string, path: string): Route => {
  if (path === HEALTH_PATH) return only(method, ['GET', 'HEAD'], 'health');
  if (path === FEATURES_PATH) return only(method, ['GET', 'HEAD'], 'features');
  if (path.startsWith(DESTINATIONS_PATH_PREFIX)) {
    const name = path.slice(DESTINATIONS_PATH_PREFIX.length);
    if (name.toLowerCase() !== DESTINATION_NAME) return { ok: false, answer: errorAnswer(404, otherDestination(name)) };
    return only(method, ['POST'], 'processor');
  }
  if (path === ROUTER_TRANSFORM_PATH) return only(method, ['POST'], 'router');
  return { ok: false, answer: errorAnswer(404, unknownPath(path)) };
};
