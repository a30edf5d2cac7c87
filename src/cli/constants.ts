/** Limits of the command line; the sender's own limits are in `../cloud/constants`. */
import { PERMANENT_SOCKET_ERRORS } from '../cloud/constants';

export const COMMAND_NAME = 'rudderstack-kissmetrics';

/** Exit statuses of the CLI (also in `--help`). */
export const EXIT_OK = 0;
export const EXIT_NOT_DELIVERED = 1;
export const EXIT_USAGE = 2;
/** 128 + the signal number, as shells report a process killed by it. */
export const EXIT_SIGINT = 130;
export const EXIT_SIGTERM = 143;

/**
 * A longer line is not an event (a RudderStack event is at most a few hundred kB): it is refused
 * and passed to `--failed-out` in pieces, never held whole in memory.
 */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

/**
 * Lines read but not finished (in flight, or waiting for an earlier line of the same person) are
 * at most this many per unit of --concurrency, and this many bytes in all; reading pauses beyond,
 * so memory does not grow with the input. Reading ahead lets other people's lines run while one
 * person's lines wait for each other; a few slots' worth is enough for a mix of people.
 */
export const PENDING_LINES_PER_SLOT = 8;
export const MAX_PENDING_BYTES = 64 * 1024 * 1024;

/** `send` stops when this many lines in a row could not be delivered: the endpoint is failing. */
export const MAX_FAILED_LINES_IN_A_ROW = 20;
/**
 * Socket errors that mean the endpoint cannot be reached at all; after a line's retries, `send`
 * stops at once instead of trying every remaining line.
 */
export const UNREACHABLE_ERRORS: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  // A certificate the next attempt cannot cure: no line will get through either.
  ...PERMANENT_SOCKET_ERRORS,
]);

/** Failures echoed on stderr when they are also written to `--failed-out`; all are echoed otherwise. */
export const MAX_ECHOED_FAILURES = 20;

/** The reasons of `--failed-out FILE` go to `FILE` + this, one JSON record per line of FILE. */
export const REASONS_SUFFIX = '.reasons.ndjson';

/** The journal's checksums (the CRC-32 of each line it recorded) go to the journal's name + this. */
export const CHECKSUMS_SUFFIX = '.checksums';
/**
 * A resume from stdin cannot read the input twice: lines not done that come before the last line
 * the journal recorded are held until every recorded line is checked, this many bytes at most.
 */
export const MAX_RESUME_HELD_BYTES = 64 * 1024 * 1024;
/**
 * On Ctrl-C or SIGTERM, requests in flight get this long to be answered (and recorded: a resume
 * does not send them again) before they are aborted; nothing new starts meanwhile.
 */
export const STOP_GRACE_MS = 5_000;
/** `--state`: after this many bytes of progress records the file is rewritten as one checkpoint. */
export const STATE_COMPACT_BYTES = 1024 * 1024;
/**
 * `--state`: a larger file is refused, not read. A checkpoint grows with the gaps in what is done
 * (about 20 bytes per line left to retry), so even millions of them stay well below this.
 */
export const MAX_STATE_BYTES = 256 * 1024 * 1024;

/** `translate`: input that is not NDJSON is read as one JSON document of at most this size. */
export const MAX_DOCUMENT_BYTES = 16 * 1024 * 1024;
