import { MAX_GET_URL_LENGTH_CHARS } from '../cloud/constants';
import { requestsFor } from '../cloud/requests';
import type { KissmetricsRequest } from '../cloud/types';
import { reasonOf } from '../rules/messages';
import { bag, idOf, isRecord, newBudget } from '../rules/properties';
import { DESTINATION_NAME, STATUS_FILTERED } from './constants';
import { notAnEvent, notAnEventList, notARouterCall, nothingToSend, otherDestination } from './messages';

/**
 * The request rudder-server's router sends for us (`integrations.PostParametersT`). Every value in
 * `params` and `body.FORM` is a string: rudder-server writes them with Go's `fmt`, which would turn
 * the number 1579847342 into `1.579847342e+09`.
 */
export interface RestRequest {
  version: '1';
  type: 'REST';
  method: 'GET' | 'POST';
  endpoint: string;
  headers: Record<string, string>;
  params: Record<string, string>;
  body: {
    JSON: Record<string, never>;
    JSON_ARRAY: Record<string, never>;
    XML: Record<string, never>;
    FORM: Record<string, string>;
  };
  files: Record<string, never>;
  userId: string;
}

/** What one event became: its requests in sending order, or why it has none (400 refused, 298 filtered). */
export type EventOutcome =
  | { statusCode: 200; requests: RestRequest[]; trimmed: boolean }
  | { statusCode: 400 | typeof STATUS_FILTERED; error: string };

/** One event of a call, whatever its shape: `item` is what came, the rest is read from it. */
export interface CallEvent {
  item: unknown;
  message: unknown;
  metadata: unknown;
  destination: unknown;
}

const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

// Go's url.QueryEscape keeps these bytes as they are (and writes a space as `+`); every other byte
// becomes `%XX`. encodeURIComponent keeps `!'()*` too, so its length can be shorter than Go's. A table,
// because this runs on every character of every request.
const ASCII_ESCAPED_LENGTH = Uint8Array.from({ length: 0x80 }, (_, code) =>
  /[A-Za-z0-9\-_.~ ]/.test(String.fromCharCode(code)) ? 1 : 3,
);

/** Length of `text` once Go's url.Values.Encode has escaped it (UTF-8, lone surrogates as U+FFFD). */
const goEscapedLength = (text: string): number => {
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) length += ASCII_ESCAPED_LENGTH[code] ?? 3;
    else if (code < 0x800) length += 6;
    else if (code >= 0xd800 && code <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      length += 12;
      i++;
    } else length += 9;
  }
  return length;
};

/** Length of the URL rudder-server builds for a GET with these params: `endpoint?k=v&k=v`. */
export const goUrlLength = (endpoint: string, params: Record<string, string>): number => {
  let length = endpoint.length + 1;
  for (const [key, value] of Object.entries(params)) length += goEscapedLength(key) + goEscapedLength(value) + 2;
  return length - 1;
};

/**
 * One Kissmetrics request as rudder-server's REST request. A request the cloud rules send as GET goes
 * as POST with a form body when the URL rudder-server would build is too long (its escaping is not
 * encodeURIComponent's), so no URL over `MAX_GET_URL_LENGTH_CHARS` leaves.
 */
export const toRestRequest = (request: KissmetricsRequest, userId: string): RestRequest => {
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(request.params)) fields[key] = String(value);
  const post = request.method === 'POST' || goUrlLength(request.endpoint, fields) > MAX_GET_URL_LENGTH_CHARS;
  return {
    version: '1',
    type: 'REST',
    method: post ? 'POST' : 'GET',
    endpoint: request.endpoint,
    // rudder-server sends a form body with no content type of its own.
    headers: post ? { 'Content-Type': FORM_CONTENT_TYPE } : {},
    params: post ? {} : fields,
    body: { JSON: {}, JSON_ARRAY: {}, XML: {}, FORM: post ? fields : {} },
    files: {},
    userId,
  };
};

/**
 * Translates one event with the cloud rules. Never throws: an event that cannot be translated is a
 * 400 (rudder-server aborts it, the rest of the call goes on), one that becomes no request a 298.
 */
export const translateEvent = (event: CallEvent, nowMs: number): EventOutcome => {
  try {
    if (!isRecord(event.item)) return { statusCode: 400, error: notAnEvent(event.item) };
    const budget = newBudget();
    const requests = requestsFor(event.message, bag(event.destination).Config, nowMs, budget);
    const message = bag(event.message);
    if (!requests.length) return { statusCode: STATUS_FILTERED, error: nothingToSend(message.type) };
    const userId = idOf(message.userId) ?? idOf(message.anonymousId) ?? '';
    return {
      statusCode: 200,
      requests: requests.map((request) => toRestRequest(request, userId)),
      trimmed: budget.omissions > 0,
    };
  } catch (error) {
    return { statusCode: 400, error: reasonOf(error) };
  }
};

