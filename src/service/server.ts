import { createServer } from 'node:http';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Naming } from '../rules/naming';
import {
  API_VERSION,
  API_VERSION_HEADER,
  DEFAULT_HOST,
  DEFAULT_PORT,
  DESTINATION_NAME,
  DESTINATIONS_PATH_PREFIX,
  FEATURES,
  FEATURES_PATH,
  HEALTH_PATH,
  MAX_BODY_BYTES,
  MAX_EVENTS_PER_CALL,
  MAX_LOGGED_PATH_CHARS,
  REQUEST_RECEIVE_TIMEOUT_MS,
  ROUTER_TRANSFORM_PATH,
  SHUTDOWN_GRACE_MS,
} from './constants';
import {
  bodyTooLarge,
  internalError,
  malformedJson,
  methodNotAllowed,
  otherDestination,
  tooManyEvents,
  unknownPath,
} from './messages';
import { processorEntries, processorEvents, routerEntry, routerEvents, summarize, translateEvent } from './transform';
import type { CallEvent, CallSummary, EventOutcome } from './transform';

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
  shutdownGraceMs?: number;
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
   * Stops accepting connections, lets the calls in flight finish (for at most `shutdownGraceMs`), then
   * cuts whatever is left. Resolves `true` when every call finished, `false` when some were cut.
   */
  close(): Promise<boolean>;
}

/** What a call is answered: a status and a JSON body, and what the log line says about it. */
interface Answer {
  status: number;
  body: unknown;
  allow?: readonly string[];
  /** Close the connection after answering (a body that was not read to its end). */
  close?: boolean;
  summary?: CallSummary;
}

const error = (status: number, message: string, extra: Partial<Answer> = {}): Answer => ({
  status,
  body: { error: message },
  ...extra,
});

type Body = { ok: true; text: string } | { ok: false; answer: Answer };

/** The client went away before its whole body arrived: there is nobody left to answer. */
class ClientGone extends Error {
  override name = 'ClientGone';
}

/** Reads the body up to `maxBytes`; past that, stops keeping it and answers 413 (the connection is then closed). */
const readBody = (req: IncomingMessage, maxBytes: number): Promise<Body> =>
  new Promise((resolve, reject) => {
    const tooLarge: Body = { ok: false, answer: error(413, bodyTooLarge(maxBytes), { close: true }) };
    if (Number(req.headers['content-length']) > maxBytes) {
      resolve(tooLarge);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData);
      chunks.length = 0;
      resolve(tooLarge);
    };
    req.on('data', onData);
    req.on('end', () => {
      resolve({ ok: true, text: Buffer.concat(chunks, size).toString('utf8') });
    });
    const gone = (): void => {
      reject(new ClientGone('the client closed the connection before sending the whole body'));
    };
    req.on('error', gone);
    // Settles the call when the client leaves mid-body, so it does not count as in flight for ever.
    req.on('close', () => {
      if (!req.complete) gone();
    });
  });

type Json = { ok: true; value: unknown } | { ok: false; answer: Answer };

const readJson = async (req: IncomingMessage, maxBytes: number): Promise<Json> => {
  const body = await readBody(req, maxBytes);
  if (!body.ok) return body;
  try {
    return { ok: true, value: JSON.parse(body.text) };
  } catch (cause) {
    return { ok: false, answer: error(400, malformedJson(cause instanceof Error ? cause.message : String(cause))) };
  }
};

const pathOf = (url: string | undefined): string => {
  try {
    return new URL(url ?? '/', 'http://service.invalid').pathname;
  } catch {
    return url ?? '/';
  }
};

/** The path as the log shows it: printable ASCII only, cut to a bounded length. */
const loggedPath = (path: string): string =>
  path.slice(0, MAX_LOGGED_PATH_CHARS).replace(/[^\x21-\x7e]/g, '?') + (path.length > MAX_LOGGED_PATH_CHARS ? '…' : '');

