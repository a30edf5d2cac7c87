import { API_KEY_PATTERN, RESERVED_NAME } from '../rules/constants';
import { squishes } from '../rules/ids';
import { person as personId, storable, translateMessage } from '../rules/mapping';
import { DEFAULT_NAMING, rulesOf } from '../rules/naming';
import type { Naming } from '../rules/naming';
import { describe, invalidApiKey, leftOut, MERGES_PEOPLE } from '../rules/messages';
import { bag, eventSeconds, idOf, newBudget, omit } from '../rules/properties';
import type { Bag, Budget } from '../rules/properties';
import type { KmProperties, KmqCommand, RudderMessage } from '../rules/types';
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
 * Translates one RudderStack message into Kissmetrics tracking API requests, in sending order.
 * The device-mode rules decide what is recorded and set (same event and property names); this
 * function only turns each `_kmq` command into its HTTP request:
 * `record` → `/e`, `set` → `/s`, `alias` → `/a`, and `identify` → `/a` from the anonymous id.
 *
 * Throws an `Error` naming the problem for an invalid config, an unsupported type, a message the
 * rules cannot translate, or one without a person (`userId` or `anonymousId`). Never returns a
 * partial result. `nowMs` is the event time when the message has neither `timestamp` nor
 * `originalTimestamp`. What the message had to leave out or cut to stay within Kissmetrics' limits
 * (a value over 512 characters, a name over 255, a reserved name …) is said to `onLeftOut`, once,
 * in words (`left out or cut description (cut)`); the requests carry the rest.
 */
export const toKissmetricsRequests = (
  message: RudderMessage,
  config: CloudConfig,
  nowMs?: number,
  onLeftOut?: (what: string) => void,
): KissmetricsRequest[] => {
  const budget = newBudget();
  const requests = requestsFor(message, config, nowMs, budget);
  if (budget.omissions && onLeftOut) onLeftOut(leftOut(budget));
  return requests;
};

/**
 * A request's URL lengths, counted while its params are set: with `encodeURIComponent` (what the sender
 * sends, so it decides GET or POST) and with a second escaping that a caller measures in the same pass
 * (the transformer service: rudder-server's Go escaping).
 */
export interface UrlLengths {
  uri: number;
  other: number;
}

/** What a caller makes of each request: param values as strings or as they are, a second escaping, the result. */
export interface RequestShape<R> {
  /** Param values as strings (numbers and booleans written with `String`), or kept as they are. */
  strings: boolean;
  /** Escaped length of each ASCII character under the second escaping (see `escapedLengths`). */
  otherEscapes: Uint8Array;
  make: (endpoint: string, params: Params, lengths: UrlLengths) => R;
}

type Shape = RequestShape<unknown>;

/** Per ASCII character, its length once escaped: 1 when the escaping keeps it (`kept`), else 3 (`%XX`). */
export const escapedLengths = (kept: RegExp): Uint8Array =>
  Uint8Array.from({ length: 0x80 }, (_, code) => (kept.test(String.fromCharCode(code)) ? 1 : 3));

/** What `encodeURIComponent` keeps: letters, digits and `-_.!~*'()`. */
const URI_ESCAPES = escapedLengths(/[\w.!~*'()-]/);

/**
 * Adds the escaped length of `text` to both lengths, in one pass over its characters. Beyond ASCII both
 * escapings write the UTF-8 bytes as `%XX`, a lone surrogate as U+FFFD (as `encode` does).
 */
const count = (text: string, lengths: UrlLengths, otherEscapes: Uint8Array): void => {
  let uri = 0;
  let other = 0;
  let wide = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) {
      uri += URI_ESCAPES[code] ?? 3;
      other += otherEscapes[code] ?? 3;
    } else if (code < 0x800) wide += 6;
    else if (code >= 0xd800 && code <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      wide += 12;
      i++;
    } else wide += 9;
  }
  lengths.uri += uri + wide;
  lengths.other += other + wide;
};

/** Both lengths of `endpoint?k=v&k=v` for params already set (`otherEscapes` as in `RequestShape`). */
export const urlLengths = (endpoint: string, params: Params, otherEscapes: Uint8Array): UrlLengths => {
  const lengths: UrlLengths = { uri: endpoint.length, other: endpoint.length };
  for (const [key, value] of Object.entries(params)) {
    count(key, lengths, otherEscapes);
    count(String(value), lengths, otherEscapes);
    lengths.uri += 2;
    lengths.other += 2;
  }
  return lengths;
};

/** Sets `params[key]` (as text when the shape wants strings) and counts `key=value&` in `lengths`. */
const put = (params: Params, key: string, value: KissmetricsParam, lengths: UrlLengths, shape: Shape): void => {
  const text = typeof value === 'string' ? value : String(value);
  count(key, lengths, shape.otherEscapes);
  count(text, lengths, shape.otherEscapes);
  lengths.uri += 2;
  lengths.other += 2;
  const kept = shape.strings ? text : value;
  // A `__proto__` key must stay an own data property: plain assignment would replace the prototype.
  if (key === '__proto__')
    Object.defineProperty(params, key, { value: kept, enumerable: true, writable: true, configurable: true });
  else params[key] = kept;
};