/** The metadata to echo: exactly what came (`{}` when an event had none, so rudder-server can read the entry). */
const metadataOf = (item: unknown): unknown => {
  const metadata = bag(item).metadata;
  return metadata === undefined ? {} : metadata;
};

/**
 * The events of a call. rudder-server sends either a plain list of `{message, metadata, destination}`
 * or, when the transformer at DEST_TRANSFORM_URL advertises `supportDestTransformCompactedPayloadV1`
 * (rudder-transformer does, so a proxy in front of both sees it), `{input: [{message, metadata}],
 * destinations: {<destinationId>: destination}}`. Both are read.
 */
const eventsOf = (list: unknown[], destinations: unknown): CallEvent[] => {
  const byId = bag(destinations);
  return list.map((item) => {
    const fields = bag(item);
    const id = String(bag(fields.metadata).destinationId);
    // An own key only: an id such as "constructor" must not find what every object inherits.
    const destination = fields.destination ?? (Object.hasOwn(byId, id) ? byId[id] : undefined);
    return { item, message: fields.message, metadata: metadataOf(item), destination };
  });
};

export type CallParse = { ok: true; events: CallEvent[] } | { ok: false; error: string };

/** The events of a `POST /v0/destinations/kissmetrics` body. */
export const processorEvents = (body: unknown): CallParse => {
  if (Array.isArray(body)) return { ok: true, events: eventsOf(body, undefined) };
  const fields = bag(body);
  if (Array.isArray(fields.input)) return { ok: true, events: eventsOf(fields.input, fields.destinations) };
  return { ok: false, error: notAnEventList(body) };
};

export type RouterParse = CallParse | { ok: false; error: string; otherDestination: true };

/** The events of a `POST /routerTransform` body; another `destType` is refused (404). */
export const routerEvents = (body: unknown): RouterParse => {
  const fields = bag(body);
  if (!isRecord(body) || !Array.isArray(fields.input)) return { ok: false, error: notARouterCall(body) };
  if (typeof fields.destType !== 'string' || fields.destType.toLowerCase() !== DESTINATION_NAME)
    return { ok: false, error: otherDestination(fields.destType), otherDestination: true };
  return { ok: true, events: eventsOf(fields.input, fields.destinations) };
};

/** One entry of the processor answer. */
export type ProcessorEntry =
  | { output: RestRequest; metadata: unknown; statusCode: 200 }
  | { metadata: unknown; statusCode: number; error: string };

/** Per request of each event `{output, metadata, statusCode: 200}`; per refused event `{metadata, statusCode, error}`. */
export const processorEntries = (event: CallEvent, outcome: EventOutcome): ProcessorEntry[] =>
  outcome.statusCode === 200
    ? outcome.requests.map((output) => ({ output, metadata: event.metadata, statusCode: 200 }))
    : [{ metadata: event.metadata, statusCode: outcome.statusCode, error: outcome.error }];

/** One entry of the router answer: one per event, its requests as an array in sending order. */
export interface RouterEntry {
  batchedRequest?: RestRequest[];
  metadata: unknown[];
  batched: false;
  statusCode: number;
  destination: unknown;
  error?: string;
}

export const routerEntry = (event: CallEvent, outcome: EventOutcome): RouterEntry => {
  const common = { metadata: [event.metadata], batched: false as const, destination: event.destination ?? {} };
  return outcome.statusCode === 200
    ? { batchedRequest: outcome.requests, ...common, statusCode: 200 }
    : { ...common, statusCode: outcome.statusCode, error: outcome.error };
};

/** Counts for the log line: never contents. */
export interface CallSummary {
  events: number;
  requests: number;
  refused: number;
  filtered: number;
  trimmed: number;
}

export const summarize = (outcomes: EventOutcome[]): CallSummary => {
  const summary: CallSummary = { events: outcomes.length, requests: 0, refused: 0, filtered: 0, trimmed: 0 };
  for (const outcome of outcomes) {
    if (outcome.statusCode === 200) {
      summary.requests += outcome.requests.length;
      if (outcome.trimmed) summary.trimmed++;
    } else if (outcome.statusCode === STATUS_FILTERED) summary.filtered++;
    else summary.refused++;
  }
  return summary;
};
