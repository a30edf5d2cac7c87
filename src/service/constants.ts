/** rudder-transformer's port: `DEST_TRANSFORM_URL=http://<host>:9090` works without changing the port. */
export const DEFAULT_PORT = 9090;
/** Loopback by default: listening on every interface (`--host 0.0.0.0`, in a container) is a deliberate choice. */
export const DEFAULT_HOST = '127.0.0.1';

/**
 * rudder-server checks this header on every 200 answer of a transformer and stops (panics) when it is
 * not `2` (`SupportedTransformerApiVersion`); every answer of ours carries it.
 */
export const API_VERSION_HEADER = 'apiVersion';
export const API_VERSION = '2';

/**
 * What `GET /features` answers. rudder-server's processor refuses to start without a source-transform
 * flag; no destination is listed under `routerTransform`, so rudder-server transforms Kissmetrics events
 * at the processor stage (`/v0/destinations/kissmetrics`), as RudderStack's own definition asks.
 */
export const FEATURES = {
  routerTransform: {},
  supportSourceTransformV1: true,
  upgradedToSourceTransformV2: true,
} as const;

/** The one destination this service translates, as rudder-server spells it in paths and `destType`. */
export const DESTINATION_NAME = 'kissmetrics';
export const DESTINATIONS_PATH_PREFIX = '/v0/destinations/';
export const ROUTER_TRANSFORM_PATH = '/routerTransform';
export const FEATURES_PATH = '/features';
export const HEALTH_PATH = '/health';

/**
 * Largest request body read. rudder-server sends 100 events per call by default
 * (`Processor.transformBatchSize`), a few kB each: 64 MiB leaves room for batches of unusually large
 * events, because a 413 at the processor stage aborts every event of the call for good.
 */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;
/**
 * Most events in one call. rudder-server sends 100 by default; a call with more is refused whole (413),
 * so keep `Processor.transformBatchSize` (and a router batch) at or below this.
 */
export const MAX_EVENTS_PER_CALL = 1000;
/**
 * After SIGTERM or SIGINT, a call whose body is still arriving gets this long to finish sending it; then
 * it is cut (rudder-server retries it, on another replica behind the proxy). rudder-server sends a call's
 * few hundred kB in milliseconds: one still arriving 2 s later is stalled.
 */
export const SHUTDOWN_UPLOAD_GRACE_MS = 2_000;
/**
 * After SIGTERM or SIGINT, a kept-alive connection with no call on it stays open this long, and a call
 * that arrives on it meanwhile is answered (with `Connection: close`): closing it at once would reset a
 * call the client is sending at that moment. A client sends its next call within milliseconds of an
 * answer; a connection idle for 1 s has none coming.
 */
export const SHUTDOWN_IDLE_GRACE_MS = 1_000;
/**
 * After SIGTERM or SIGINT, whatever is still open after this long is cut and the process ends: calls
 * already read finish in far less (each call's work is bounded), and `docker stop` and Kubernetes send
 * SIGKILL after 10 s at the earliest that is configured in practice (their defaults are 10 s and 30 s).
 */
export const SHUTDOWN_DEADLINE_MS = 8_000;
/** A client has this long to send one whole request (headers and body); a stalled upload is then cut. */
export const REQUEST_RECEIVE_TIMEOUT_MS = 60_000;
/** Longest request path written to the log: the rest is cut, so a hostile URL cannot flood the log. */
export const MAX_LOGGED_PATH_CHARS = 100;

/**
 * rudder-server's status for an event a transformer chose not to send (`FilterEventCode`): reported
 * as filtered, not failed, and never retried. We answer it for an event that becomes no request.
 */
export const STATUS_FILTERED = 298;

/**
 * JSON values one event may hold (its message, metadata and destination together: every object, array,
 * member and item counts one). The rules read at most 4,096 values of a message; a real event from an
 * SDK holds a few hundred. An event over this is answered 413 on its own and never built: building it
 * would cost about 100 bytes of memory per value (64 MiB of `[{},{},…]` is 2 GB), so this keeps one event
 * under about 10 MB however its call was written.
 */
export const MAX_VALUES_PER_EVENT = 100_000;
/**
 * JSON values of one destination of a compacted call (`destinations: {<id>: destination}`): a Kissmetrics
 * destination with its definition holds a few hundred. Over this, the events that name it are answered 413.
 */
export const MAX_VALUES_PER_DESTINATION = 10_000;
/** Destinations of a compacted call kept built at once (a call from rudder-server names one or a few). */
export const MAX_CACHED_DESTINATIONS = 16;
/**
 * A malformed body up to this size is parsed whole once more, so that the error quotes the JSON parser's
 * own reason and position; a larger one is described by the scan alone (parsing it could be unbounded).
 */
export const MAX_REPARSED_BODY_BYTES = 1024 * 1024;

/**
 * Kissmetrics requests one event may become. A track becomes one request for the event and one per
 * product (SPEC §5), so this is an order of 999 products: far above any real cart, yet each request is
 * one call rudder-server's router makes to Kissmetrics. An event that may become more (counted before
 * it is translated, from its products) is answered 413 on its own: translating 1,000 events of 2,100
 * products each would take most of a minute and a 2 GB answer.
 */
export const MAX_REQUESTS_PER_EVENT = 1000;
/**
 * Bytes of translated entries in one answer. A 100-event call from rudder-server is answered in a few
 * hundred kB; rudder-server reads the whole answer into memory and decodes it (several times its size),
 * and producing 32 MiB takes us about a second. Past it, each remaining event is answered 413 on its own
 * (its metadata echoed once), so an answer is at most this plus one short error entry per event.
 */
export const MAX_ANSWER_BYTES = 32 * 1024 * 1024;
/** The answer is written in pieces of about this size; a slow reader holds at most one in our memory. */
export const ANSWER_PIECE_BYTES = 64 * 1024;

/** rudder-server's `statTags` of an error entry that do not depend on the event (rudder-transformer's values). */
export const STAT_TAGS = { destType: 'KISSMETRICS', module: 'destination', implementation: 'native' } as const;
/** Every error we answer is about the data that came (`dataValidation`), never about Kissmetrics or us. */
export const ERROR_CATEGORY = 'dataValidation';
/**
 * Levels of nesting of one event (the event itself is level 1, its message 2, its properties 3). The
 * rules read 32 levels of properties; `JSON.stringify`, which writes metadata back, recurses once per
 * level and fails a few thousand levels down. An event deeper than this is answered 413 on its own and
 * never built; a compacted destination deeper than this refuses the events that name it.
 */
export const MAX_DEPTH_LEVELS_PER_EVENT = 512;
/**
 * JSON values and object keys built for one call, all its events (and compacted destinations) together;
 * an event past either is answered 413 on its own, never built. `JSON.parse` builds millions of plain
 * values a second, but object keys that are all different cost it far more (0.5-1.5 µs each, measured
 * on the shared build machine): 64 MiB of distinct keys took 14 s. These keep any call the body limit
 * admits to a few seconds. A call from rudder-server (100 events of a few hundred values) builds about
 * 30,000 values; 1,000 orders of 2,100 products each, 4.2 million values and 2.1 million keys.
 */
export const MAX_VALUES_PER_CALL = 8_000_000;
export const MAX_KEYS_PER_CALL = 3_000_000;
