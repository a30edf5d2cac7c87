/** Where Kissmetrics receives server-side events; `config.trackingHost` or `--endpoint` replaces it. */
export const DEFAULT_TRACKING_HOST = 'https://trk.kissmetrics.io';

/** The Kissmetrics tracking API: record an event, set properties, alias two identities. */
export const ENDPOINT_PATHS = { record: '/e', set: '/s', alias: '/a' } as const;

/** Longer GET URLs are cut by proxies and servers; such requests go as POST with a form body. */
export const MAX_GET_URL_LENGTH_CHARS = 2048;

/** One attempt of one request may take this long, response included. */
export const REQUEST_TIMEOUT_MS = 10_000;
/** Attempts per request, the first one included. */
export const MAX_ATTEMPTS = 5;
/** The back-off before retry n is a random wait in [0, min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2^(n-1))). */
export const BASE_BACKOFF_MS = 500;
export const MAX_BACKOFF_MS = 30_000;
/** A `Retry-After` up to this long is honoured; a longer one ends the retries (the request is reported failed). */
export const MAX_RETRY_AFTER_MS = 60_000;
/** Socket errors that the next attempt cannot cure (certificate problems): the request fails at once. */
export const PERMANENT_SOCKET_ERRORS: ReadonlySet<string> = new Set([
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
]);
/**
 * Kissmetrics answers with a 1×1 GIF (43 bytes) or nothing. The sender reads at most this many bytes
 * of any answer (plus the network chunk that crosses it) and then cancels the rest: an endpoint that
 * answers with an endless or huge body cannot grow the process. A body still arriving when the
 * attempt's timeout ends counts as a timeout.
 */
export const MAX_RESPONSE_BODY_BYTES = 4096;
/** All attempts and waits of one request together stay within this. */
export const DELIVERY_DEADLINE_MS = 120_000;

/** `send`: requests in flight at once, by default and at most. */
export const DEFAULT_CONCURRENCY = 8;
export const MAX_CONCURRENCY = 256;
/** `send` without a terminal: one progress line on stderr this often. */
export const PROGRESS_INTERVAL_MS = 5_000;
/** `translate --mode cloud` without `--api-key` shows this in `_k`. */
export const PLACEHOLDER_API_KEY = 'YOUR_API_KEY';
