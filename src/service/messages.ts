import { describe } from '../rules/messages';
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