const urlOf = (host: string, port: number): string => `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

/**
 * Starts the transformer service rudder-server calls for Kissmetrics (SPEC §5.2) and resolves once it
 * listens. Every event is translated by the cloud rules (`requestsFor`), so the service, `send` and
 * device mode produce the same Kissmetrics data.
 */
export const startService = async (options: ServiceOptions = {}): Promise<RunningService> => {
  const clock = options.clock ?? Date.now;
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const maxEvents = options.maxEventsPerCall ?? MAX_EVENTS_PER_CALL;
  const graceMs = options.shutdownGraceMs ?? SHUTDOWN_GRACE_MS;
  const { naming } = options;
  let inFlight = 0;
  let closing = false;

  /** Translates every event of a call (a bounded number of them) and answers in the caller's shape. */
  const translated = (events: CallEvent[], answer: (each: [CallEvent, EventOutcome][]) => unknown): Answer => {
    if (events.length > maxEvents) return error(413, tooManyEvents(events.length, maxEvents));
    const nowMs = clock();
    const each = events.map((event): [CallEvent, EventOutcome] => [event, translateEvent(event, nowMs, naming)]);
    return { status: 200, body: answer(each), summary: summarize(each.map(([, outcome]) => outcome)) };
  };

  const route = async (req: IncomingMessage, path: string): Promise<Answer> => {
    const method = req.method ?? '';
    const only = (allowed: readonly string[], answer: () => Promise<Answer> | Answer): Promise<Answer> | Answer =>
      allowed.includes(method) ? answer() : error(405, methodNotAllowed(method, allowed), { allow: allowed });

    if (path === HEALTH_PATH) return only(['GET', 'HEAD'], () => ({ status: 200, body: { status: 'ok' } }));
    if (path === FEATURES_PATH) return only(['GET'], () => ({ status: 200, body: FEATURES }));

    if (path.startsWith(DESTINATIONS_PATH_PREFIX)) {
      const name = path.slice(DESTINATIONS_PATH_PREFIX.length);
      if (name.toLowerCase() !== DESTINATION_NAME) return error(404, otherDestination(name));
      return only(['POST'], async () => {
        const body = await readJson(req, maxBodyBytes);
        if (!body.ok) return body.answer;
        const call = processorEvents(body.value);
        if (!call.ok) return error(400, call.error);
        return translated(call.events, (each) => each.flatMap(([event, outcome]) => processorEntries(event, outcome)));
      });
    }

    if (path === ROUTER_TRANSFORM_PATH)
      return only(['POST'], async () => {
        const body = await readJson(req, maxBodyBytes);
        if (!body.ok) return body.answer;
        const call = routerEvents(body.value);
        if (!call.ok) return error('otherDestination' in call ? 404 : 400, call.error);
        return translated(call.events, (each) => ({
          output: each.map(([event, outcome]) => routerEntry(event, outcome)),
        }));
      });

    return error(404, unknownPath(path));
  };

  const send = (req: IncomingMessage, res: ServerResponse, answer: Answer): void => {
    const text = JSON.stringify(answer.body);
    const headers: OutgoingHttpHeaders = {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      [API_VERSION_HEADER]: API_VERSION,
    };
    if (answer.allow) headers.allow = answer.allow.join(', ');
    // While stopping, a kept-alive connection would hold the process open: it is closed after its answer.
    if (closing || answer.close) headers.connection = 'close';
    res.writeHead(answer.status, headers);
    res.end(req.method === 'HEAD' ? undefined : text);
  };

  const logLine = (req: IncomingMessage, path: string, status: number | string, startedMs: number, s?: CallSummary) => {
    const counts = s
      ? ` events=${s.events} requests=${s.requests} refused=${s.refused} filtered=${s.filtered} trimmed=${s.trimmed}`
      : '';
    const ms = Math.round(performance.now() - startedMs);
    log(
      `${new Date(clock()).toISOString()} ${req.method ?? '?'} ${loggedPath(path)} status=${status}${counts} ms=${ms}`,
    );
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const startedMs = performance.now();
    const path = pathOf(req.url);
    inFlight++;
    try {
      let answer: Answer;
      try {
        answer = await route(req, path);
      } catch (cause) {
        if (cause instanceof ClientGone) {
          logLine(req, path, 'aborted', startedMs);
          return;
        }
        answer = error(500, internalError());
      }
      send(req, res, answer);
      // Health probes run every few seconds: only a failing one is worth a line.
      if (!(path === HEALTH_PATH && answer.status === 200))
        logLine(req, path, answer.status, startedMs, answer.summary);
    } catch {
      // Answering itself failed: the connection is cut, and nothing escapes to end the process.
      res.destroy();
    } finally {
      inFlight--;
      if (closing) server.closeIdleConnections();
    }
  };

  const server = createServer(
    { requestTimeout: REQUEST_RECEIVE_TIMEOUT_MS, headersTimeout: REQUEST_RECEIVE_TIMEOUT_MS },
    (req, res) => {
      void handle(req, res);
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_PORT, options.host ?? DEFAULT_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Past start-up, a server error (e.g. out of file descriptors) is logged; it must not end the process.
  server.on('error', (cause: NodeJS.ErrnoException) => {
    log(`${new Date(clock()).toISOString()} server error ${cause.code ?? cause.name}`);
  });
  const address = server.address() as AddressInfo;

  let closed: Promise<boolean> | undefined;
  const close = (): Promise<boolean> =>
    (closed ??= new Promise<boolean>((resolve) => {
      closing = true;
      const timer = setTimeout(() => {
        server.closeAllConnections();
        resolve(false);
      }, graceMs);
      server.close(() => {
        clearTimeout(timer);
        resolve(true);
      });
      server.closeIdleConnections();
    }));

  return {
    url: urlOf(address.address, address.port),
    host: address.address,
    port: address.port,
    inFlight: () => inFlight,
    close,
  };
};
