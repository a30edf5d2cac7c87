import { describe, invalidApiKey } from '../rules/messages';
import { DESTINATION_NAME, ROUTER_TRANSFORM_PATH } from './constants';

/** Texts the transformer service answers or logs: what was wrong and what is expected. Never message contents. */

const MIB_BYTES = 1024 * 1024;

const size = (bytes: number): string =>
  bytes >= MIB_BYTES && bytes % MIB_BYTES === 0 ? `${bytes / MIB_BYTES} MiB` : `${bytes} bytes`;

export const bodyTooLarge = (limitBytes: number): string =>
  `request body too large: at most ${size(limitBytes)} is read; send fewer events per call (rudder-server: Processor.transformBatchSize)`;

export const tooManyEvents = (count: number, max: number): string =>
  `${count} events in one call, at most ${max} are translated; send fewer events per call (rudder-server: Processor.transformBatchSize)`;

export const malformedJson = (reason: string): string => `malformed JSON body: ${reason}`;

export const notAnEventList = (value: unknown): string =>
  `expected a JSON array of events {message, metadata, destination} (or {input: [...], destinations: {...}}), got ${describe(value)}`;

export const notARouterCall = (value: unknown): string =>
  `expected {input: [{message, metadata, destination}], destType: "${DESTINATION_NAME}"}, got ${describe(value)}`;

export const notAnEvent = (value: unknown): string =>
  `expected an event {message, metadata, destination}, got ${describe(value)}`;

export const otherDestination = (name: unknown): string =>
  `this service translates only "${DESTINATION_NAME}" events, not ${describe(name)}: send other destinations to rudder-transformer`;

export const unknownPath = (path: string): string =>
  `no such endpoint ${describe(path)}: POST /v0/destinations/${DESTINATION_NAME}, POST ${ROUTER_TRANSFORM_PATH}, GET (or HEAD) /features and /health are served`;

export const methodNotAllowed = (method: string, allowed: readonly string[]): string =>
  `method ${describe(method)} not allowed here: use ${allowed.join(' or ')}`;

export const nothingToSend = (type: unknown): string =>
  `${describe(type)}: nothing to send to Kissmetrics (an identify with only a userId: no traits to set, no anonymousId to alias)`;

export const internalError = (): string => 'internal error while translating the call; it can be retried';

const count = (n: number): string => n.toLocaleString('en-US');

export const malformedAt = (expected: string, at: number): string => `expected ${expected} at byte ${count(at)}`;

export const eventTooLarge = (values: number, max: number): string =>
  `event too large: ${count(values)} JSON values, at most ${count(max)} are read per event (MAX_VALUES_PER_EVENT); it was not translated`;

export const malformedEvent = (reason: string): string => `this event is not valid JSON: ${reason}`;

export const destinationTooLarge = (values: number, max: number): string =>
  `the destination this event names is too large: ${count(values)} JSON values, at most ${count(max)} are read (MAX_VALUES_PER_DESTINATION)`;

export const malformedDestination = (reason: string): string =>
  `the destination this event names is not valid JSON: ${reason}`;

export const tooManyRequests = (requests: number, max: number): string =>
  `this event may become ${count(requests)} Kissmetrics requests (one for the event, one per product), at most ${count(max)} are sent per event (MAX_REQUESTS_PER_EVENT); send the products in several events`;

export const answerFull = (max: number): string =>
  `the answer to this call reached ${max / MIB_BYTES} MiB of translated entries (MAX_ANSWER_BYTES); this event was not translated: send fewer or smaller events per call`;

export const metadataNotEchoed = (): string =>
  "this event's metadata could not be written back (JSON encoding failed): answered with its top-level fields only, not translated";

export const destinationNotEchoed = (): string =>
  "this event's destination could not be written back (JSON encoding failed): answered with its top-level fields only, not translated";

export const eventTooDeep = (levels: number, max: number): string =>
  `event nested too deeply: ${count(levels)} levels, at most ${max} are read per event (MAX_DEPTH_LEVELS_PER_EVENT); it was not translated`;

export const destinationTooDeep = (levels: number, max: number): string =>
  `the destination this event names is nested too deeply: ${count(levels)} levels, at most ${max} are read (MAX_DEPTH_LEVELS_PER_EVENT)`;

export const callTooLarge = (what: 'values' | 'keys', before: number, event: number, max: number): string =>
  `call too large: the events before this one hold ${count(before)} JSON ${what}, this one ${count(event)}, at most ${count(max)} are read per call (MAX_${what.toUpperCase()}_PER_CALL); it was not translated: send fewer or smaller events per call`;

/** The destination's key is missing or malformed: where a key is set, and where it comes from. */
export const invalidDestinationApiKey = (value: unknown): string =>
  `${invalidApiKey(value)}; set the API Key of the Kissmetrics destination in RudderStack ` +
  '(destination.Config.apiKey; the key is in Kissmetrics under Product Settings)';
