import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the tracker received it. */
export interface Received {
  method: string;
  path: string;
  contentType: string | undefined;
  params: Record<string, string>;
}

/**
 * How the tracker answers one attempt; `delayMs` holds the answer back, `hold` never answers (until
 * the client gives up or the tracker closes).
 */
export interface Reply {
  status: number;
  retryAfter?: string;
  delayMs?: number;
  hold?: boolean;
}

/** `attempt` counts the attempts with the same `key` (the `pad`/`_n`/`_p`/`_t` of the request), from 1. */
export type Plan = (request: Received, attempt: number) => Reply;

/** A local Kissmetrics tracking endpoint on 127.0.0.1 that answers by plan and records what it accepted. */
export interface FakeTracker {
  url: string;
  /** Every attempt, in arrival order. */
  attempts: Received[];
  /** The requests answered with 2xx while the client was still waiting: what Kissmetrics would keep. */
  accepted: Received[];
  /** Arrivals and answers (any status) in the order they happened. */
  log: { event: 'arrived' | 'answered'; request: Received }[];
  close(): Promise<void>;
}

export const keyOf = (r: Received): string =>
  `${r.path} ${r.params._p ?? ''} ${r.params._n ?? ''} ${r.params._t ?? ''} ${r.params.id ?? ''}`;

const bodyOf = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });

export const startTracker = async (plan: Plan = () => ({ status: 200 })): Promise<FakeTracker> => {
  const attempts: Received[] = [];
  const accepted: Received[] = [];
  const log: FakeTracker['log'] = [];
  const counts = new Map<string, number>();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body = await bodyOf(req);
    const query = req.method === 'POST' ? new URLSearchParams(body) : url.searchParams;
    const received: Received = {
      method: req.method ?? '',
      path: url.pathname,
      contentType: req.headers['content-type'],
      params: Object.fromEntries(query),
    };
    attempts.push(received);
    log.push({ event: 'arrived', request: received });
    const key = keyOf(received);
    const attempt = (counts.get(key) ?? 0) + 1;
    counts.set(key, attempt);
    const reply = plan(received, attempt);
    const client = { gone: false };
    res.on('close', () => {
      client.gone = !res.writableFinished;
    });
    if (reply.hold && !client.gone) await new Promise((resolve) => res.on('close', resolve));
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    // The client timed out and left: like Kissmetrics, a request never answered is not counted.
    if (client.gone) return;
    if (reply.status >= 200 && reply.status < 300) accepted.push(received);
    log.push({ event: 'answered', request: received });
    res.writeHead(reply.status, {
      'content-type': 'image/gif',
      ...(reply.retryAfter === undefined ? {} : { 'retry-after': reply.retryAfter }),
    });
    res.end('GIF89a');
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    attempts,
    accepted,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
};
