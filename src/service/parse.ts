import { bag } from '../rules/properties';
import { errorAnswer } from './answer';
import type { Answer } from './answer';
import {
  DESTINATION_NAME,
  MAX_CACHED_DESTINATIONS,
  MAX_DEPTH_LEVELS_PER_EVENT,
  MAX_KEYS_PER_CALL,
  MAX_REPARSED_BODY_BYTES,
  MAX_VALUES_PER_CALL,
  MAX_VALUES_PER_DESTINATION,
  MAX_VALUES_PER_EVENT,
} from './constants';
import {
  callTooLarge,
  destinationTooDeep,
  destinationTooLarge,
  eventTooDeep,
  eventTooLarge,
  malformedAt,
  malformedDestination,
  malformedEvent,
  malformedJson,
  notAnEventList,
  notARouterCall,
  otherDestination,
  tooManyEvents,
} from './messages';
import type { Endpoint, ReadEvent, Refusal } from './types';
import { kindOf, membersOf, scanBody } from './scan';
import type { Member, Span } from './scan';

/**
 * A call whose events are found but not built yet: each is built when its turn comes, so that one
 * event at a time is in memory, and one over its cap never is.
 */
export interface ParsedCall {
  bytes: Buffer;
  /** Where each event is, in order. */
  events: Span[];
  /** A compacted call (`{input, destinations}`): where each destination is, by id. */
  destinations: ReadonlyMap<string, Span>;
}

export type Call = { ok: true; call: ParsedCall } | { ok: false; answer: Answer };

/** What the parse stage keeps while a call's events are read: the call, the destinations and what was built. */
export interface CallReader {
  call: ParsedCall;
  destinations: Map<string, { value: unknown } | { refusal: Refusal }>;
  /** JSON values and keys built for this call so far, and at most (`MAX_VALUES_PER_CALL`, `MAX_KEYS_PER_CALL`). */
  values: number;
  keys: number;
  maxValues: number;
  maxKeys: number;
}

const reasonOf = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause));

const textOf = (bytes: Buffer, span: Span): string => bytes.toString('utf8', span.start, span.end);

/** The JSON parser's reason when the body is small enough to parse again, else where the scan stopped. */
const malformed = (bytes: Buffer, at: number, expected: string): Answer => {
  if (bytes.length <= MAX_REPARSED_BODY_BYTES)
    try {
      JSON.parse(bytes.toString('utf8'));
    } catch (cause) {
      return errorAnswer(400, malformedJson(reasonOf(cause)));
    }
  return errorAnswer(400, malformedJson(malformedAt(expected, at)));
};

/** A value to describe in an error: containers by their kind only, scalars as they are. */
const sampleOf = (bytes: Buffer, span: Span | undefined): unknown => {
  if (!span) return undefined;
  const kind = kindOf(bytes, span);
  if (kind !== 'other') return kind === 'object' ? {} : [];
  try {
    return JSON.parse(textOf(bytes, span));
  } catch {
    return undefined;
  }
};

/** The last member named `key` (as `JSON.parse` keeps the last of duplicate keys). */
const memberNamed = (members: Member[], key: string): Span | undefined => {
  let found: Span | undefined;
  for (const member of members) if (member.key === key) found = member.span;
  return found;
};

/** The events of a list read member by member: more than `maxEvents` are refused whole (413) before any is built. */
const eventsIn = (
  list: { members?: Member[]; count?: number },
  maxEvents: number,
): { ok: true; events: Span[] } | { ok: false; answer: Answer } => {
  const count = list.count ?? 0;
  if (count > maxEvents) return { ok: false, answer: errorAnswer(413, tooManyEvents(count, maxEvents)) };
  return { ok: true, events: (list.members ?? []).map((member) => member.span) };
};

/** Where each destination of a compacted call is, by id (an own key only, as `JSON.parse` builds them). */
const destinationsOf = (bytes: Buffer, span: Span | undefined): Map<string, Span> => {
  const byId = new Map<string, Span>();
  if (!span || kindOf(bytes, span) !== 'object') return byId;
  const found = membersOf(bytes, span);
  if (found.ok) for (const { key, span: value } of found.members) if (key !== undefined) byId.set(key, value);
  return byId;
};

