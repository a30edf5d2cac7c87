import { trackingHostOf } from '../cloud/requests';
import { API_KEY_PATTERN } from '../rules/constants';
import { reasonOf } from '../rules/messages';
import { bag, isRecord } from '../rules/properties';
import { rulesOf } from '../rules/naming';
import type { Naming } from '../rules/naming';
import { MESSAGE_TYPES } from '../rules/types';
import type { MessageType } from '../rules/types';
import { MAX_REQUESTS_PER_EVENT, STATUS_FILTERED } from './constants';
import { invalidDestinationApiKey, tooManyRequests } from './messages';
import type { ReadEvent, Refusal } from './types';
import type { RestRequest } from './rest';
import { translateEvent } from './transform';
import type { CallEvent } from './transform';

/** What one event became: its requests in sending order, or why it has none. */
export type Outcome = { statusCode: 200; requests: RestRequest[]; trimmed: boolean } | Refusal;

/**
 * A destination config the rules cannot use (checked as the cloud rules check it: the key, the tracking
 * host, the naming), so that its entry says `configuration` rather than `instrumentation`.
 */
const configRefusal = (destination: unknown): Refusal | undefined => {
  const config = bag(bag(destination).Config);
  const apiKey = config.apiKey;
  if (typeof apiKey !== 'string' || !API_KEY_PATTERN.test(apiKey))
    return { statusCode: 400, error: invalidDestinationApiKey(apiKey), errorType: 'configuration' };
  try {
    trackingHostOf(config.trackingHost);
    rulesOf(config.naming);
  } catch (cause) {
    return { statusCode: 400, error: reasonOf(cause), errorType: 'configuration' };
  }
  return undefined;
};

/**
 * The most requests a message may become, counted without translating it: a track one for the event
 * and one per product that has a property, an identify two (`/a` then `/s`), anything else one.
 */
export const requestBound = (message: unknown): number => {
  const fields = bag(message);
  const type = typeof fields.type === 'string' ? fields.type.toLowerCase() : '';
  if (type === 'identify') return 2;
  const products = bag(fields.properties).products;
  if (type !== 'track' || !Array.isArray(products)) return 1;
  let bound = 1;
  for (const product of products as unknown[]) if (isRecord(product) && Object.keys(product).length) bound++;
  return bound;
};

/** rudder-transformer lower-cases `type`: `Track` and `IDENTIFY` are translated as `track` and `identify`. */
const withTypeInLowerCase = (event: CallEvent): CallEvent => {
  const message = event.message;
  const type = bag(message).type;
  if (!isRecord(message) || typeof type !== 'string') return event;
  const lower = type.toLowerCase();
  if (lower === type || !MESSAGE_TYPES.includes(lower as MessageType)) return event;
  return { ...event, message: { ...message, type: lower } };
};

/**
 * The translate stage: one event on its own, within its bounds. An event refused when it was read
 * (over its cap, not JSON) stays refused; one whose config cannot be used, or that may become more than
 * `MAX_REQUESTS_PER_EVENT` requests, is refused before it is translated. `naming` is the service's, for
 * a destination config without one. Never throws.
 */
export const outcomeOf = (event: ReadEvent, nowMs: number, naming?: Naming): Outcome => {
  if (event.refusal) return event.refusal;
  if (isRecord(event.item)) {
    const config = configRefusal(event.destination);
    if (config) return config;
    const bound = requestBound(event.message);
    if (bound > MAX_REQUESTS_PER_EVENT)
      return { statusCode: 413, error: tooManyRequests(bound, MAX_REQUESTS_PER_EVENT), errorType: 'instrumentation' };
  }
  const outcome = translateEvent(withTypeInLowerCase(event), nowMs, naming);
  if (outcome.statusCode !== 200)
    return { ...outcome, errorType: outcome.statusCode === STATUS_FILTERED ? 'filtered' : 'instrumentation' };
  const { length } = outcome.requests;
  return length > MAX_REQUESTS_PER_EVENT
    ? { statusCode: 413, error: tooManyRequests(length, MAX_REQUESTS_PER_EVENT), errorType: 'instrumentation' }
    : outcome;
};
