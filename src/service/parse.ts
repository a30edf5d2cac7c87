import { bag, isRecord } from '../rules/properties';
import { errorAnswer } from './answer';
import type { Answer } from './answer';
import { DESTINATION_NAME } from './constants';
import { malformedJson, notAnEventList, notARouterCall, otherDestination } from './messages';
import type { Endpoint } from './routes';
import type { CallEvent } from './transform';

/** The events of a call, or the answer of a call that has none to translate. */
export type Call = { ok: true; events: CallEvent[] } | { ok: false; answer: Answer };

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

/** The events of a `POST /v0/destinations/kissmetrics` body. */
export const processorEvents = (body: unknown): Call => {
  if (Array.isArray(body)) return { ok: true, events: eventsOf(body, undefined) };
  const fields = bag(body);
  if (Array.isArray(fields.input)) return { ok: true, events: eventsOf(fields.input, fields.destinations) };
  return { ok: false, answer: errorAnswer(400, notAnEventList(body)) };
};

/** The events of a `POST /routerTransform` body; another `destType` is refused (404). */
export const routerEvents = (body: unknown): Call => {
  const fields = bag(body);
  if (!isRecord(body) || !Array.isArray(fields.input))
    return { ok: false, answer: errorAnswer(400, notARouterCall(body)) };
  if (typeof fields.destType !== 'string' || fields.destType.toLowerCase() !== DESTINATION_NAME)
    return { ok: false, answer: errorAnswer(404, otherDestination(fields.destType)) };
  return { ok: true, events: eventsOf(fields.input, fields.destinations) };
};

/** The events of a call's body, read as the endpoint expects them. */
export const parseCall = (bytes: Buffer, endpoint: Endpoint): Call => {
  let body: unknown;
  try {
    body = JSON.parse(bytes.toString('utf8'));
  } catch (cause) {
    return {
      ok: false,
      answer: errorAnswer(400, malformedJson(cause instanceof Error ? cause.message : String(cause))),
    };
  }
  return endpoint === 'router' ? routerEvents(body) : processorEvents(body);
};
