import { request } from 'node:http';
import type { ClientRequest, IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { connect } from 'node:net';

/** What a call was answered. `json` is the parsed body (undefined when it is not JSON). */
export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: unknown;
}

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

export const readReply = (res: IncomingMessage): Promise<Reply> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('error', reject);
    res.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: parse(text) });
    });
  });

/** One HTTP call on a fresh connection; `body` is sent as is (a string or bytes), or as JSON. */
export const call = (
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  headers: OutgoingHttpHeaders = {},
): Promise<Reply> =>
  new Promise((resolve, reject) => {
    const payload =
      body === undefined ? undefined : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
    const req = request(`${baseUrl}${path}`, { method, headers, agent: false }, (res) => {
      readReply(res).then(resolve, reject);
    });
    req.on('error', reject);
    req.end(payload);
  });

/** A call whose headers and first part are sent now and whose rest is sent by `finish`: a call in flight. */
export interface OpenCall {
  req: ClientRequest;
  /** Resolves once the server has read the headers and handed the call over (its `100 Continue`). */
  started: Promise<void>;
  reply: Promise<Reply>;
  finish(rest: string): void;
}

export const openCall = (baseUrl: string, path: string, first: string, headers: OutgoingHttpHeaders = {}): OpenCall => {
  const req = request(`${baseUrl}${path}`, {
    method: 'POST',
    agent: false,
    headers: { 'content-type': 'application/json', expect: '100-continue', ...headers },
  });
  const started = new Promise<void>((resolve) => req.once('continue', resolve));
  const reply = new Promise<Reply>((resolve, reject) => {
    req.on('response', (res) => {
      readReply(res).then(resolve, reject);
    });
    req.on('error', reject);
  });
  void started.then(() => req.write(first));
  // A test that fails before awaiting the reply must not also crash Jest with an unhandled rejection.
  reply.catch(() => undefined);
  return {
    req,
    started,
    reply,
    finish: (rest) => {
      req.end(rest);
    },
  };
};

/** How a plain TCP connection to `port` went: `connected`, or the error code (ECONNREFUSED …). */
export const tryConnect = (port: number): Promise<string> =>
  new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      resolve(error.code ?? error.message);
    });
  });

/** Sends raw bytes on a TCP connection and collects everything the server writes back until it closes. */
export const rawExchange = (port: number, bytes: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    socket.write(bytes);
  });