/** The events of a call given as an object: `{input: [...], destinations?}`, and `destType` for the router. */
const fromObject = (bytes: Buffer, top: Member[], endpoint: Endpoint, maxEvents: number): Call | undefined => {
  let input: Member | undefined;
  for (const member of top) if (member.key === 'input') input = member;
  if (!input?.members) return undefined;
  if (endpoint === 'router') {
    const destType = sampleOf(bytes, memberNamed(top, 'destType'));
    if (typeof destType !== 'string' || destType.toLowerCase() !== DESTINATION_NAME)
      return { ok: false, answer: errorAnswer(404, otherDestination(destType)) };
  }
  const list = eventsIn(input, maxEvents);
  if (!list.ok) return list;
  const destinations = destinationsOf(bytes, memberNamed(top, 'destinations'));
  return { ok: true, call: { bytes, events: list.events, destinations } };
};

/**
 * Finds the events of a call without building them, in one pass over its bytes: a plain list of
 * `{message, metadata, destination}`, or, when the transformer at DEST_TRANSFORM_URL advertises
 * `supportDestTransformCompactedPayloadV1` (rudder-transformer does, so a proxy in front of both sees
 * it), `{input: [{message, metadata}], destinations: {<destinationId>: destination}}`; for
 * `/routerTransform`, `{input, destType}`. More than `maxEvents` events are refused whole (413) before
 * any is built.
 */
export const parseCall = (bytes: Buffer, endpoint: Endpoint, maxEvents: number): Call => {
  const body = scanBody(bytes, { max: maxEvents, descend: 'input', descendMax: maxEvents });
  if (!body.ok) return { ok: false, answer: malformed(bytes, body.at, body.expected) };
  const kind = kindOf(bytes, body.span);
  if (kind === 'array' && endpoint === 'processor' && 'members' in body) {
    const list = eventsIn(body, maxEvents);
    return list.ok ? { ok: true, call: { bytes, events: list.events, destinations: new Map() } } : list;
  }
  const call =
    kind === 'object' && 'members' in body ? fromObject(bytes, body.members, endpoint, maxEvents) : undefined;
  if (call) return call;
  let sample: unknown = kind === 'array' ? [] : {};
  if (kind === 'other')
    try {
      sample = JSON.parse(textOf(bytes, body.span));
    } catch (cause) {
      return { ok: false, answer: errorAnswer(400, malformedJson(reasonOf(cause))) };
    }
  return {
    ok: false,
    answer: errorAnswer(400, endpoint === 'router' ? notARouterCall(sample) : notAnEventList(sample)),
  };
};

export const readerOf = (
  call: ParsedCall,
  maxValues = MAX_VALUES_PER_CALL,
  maxKeys = MAX_KEYS_PER_CALL,
): CallReader => ({ call, destinations: new Map(), values: 0, keys: 0, maxValues, maxKeys });

/** Counts `span` as built for the call, or refuses it when the call has built its share. */
const spend = (reader: CallReader, span: Span): Refusal | undefined => {
  const [what, before, event, max]: ['values' | 'keys', number, number, number] =
    reader.values + span.values > reader.maxValues
      ? ['values', reader.values, span.values, reader.maxValues]
      : ['keys', reader.keys, span.keys, reader.maxKeys];
  if (before + event > max)
    return { statusCode: 413, error: callTooLarge(what, before, event, max), errorType: 'instrumentation' };
  reader.values += span.values;
  reader.keys += span.keys;
  return undefined;
};

/** The metadata to echo: exactly what came (`{}` when an event had none, so rudder-server can read the entry). */
const metadataOf = (value: unknown): unknown => (value === undefined ? {} : value);

/**
 * What can be read of a value that is not built whole (over its cap, or inside an event that is not
 * JSON): an object's members that are strings, numbers, booleans or null. For metadata that keeps
 * `jobId`, `messageId`, `destinationId` …, all rudder-server needs to tell which job an entry answers.
 */
const scalarsOf = (bytes: Buffer, span: Span | undefined): Record<string, unknown> | undefined => {
  if (!span || kindOf(bytes, span) !== 'object') return undefined;
  const found = membersOf(bytes, span);
  if (!found.ok) return undefined;
  const out: Record<string, unknown> = {};
  for (const { key, span: value } of found.members)
    if (key !== undefined && kindOf(bytes, value) === 'other') {
      const sample = sampleOf(bytes, value);
      if (sample !== undefined)
        Object.defineProperty(out, key, { value: sample, enumerable: true, writable: true, configurable: true });
    }
  return out;
};