/** What every request of one message shares. */
interface Envelope<R> {
  host: string;
  apiKey: string;
  /** Unix seconds of the event. */
  time: number;
  type: unknown;
  /** The anonymous side of identify's `/a`, when it can name a person. */
  anonymousId: string | undefined;
  /** `_p`: see `peopleOf`. */
  person: () => string;
  shape: RequestShape<R>;
}

/**
 * One request: `_k _p _t _d`, `_n` when given, then `props`, each param set once in sending order while
 * the URL lengths are counted. Properties never replace the API params (the rules leave them out; a
 * product's own `_t` is `time`).
 */
const request = <R>(
  envelope: Envelope<R>,
  path: string,
  person: string,
  time: number,
  name: string | undefined,
  props?: KmProperties,
): R => {
  const { shape } = envelope;
  const endpoint = envelope.host + path;
  const params: Params = {};
  // `endpoint?` and, per param, `key=value&` but for the last `&`.
  const lengths: UrlLengths = { uri: endpoint.length, other: endpoint.length };
  put(params, '_k', envelope.apiKey, lengths, shape);
  put(params, '_p', person, lengths, shape);
  put(params, '_t', time, lengths, shape);
  put(params, '_d', 1, lengths, shape);
  if (name !== undefined) put(params, '_n', name, lengths, shape);
  if (props)
    for (const key in props) {
      const value = props[key];
      if (value === undefined || !Object.prototype.hasOwnProperty.call(props, key)) continue;
      if (key.length !== 2 || !RESERVED_NAME.test(key)) put(params, key, value, lengths, shape);
    }
  return shape.make(endpoint, params, lengths);
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

/** The requests of one `_kmq` command: `record` → `/e`, `set` → `/s`, `alias` and `identify` → `/a`. */
const requestsOf = <R>(envelope: Envelope<R>, command: KmqCommand, out: R[]): void => {
  const { time, anonymousId } = envelope;
  switch (command[0]) {
    case 'identify':
      // What the Kissmetrics browser library does on identify: tie the anonymous visitor to the user.
      if (anonymousId && anonymousId !== command[1])
        out.push(request(envelope, ENDPOINT_PATHS.alias, anonymousId, time, command[1]));
      return;
    case 'record':
      out.push(request(envelope, ENDPOINT_PATHS.record, envelope.person(), time, command[1], command[2]));
      return;
    case 'set': {
      // Product sets carry their own `_t` (T + i) so that Kissmetrics keeps every item of an order.
      const own = command[1]._t;
      const t = envelope.type === 'track' && typeof own === 'number' ? own : time;
      out.push(request(envelope, ENDPOINT_PATHS.set, envelope.person(), t, undefined, command[1]));
      return;
    }
    case 'alias':
      out.push(request(envelope, ENDPOINT_PATHS.alias, command[2], time, command[1]));
      return;
    case 'clearIdentity':
      // Identity on the server is per request: there is nothing to clear.
      return;
  }
};

/**
 * The requests of any input (a parsed NDJSON line, a service call), each made by `shape.make` from its
 * endpoint, params and URL lengths, in sending order. Throws like `toKissmetricsRequests`; what had to
 * be left out (limits, cycles, reserved names) is noted in `budget`. `naming` names events and
 * properties when the config has no `naming` of its own.
 */
export const buildRequests = <R>(
  message: unknown,
  config: unknown,
  nowMs: number,
  budget: Budget,
  shape: RequestShape<R>,
  naming: Naming = DEFAULT_NAMING,
): R[] => {
  const settings = bag(config);
  const apiKey = settings.apiKey;
  if (typeof apiKey !== 'string' || !API_KEY_PATTERN.test(apiKey)) throw new Error(invalidApiKey(apiKey));
  const host = trackingHostOf(settings.trackingHost);
  // Throws first for anything that is not a translatable message, so `fields` is the message itself.
  const rules = rulesOf(settings.naming, naming);
  const commands = translateMessage(bag(message).type, message, settings, nowMs, budget, rules);
  const fields = bag(message);
  const { anonymousId, person } = peopleOf(fields, budget);
  const envelope: Envelope<R> = {
    host,
    apiKey,
    time: eventSeconds(fields, nowMs),
    type: fields.type,
    anonymousId,
    person,
    shape,
  };
  const out: R[] = [];
  for (const command of commands) requestsOf(envelope, command, out);
  return out;
};

/** The cloud's requests: params as they are, POST when the URL would be too long. */
const CLOUD_SHAPE: RequestShape<KissmetricsRequest> = {
  strings: false,
  otherEscapes: URI_ESCAPES,
  make: (endpoint, params, lengths) => ({
    method: lengths.uri > MAX_GET_URL_LENGTH_CHARS ? 'POST' : 'GET',
    endpoint,
    params,
  }),
};

/**
 * `toKissmetricsRequests` for any input (a parsed NDJSON line, a service call): what had to be left
 * out (limits, cycles, reserved names) is noted in `budget`.
 */
export const requestsFor = (
  message: unknown,
  config: unknown,
  nowMs: number = Date.now(),
  budget: Budget = newBudget(),
): KissmetricsRequest[] => buildRequests(message, config, nowMs, budget, CLOUD_SHAPE);
