import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Server as NetServer } from 'node:net';
import type { Socket } from 'node:net';

/** One connection of the service, and the call on it while one is received or answered. */
interface Connection {
  call?: IncomingMessage | undefined;
  idleTimer?: NodeJS.Timeout;
}

/** What the service knows of its connections, to stop without resetting any call it has read. */
export interface Lifecycle {
  /** Set once stopping: every answer then carries `Connection: close`. */
  closing: boolean;
  connections: Map<Socket, Connection>;
  /** Calls answered since stopping began. */
  answeredWhileStopping: number;
  /** Calls being handled (from their headers to their log line). */
  inFlight: number;
  /** Set while stopping: called when a call's handling ends. */
  onCallEnd?: () => void;
}

/** How long each part of a stop may take (`SHUTDOWN_*_MS`). */
export interface ShutdownTimes {
  uploadGraceMs: number;
  idleGraceMs: number;
  deadlineMs: number;
}

/** How a stop went. */
export interface StopReport {
  /** Calls answered while stopping (those in flight, and those that came on open connections). */
  answered: number;
  /** Calls whose body was still arriving after the upload grace: cut, never read. */
  uploadsCut: number;
  /** Calls read but not answered by the deadline: cut. */
  callsCut: number;
}

export const newLifecycle = (): Lifecycle => ({
  closing: false,
  connections: new Map(),
  answeredWhileStopping: 0,
  inFlight: 0,
});

/** Counts a call as handled from its start to the end of `handling` (its answer written and logged). */
export const handling = async (lifecycle: Lifecycle, handle: () => Promise<void>): Promise<void> => {
  lifecycle.inFlight++;
  try {
    await handle();
  } finally {
    lifecycle.inFlight--;
    lifecycle.onCallEnd?.();
  }
};

/** An idle connection gets `idleGraceMs` to bring one more call (answered, then closed); then it is closed. */
const closeWhenIdle = (socket: Socket, connection: Connection, idleGraceMs: number): void => {
  clearTimeout(connection.idleTimer);
  connection.idleTimer = setTimeout(() => {
    // Ended, not destroyed: a destroyed socket with bytes unread answers them with a reset.
    if (!connection.call) socket.end();
  }, idleGraceMs);
};

/** Follows every connection and the call on it, so that a stop knows which are idle, uploading or answering. */
export const watchConnections = (server: Server, lifecycle: Lifecycle, idleGraceMs: number): void => {
  server.on('connection', (socket: Socket) => {
    lifecycle.connections.set(socket, {});
    socket.on('close', () => {
      clearTimeout(lifecycle.connections.get(socket)?.idleTimer);
      lifecycle.connections.delete(socket);
    });
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const connection = lifecycle.connections.get(req.socket);
    if (!connection) return;
    clearTimeout(connection.idleTimer);
    connection.call = req;
    res.on('close', () => {
      connection.call = undefined;
      if (!lifecycle.closing) return;
      if (res.writableFinished) lifecycle.answeredWhileStopping++;
      // Closed by Node after an answer with `Connection: close`; this is for one answered before stopping.
      if (!req.socket.destroyed) closeWhenIdle(req.socket, connection, idleGraceMs);
    });
  });
};

/** Cuts the connections whose call is still arriving; returns how many. */
const cutUploads = (lifecycle: Lifecycle): number => {
  let count = 0;
  for (const [socket, { call }] of lifecycle.connections)
    if (call && !call.complete) {
      count++;
      socket.destroy();
    }
  return count;
};

/** Cuts every connection left; returns how many had a call read and not answered. */
const cutAll = (lifecycle: Lifecycle): number => {
  let count = 0;
  for (const [socket, { call }] of lifecycle.connections) {
    if (call?.complete) count++;
    socket.destroy();
  }
  return count;
};

/**
 * Stops the service: no new connections; calls already read are answered (with `Connection: close`);
 * an idle kept-alive connection stays open `idleGraceMs` for a call the client may be sending, then is
 * closed; a call whose body is still arriving after `uploadGraceMs` is cut; whatever is left at
 * `deadlineMs` is cut. Resolves once every connection is closed and every call's handling has ended.
 */
export const stopService = (server: Server, lifecycle: Lifecycle, times: ShutdownTimes): Promise<StopReport> =>
  new Promise((resolve) => {
    lifecycle.closing = true;
    const report: StopReport = { answered: 0, uploadsCut: 0, callsCut: 0 };
    const uploads = setTimeout(() => (report.uploadsCut = cutUploads(lifecycle)), times.uploadGraceMs);
    const deadline = setTimeout(() => (report.callsCut = cutAll(lifecycle)), times.deadlineMs);
    let listening = true;
    const settle = (): void => {
      if (listening || lifecycle.inFlight) return;
      clearTimeout(uploads);
      clearTimeout(deadline);
      resolve({ ...report, answered: lifecycle.answeredWhileStopping });
    };
    lifecycle.onCallEnd = settle;
    // net.Server's close, not http.Server's: that one would destroy idle connections at once.
    NetServer.prototype.close.call(server, () => {
      listening = false;
      settle();
    });
    for (const [socket, connection] of lifecycle.connections)
      if (!connection.call) closeWhenIdle(socket, connection, times.idleGraceMs);
  });
