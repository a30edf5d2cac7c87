import { API_KEY_PATTERN } from '../rules/constants';
import { squishes } from '../rules/ids';
import { person as personId, storable, translateMessage } from '../rules/mapping';
import { describe, invalidApiKey, MERGES_PEOPLE } from '../rules/messages';
import { bag, eventSeconds, idOf, newBudget, omit } from '../rules/properties';
import type { Bag, Budget } from '../rules/properties';
import type { KmqCommand, RudderMessage } from '../rules/types';
import { DEFAULT_TRACKING_HOST, ENDPOINT_PATHS, MAX_GET_URL_LENGTH_CHARS } from './constants';
import { invalidTrackingHost, missingPerson } from './messages';
import type { CloudConfig, KissmetricsParam, KissmetricsRequest } from './types';

type Params = Record<string, KissmetricsParam>;

// A lone UTF-16 surrogate cannot be percent-encoded (encodeURIComponent throws): it becomes U+FFFD.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const encode = (text: string): string => encodeURIComponent(text.replace(LONE_SURROGATE, '\uFFFD'));

/**
 * `k=v&k=v` with every key and value percent-encoded: valid both as a query string and as an
 * `application/x-www-form-urlencoded` body, so the length decided here is the length sent.
 */
export const encodeParams = (params: Params): string =>
  Object.entries(params)
    .map(([key, value]) => `${encode(key)}=${encode(String(value))}`)
    .join('&');

/** The URL a GET request fetches. */
export const requestUrl = (request: KissmetricsRequest): string =>
  `${request.endpoint}?${encodeParams(request.params)}`;

const parseUrl = (value: unknown): URL | undefined => {
  try {
    return typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    return undefined;
  }
};

/**
 * The tracking host URL without trailing `/`: the default, or `value` when it is an http(s) URL.
 * Every request goes to this URL plus a path, so a query or fragment (even an empty `?` or `#`,
 * which `URL` drops) would swallow or shift the path, and credentials would travel in every
 * request and every log line: all are refused, and the error never repeats the value.
 */
export const trackingHostOf = (value: unknown): string => {
  if (value === undefined) return DEFAULT_TRACKING_HOST;
  if (typeof value !== 'string') throw new Error(invalidTrackingHost(typeof value));
  const url = parseUrl(value);
  if (!url) throw new Error(invalidTrackingHost('text that is not a URL'));
  // Checked on the text: `new URL('http://@host')` has an empty username yet an `@` was typed.
  const authority = /^[a-z][\w+.-]*:\/*([^/?#]*)/i.exec(value.trim())?.[1] ?? '';
  if (url.username || url.password || authority.includes('@'))
    throw new Error(invalidTrackingHost('a URL with credentials'));
  if (!/^https?:$/.test(url.protocol)) throw new Error(invalidTrackingHost(`a ${url.protocol} URL`));
  if (value.includes('?')) throw new Error(invalidTrackingHost('a URL with a query (?)'));
  if (value.includes('#')) throw new Error(invalidTrackingHost('a URL with a fragment (#)'));
  return url.href.replace(/\/+$/, '');
};

/**
 * The ids of a message's requests: `anonymousId` for the anonymous side of identify's `/a`, and
 * `person()` for `_p` (the userId, else the anonymous id), called only when a request needs one. An
 * id that would merge unrelated people is never used: `person()` falls back to the anonymous id (noted
 * in `budget`) or throws saying why.
 */
const peopleOf = (fields: Bag, budget: Budget): { anonymousId: string | undefined; person: () => string } => {
  const anonymous = idOf(fields.anonymousId);
  const anonymousId = anonymous && !squishes(storable(anonymous)) ? anonymous : undefined;
  const userId = idOf(fields.userId);
  // The identify rule has already said why it left a squishing userId out.
  let noted = fields.type === 'identify';
  const person = (): string => {
    if (userId && !squishes(userId)) return storable(userId);
    if (!anonymousId) {
      // Neither id can name the person: say which one would merge people, or that there is none.
      const id = userId ?? anonymous;
      if (id) return personId(userId ? 'userId' : 'anonymousId', id);
      throw new Error(missingPerson(String(fields.type)));
    }
    if (userId && !noted) omit(budget, `userId ${describe(userId)}`, MERGES_PEOPLE);
    noted = true;
    return anonymousId;
  };
  return { anonymousId, person };
};

/**
 * Translates one RudderStack message into Kissmetrics tracking API requests, in sending order.
 * The device-mode rules decide what is recorded and set (same event and property names); this
 * function only turns each `_kmq` command into its HTTP request:
 * `record` → `/e`, `set` → `/s`, `alias` → `/a`, and `identify` → `/a` from the anonymous id.
 *
 * Throws an `Error` naming the problem for an invalid config, an unsupported type, a message the
 * rules cannot translate, or one without a person (`userId` or `anonymousId`). Never returns a
 * partial result. `nowMs` is the event time when the message has neither `timestamp` nor
 * `originalTimestamp`.
 */
export const toKissmetricsRequests = (
  message: RudderMessage,
  config: CloudConfig,
  nowMs?: number,
): KissmetricsRequest[] => requestsFor(message, config, nowMs);

/**
 * `toKissmetricsRequests` for any input (a parsed NDJSON line, a service call): what had to be left
 * out (limits, cycles, reserved names) is noted in `budget`.
 */
export const requestsFor = (
  message: unknown,
  config: unknown,
  nowMs: number = Date.now(),
  budget: Budget = newBudget(),
): KissmetricsRequest[] => {
  const settings = bag(config);
  const apiKey = settings.apiKey;
  if (typeof apiKey !== 'string' || !API_KEY_PATTERN.test(apiKey)) throw new Error(invalidApiKey(apiKey));
  const host = trackingHostOf(settings.trackingHost);
  // Throws first for anything that is not a translatable message, so `fields` is the message itself.
  const commands = translateMessage(bag(message).type, message, settings, nowMs, budget);
  const fields = bag(message);
  const type = fields.type;
  const time = eventSeconds(fields, nowMs);
  const { anonymousId, person } = peopleOf(fields, budget);

  const request = (path: string, params: Params): KissmetricsRequest => {
    const endpoint = host + path;
    const method = `${endpoint}?${encodeParams(params)}`.length > MAX_GET_URL_LENGTH_CHARS ? 'POST' : 'GET';
    return { method, endpoint, params };
  };
  const base = (p: string, t: number = time): Params => ({ _k: apiKey, _p: p, _t: t, _d: 1 });

  const toRequests = (command: KmqCommand): KissmetricsRequest[] => {
    switch (command[0]) {
      case 'identify':
        // What the Kissmetrics browser library does on identify: tie the anonymous visitor to the user.
        return anonymousId && anonymousId !== command[1]
          ? [request(ENDPOINT_PATHS.alias, { ...base(anonymousId), _n: command[1] })]
          : [];
      case 'record':
        return [request(ENDPOINT_PATHS.record, { ...base(person()), _n: command[1], ...command[2] })];
      case 'set': {
        // Product sets carry their own `_t` (T + i) so that Kissmetrics keeps every item of an order.
        const own = command[1]._t;
        const t = type === 'track' && typeof own === 'number' ? own : time;
        return [request(ENDPOINT_PATHS.set, { ...base(person(), t), ...command[1] })];
      }
      case 'alias':
        return [request(ENDPOINT_PATHS.alias, { ...base(command[2]), _n: command[1] })];
      case 'clearIdentity':
        // Identity on the server is per request: there is nothing to clear.
        return [];
    }
  };

  return commands.flatMap(toRequests);
};