/** What is refused about a value before it is built: too many values, or nested too deeply. */
const overCap = (span: Span, maxValues: number, what: 'event' | 'destination'): Refusal | undefined => {
  const event = what === 'event';
  if (span.values > maxValues)
    return {
      statusCode: 413,
      error: event ? eventTooLarge(span.values, maxValues) : destinationTooLarge(span.values, maxValues),
      errorType: 'instrumentation',
    };
  if (span.depth > MAX_DEPTH_LEVELS_PER_EVENT)
    return {
      statusCode: 413,
      error: (event ? eventTooDeep : destinationTooDeep)(span.depth, MAX_DEPTH_LEVELS_PER_EVENT),
      errorType: 'instrumentation',
    };
  return undefined;
};

/** A member built whole when it is within the caps of an event, else what `scalarsOf` reads of it. */
const partOf = (bytes: Buffer, span: Span | undefined): unknown => {
  if (!span) return undefined;
  if (!overCap(span, MAX_VALUES_PER_EVENT, 'event'))
    try {
      return JSON.parse(textOf(bytes, span));
    } catch {
      // Not JSON: what can be read of it below.
    }
  return scalarsOf(bytes, span);
};

type Destination = { value: unknown } | { refusal: Refusal };

const buildDestination = (reader: CallReader, span: Span): Destination => {
  const { bytes } = reader.call;
  const refusal = overCap(span, MAX_VALUES_PER_DESTINATION, 'destination') ?? spend(reader, span);
  if (refusal) return { refusal };
  try {
    return { value: JSON.parse(textOf(bytes, span)) };
  } catch (cause) {
    return { refusal: { statusCode: 400, error: malformedDestination(reasonOf(cause)), errorType: 'instrumentation' } };
  }
};

/** The destination of a compacted call that `metadata.destinationId` names, built once per call (a few at a time). */
const destinationNamed = (reader: CallReader, metadata: unknown): Destination => {
  const id = String(bag(metadata).destinationId);
  const cached = reader.destinations.get(id);
  if (cached) return cached;
  const span = reader.call.destinations.get(id);
  if (!span) return { value: undefined };
  const built = buildDestination(reader, span);
  if (reader.destinations.size >= MAX_CACHED_DESTINATIONS) {
    const [oldest] = reader.destinations.keys();
    if (oldest !== undefined) reader.destinations.delete(oldest);
  }
  reader.destinations.set(id, built);
  return built;
};

/** An event that is not built: answered with `refusal`, its metadata (and destination) read as far as they can be. */
const unbuilt = (reader: CallReader, span: Span, refusal: Refusal): ReadEvent => {
  const { bytes } = reader.call;
  const found = kindOf(bytes, span) === 'object' ? membersOf(bytes, span) : undefined;
  const members = found?.ok ? found.members : [];
  const metadata = metadataOf(partOf(bytes, memberNamed(members, 'metadata')));
  let destination = partOf(bytes, memberNamed(members, 'destination'));
  if (destination === undefined || destination === null) {
    const named = destinationNamed(reader, metadata);
    destination = 'value' in named ? named.value : undefined;
  }
  return { item: undefined, message: undefined, metadata, destination, refusal };
};

/**
 * Builds event `index` of the call (and the compacted destination it names). One over its cap, or not
 * JSON, is not built: it comes back with its `refusal` and whatever of its metadata can be read.
 */
export const readEvent = (reader: CallReader, index: number): ReadEvent => {
  const { bytes, events } = reader.call;
  const span = events[index];
  if (!span) throw new RangeError(`no event ${index}`);
  const refusal = overCap(span, MAX_VALUES_PER_EVENT, 'event') ?? spend(reader, span);
  if (refusal) return unbuilt(reader, span, refusal);
  let item: unknown;
  try {
    item = JSON.parse(textOf(bytes, span));
  } catch (cause) {
    return unbuilt(reader, span, {
      statusCode: 400,
      error: malformedEvent(reasonOf(cause)),
      errorType: 'instrumentation',
    });
  }
  const fields = bag(item);
  const metadata = metadataOf(fields.metadata);
  const event = { item, message: fields.message, metadata, destination: fields.destination };
  if (event.destination !== undefined && event.destination !== null) return event;
  const named = destinationNamed(reader, metadata);
  return 'value' in named
    ? { ...event, destination: named.value ?? event.destination }
    : { ...event, refusal: named.refusal };
};
