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
 * After SIGTERM or SIGINT, calls in flight get this long to finish before their connections are cut:
 * under the 30 s that Kubernetes and `docker stop --time` give by default before SIGKILL.
 */
export const SHUTDOWN_GRACE_MS = 20_000;
/** A client has this long to send one whole request (headers and body); a stalled upload is then cut. */
export const REQUEST_RECEIVE_TIMEOUT_MS = 60_000;
/** Longest request path written to the log: the rest is cut, so a hostile URL cannot flood the log. */
export const MAX_LOGGED_PATH_CHARS = 100;

/**
 * rudder-server's status for an event a transformer chose not to send (`FilterEventCode`): reported
 * as filtered, not failed, and never retried. We answer it for an event that becomes no request.
 */
export const STATUS_FILTERED = 298;
