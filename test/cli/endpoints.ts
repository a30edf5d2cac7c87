import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * Endpoints that misbehave, on 127.0.0.1, for the CLI suites: each counts the requests it got and
 * what it wrote. Closed after each test by `useEndpoints`.
 */

export interface Endpoint {
  url: string;
  /** Requests received (their path and query), in order. */
  received: string[];
  /** Body bytes the endpoint managed to write, in all. */
  written: () => number;
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse, count: (bytes: number) => void) => void;

export const startEndpoint = async (handler: Handler, port = 0): Promise<Endpoint> => {
  const received: string[] = [];
  let written = 0;
  const server = createServer((req, res) => {
    received.push(req.url ?? '');
    req.resume();
    handler(req, res, (bytes) => (written += bytes));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    written: () => written,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
};

/** Answers every request with 200 and a GIF, as Kissmetrics does. */
export const accepting: Handler = (_req, res) => {
  res.writeHead(200, { 'content-type': 'image/gif' }).end('GIF89a');
};

/** Answers every request with `302 Location: <to><the same path and query>`. */
export const redirecting =
  (to: string): Handler =>
  (req, res) => {
    res.writeHead(302, { location: `${to}${req.url ?? ''}` }).end();
  };

/** 200, then a body that never ends, as fast as the client reads it (and at most `capBytes`). */
export const endless =
  (capBytes: number): Handler =>
  (_req, res, count) => {
    res.writeHead(200, { 'content-type': 'image/gif' });
    const chunk = Buffer.alloc(64 * 1024, 0x47);
    let sent = 0;
    const pump = (): void => {
      while (!res.destroyed && sent < capBytes && res.write(chunk)) {
        sent += chunk.length;
        count(chunk.length);
      }
      if (!res.destroyed && sent < capBytes) res.once('drain', pump);
    };
    pump();
  };

/** 200 with a `Content-Length` of `bytes`, sent as fast as the client reads it. */
export const huge =
  (bytes: number): Handler =>
  (_req, res, count) => {
    res.writeHead(200, { 'content-type': 'image/gif', 'content-length': String(bytes) });
    const chunk = Buffer.alloc(64 * 1024, 0x47);
    let sent = 0;
    const pump = (): void => {
      while (!res.destroyed && sent < bytes) {
        const part = chunk.subarray(0, Math.min(chunk.length, bytes - sent));
        sent += part.length;
        count(part.length);
        if (!res.write(part)) {
          res.once('drain', pump);
          return;
        }
      }
      if (!res.destroyed) res.end();
    };
    pump();
  };

/** 200, then one byte every `everyMs`, forever (until the client leaves). */
export const dripping =
  (everyMs: number): Handler =>
  (_req, res, count) => {
    res.writeHead(200, { 'content-type': 'image/gif' });
    const timer = setInterval(() => {
      if (res.destroyed) clearInterval(timer);
      else {
        res.write('G');
        count(1);
      }
    }, everyMs);
    res.on('close', () => {
      clearInterval(timer);
    });
  };

/** Starts endpoints for the running test, and closes them after it. */
export const useEndpoints = (): ((handler: Handler, port?: number) => Promise<Endpoint>) => {
  const started: Endpoint[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((endpoint) => endpoint.close()));
  });
  return async (handler, port) => {
    const endpoint = await startEndpoint(handler, port);
    started.push(endpoint);
    return endpoint;
  };
};

/** The resident memory of a process, in bytes (Linux /proc); undefined once it is gone. */
export const rssOf = (pid: number): number | undefined => {
  try {
    const kb = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
};
