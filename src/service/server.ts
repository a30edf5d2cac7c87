import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Naming } from '../rules/naming';
import { errorAnswer } from './answer';
import type { Answer } from './answer';
import {
  ANSWER_PIECE_BYTES,
  DEFAULT_HOST,
  DEFAULT_PORT,
  HEALTH_PATH,
  MAX_ANSWER_BYTES,
  MAX_BODY_BYTES,
  MAX_EVENTS_PER_CALL,
  REQUEST_RECEIVE_TIMEOUT_MS,
  SHUTDOWN_DEADLINE_MS,
  SHUTDOWN_IDLE_GRACE_MS,
  SHUTDOWN_UPLOAD_GRACE_MS,
} from './constants';
import type { CallSummary } from './types';
import { internalError } from './messages';
import { answerCall } from './pipeline';
import type { CallLimits, Streamed } from './pipeline';
import { ClientGone } from './read';
import { loggedPath, pathOf, routeOf } from './routes';
import { handling, newLifecycle, stopService, watchConnections } from './shutdown';
import type { Lifecycle, StopReport } from './shutdown';
import { writeAnswer } from './write';

export interface ServiceOptions {
  /** 0 picks a free port; the running service says which. */
  port?: number;
  host?: string;
  /** The event time (ms) of messages with neither `timestamp` nor `originalTimestamp`; also the log's clock. */
  clock?: () => number;
  /** Receives one line per call (no trailing newline); stdout by default. */
  log?: (line: string) => void;
  maxBodyBytes?: number;
  maxEventsPerCall?: number;
  maxAnswerBytes?: number;
  /** After `close()`, a call whose body is still arriving gets this long (`SHUTDOWN_UPLOAD_GRACE_MS`). */
  uploadGraceMs?: number;
  /** After `close()`, whatever is left after this long is cut (`SHUTDOWN_DEADLINE_MS`). */
  shutdownDeadlineMs?: number;
  /** Names events and properties when a destination's config has no `naming` of its own (default: ours). */
  naming?: Naming;
}

export interface RunningService {
  /** `http://host:port`, the address to give rudder-server (`DEST_TRANSFORM_URL`) or the proxy. */
  url: string;
  host: string;
  port: number;
  /** Calls being answered right now. */
  inFlight(): number;
  /**
   * Stops accepting connections, answers the calls already read (with `Connection: close`), closes idle
   * connections after `SHUTDOWN_IDLE_GRACE_MS`, cuts uploads still arriving after the upload grace and
   * whatever is left at `SHUTDOWN_DEADLINE_MS`. Resolves with what was answered and cut.
   */
  close(): Promise<StopReport>;
}

/** The state of a running service that its calls read and update. */
interface ServiceState {
  limits: CallLimits;
  log: (line: string) => void;
  lifecycle: Lifecycle;
}

const urlOf = (host: string, port: number): string => `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

/** One line per call: when, what, how it ended, counts (never contents), how long it took. */
const logCall = (
  state: ServiceState,
  req: IncomingMessage,
  path: string,
  status: number | string,
  startedMs: number,
  summary?: CallSummary,
): void => {
  const counts = summary
    ? ` events=${summary.events} requests=${summary.requests} refused=${summary.refused} filtered=${summary.filtered} trimmed=${summary.trimmed}`
    : '';
  const ms = Math.round(performance.now() - startedMs);
  state.log(
    `${new Date(state.limits.clock()).toISOString()} ${req.method ?? '?'} ${loggedPath(path)} status=${status}${counts} ms=${ms}`,
  );
};

/** The answer of one request, whatever happens inside (`undefined` when the client left mid-body). */
const answerOf = async (
  state: ServiceState,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<Answer | Streamed | undefined> => {
  const route = routeOf(req.method ?? '', path);
  if (!route.ok) return route.answer;
  try {
    return await answerCall(req, res, route.endpoint, state.limits, () => state.lifecycle.closing);
  } catch (cause) {
    if (cause instanceof ClientGone) return undefined;
    // Once the answer has started there is no status left to change: the connection is cut (below).
    if (res.headersSent) throw cause;
    return errorAnswer(500, internalError());
  }
};

const handle = async (state: ServiceState, req: IncomingMessage, res: ServerResponse): Promise<void> => {
  const startedMs = performance.now();
  const path = pathOf(req.url);
  try {
    const answer = await answerOf(state, req, res, path);
    if (!answer) {
      logCall(state, req, path, 'aborted', startedMs);
      return;
    }
    if (!('streamed' in answer)) writeAnswer(req, res, answer, state.lifecycle.closing);
    // Health probes run every few seconds: only a failing one is worth a line.
    if (!(path === HEALTH_PATH && answer.status === 200))
      logCall(state, req, path, answer.status, startedMs, answer.summary);
  } catch {
    // Answering itself failed: the connection is cut, and nothing escapes to end the process.
    res.destroy();
  }
};

/**
 * Starts the transformer service rudder-server calls for Kissmetrics (SPEC §5.2) and resolves once it
 * listens. Every event is translated by the cloud rules (`requestsFor`), so the service, `send` and
 * device mode produce the same Kissmetrics data.
 */
export const startService = async (options: ServiceOptions = {}): Promise<RunningService> => {
  const state: ServiceState = {
    limits: {
      clock: options.clock ?? Date.now,
      maxBodyBytes: options.maxBodyBytes ?? MAX_BODY_BYTES,
      maxEventsPerCall: options.maxEventsPerCall ?? MAX_EVENTS_PER_CALL,
      maxAnswerBytes: options.maxAnswerBytes ?? MAX_ANSWER_BYTES,
      answerPieceBytes: ANSWER_PIECE_BYTES,
      naming: options.naming,
    },
    log: options.log ?? ((line: string) => process.stdout.write(`${line}\n`)),
    lifecycle: newLifecycle(),
  };
  const server = createServer(
    { requestTimeout: REQUEST_RECEIVE_TIMEOUT_MS, headersTimeout: REQUEST_RECEIVE_TIMEOUT_MS },
    (req, res) => {
      void handling(state.lifecycle, () => handle(state, req, res));
    },
  );
  watchConnections(server, state.lifecycle, SHUTDOWN_IDLE_GRACE_MS);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_PORT, options.host ?? DEFAULT_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Past start-up, a server error (e.g. out of file descriptors) is logged; it must not end the process.
  server.on('error', (cause: NodeJS.ErrnoException) => {
    state.log(`${new Date(state.limits.clock()).toISOString()} server error ${cause.code ?? cause.name}`);
  });
  const address = server.address() as AddressInfo;
  const times = {
    uploadGraceMs: options.uploadGraceMs ?? SHUTDOWN_UPLOAD_GRACE_MS,
    idleGraceMs: SHUTDOWN_IDLE_GRACE_MS,
    deadlineMs: options.shutdownDeadlineMs ?? SHUTDOWN_DEADLINE_MS,
  };
  let closed: Promise<StopReport> | undefined;
  const close = (): Promise<StopReport> => (closed ??= stopService(server, state.lifecycle, times));

  return {
    url: urlOf(address.address, address.port),
    host: address.address,
    port: address.port,
    inFlight: () => state.lifecycle.inFlight,
    close,
  };
};
