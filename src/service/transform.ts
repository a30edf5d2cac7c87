import { reasonOf } from '../rules/messages';
import type { Naming } from '../rules/naming';
import { bag, idOf, isRecord, newBudget } from '../rules/properties';
import { DESTINATION_NAME, STATUS_FILTERED } from './constants';
import { notAnEvent, notAnEventList, notARouterCall, nothingToSend, otherDestination } from './messages';
import { restRequestsFor } from './rest';
import type { RestRequest } from './rest';

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

/**
 * Translates one event with the cloud rules. Never throws: an event that cannot be translated is a
 * 400 (rudder-server aborts it, the rest of the call goes on), one that becomes no request a 298.
 * `naming` (the service's `--naming`) names events and properties when the destination config has no `naming`.
 */
export const translateEvent = (event: CallEvent, nowMs: number, naming?: Naming): EventOutcome => {
  try {
    if (!isRecord(event.item)) return { statusCode: 400, error: notAnEvent(event.item) };
    const budget = newBudget();
    const message = bag(event.message);
    const userId = idOf(message.userId) ?? idOf(message.anonymousId) ?? '';
    const requests = restRequestsFor(event.message, bag(event.destination).Config, nowMs, budget, userId, naming);
    if (!requests.length) return { statusCode: STATUS_FILTERED, error: nothingToSend(message.type) };
    return { statusCode: 200, requests, trimmed: budget.omissions > 0 };
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
