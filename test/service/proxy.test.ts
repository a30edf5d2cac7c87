import { createServer, request } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { call, rawExchange, readReply } from './http';
import type { Reply } from './http';
import { killChildren, spawnNode } from './spawn';
import type { Child } from './spawn';

/** The proxy exactly as shipped in examples/rudder-server/, run as compose runs it. */
const PROXY = resolve(__dirname, '../../examples/rudder-server/proxy.mjs');
const LISTENING = /^proxy: listening on http:\/\/127\.0\.0\.1:(\d+);/m;

/** What an upstream received. */
interface Received {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A local stand-in for a transformer: records every call, answers `{from: name}` with apiVersion: 2. */
interface Upstream {
  name: string;
  url: string;
  received: Received[];
  /** The next answer's status (200 by default). */
  status: number;
  close(): Promise<void>;
}

const bodyOf = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      done(Buffer.concat(chunks));
    });
    req.on('error', fail);
  });

const startUpstream = async (name: string): Promise<Upstream> => {
  const upstream: Upstream = { name, url: '', received: [], status: 200, close: () => Promise.resolve() };
  const server: Server = createServer((req, res) => {
    void bodyOf(req).then((body) => {
      upstream.received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const text = JSON.stringify({ from: name, bytes: body.length });
      // Header names as a transformer sends them: rudder-server reads apiVersion case-insensitively.
      res.writeHead(upstream.status, ['apiVersion', '2', 'Content-Type', 'application/json', 'X-Upstream', name]);
      res.end(text);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  upstream.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  upstream.close = () =>
    new Promise((done) => {
      server.closeAllConnections();
      server.close(() => {
        done();
      });
    });
  return upstream;
};

let kissmetrics1: Upstream;
let kissmetrics2: Upstream;
let transformer: Upstream;
let proxy: Child;
let proxyUrl = '';

beforeEach(async () => {
  [kissmetrics1, kissmetrics2, transformer] = await Promise.all([
    startUpstream('kissmetrics-1'),
    startUpstream('kissmetrics-2'),
    startUpstream('rudder-transformer'),
  ]);
  proxy = spawnNode([PROXY], {
    PORT: '0',
    HOST: '127.0.0.1',
    KISSMETRICS_URLS: `${kissmetrics1.url}, ${kissmetrics2.url}`,
    TRANSFORMER_URL: transformer.url,
  });
  const [, port = ''] = await proxy.waitFor(LISTENING);
  proxyUrl = `http://127.0.0.1:${port}`;
});

afterEach(async () => {
  killChildren();
  await Promise.all([kissmetrics1.close(), kissmetrics2.close(), transformer.close()]);
});

/** Which upstream got which calls, as `METHOD url`. */
const routed = (): Record<string, string[]> =>
  Object.fromEntries(
    [kissmetrics1, kissmetrics2, transformer].map((u) => [u.name, u.received.map((r) => `${r.method} ${r.url}`)]),
  );

const apiVersionOf = (reply: Reply): string | undefined => reply.headers.apiversion as string | undefined;

describe('examples/rudder-server/proxy.mjs', () => {
  it('says where it listens and where it sends what', () => {
    expect(proxy.stdout()).toBe(
      `proxy: listening on ${proxyUrl}; /v0/destinations/kissmetrics and kissmetrics /routerTransform -> ` +
        `${kissmetrics1.url}, ${kissmetrics2.url}; everything else -> ${transformer.url}\n`,
    );
  });

  it('sends /v0/destinations/kissmetrics to the Kissmetrics replicas in turn, query included', async () => {
    const first = await call(proxyUrl, 'POST', '/v0/destinations/kissmetrics', '[]');
    const second = await call(proxyUrl, 'POST', '/v0/destinations/kissmetrics?trace=1', '[1]');
    const third = await call(proxyUrl, 'POST', '/v0/destinations/kissmetrics', '[2]');
    expect([first.json, second.json, third.json]).toEqual([
      { from: 'kissmetrics-1', bytes: 2 },
      { from: 'kissmetrics-2', bytes: 3 },
      { from: 'kissmetrics-1', bytes: 3 },
    ]);
    expect(routed()).toEqual({
      'kissmetrics-1': ['POST /v0/destinations/kissmetrics', 'POST /v0/destinations/kissmetrics'],
      'kissmetrics-2': ['POST /v0/destinations/kissmetrics?trace=1'],
      'rudder-transformer': [],
    });
  });

  it('streams a body through unchanged, byte for byte, and passes the answer back with its headers', async () => {
    // 1 MiB of every byte value (not even valid UTF-8), sent in pieces without a Content-Length.
    const body = Buffer.alloc(1024 * 1024, Buffer.from(Array.from({ length: 256 }, (_, i) => i)));
    const reply = await new Promise<Reply>((done, fail) => {
      const req = request(`${proxyUrl}/v0/destinations/kissmetrics`, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', 'x-content-format': 'json+compactedv1' },
      });
      req.on('response', (res) => {
        readReply(res).then(done, fail);
      });
      req.on('error', fail);
      for (let at = 0; at < body.length; at += 64 * 1024) req.write(body.subarray(at, at + 64 * 1024));
      req.end();
    });
    const [received] = kissmetrics1.received;
    expect(received?.body.equals(body)).toBe(true);
    expect(received?.headers['x-content-format']).toBe('json+compactedv1');
    expect(received?.headers['content-type']).toBe('application/json; charset=utf-8');
    expect([reply.status, apiVersionOf(reply), reply.headers['x-upstream'], reply.json]).toEqual([
      200,
      '2',
      'kissmetrics-1',
      { from: 'kissmetrics-1', bytes: body.length },
    ]);
  });

  it('passes the header names back as the upstream wrote them (apiVersion, not apiversion)', async () => {
    const answer = await rawExchange(
      Number(new URL(proxyUrl).port),
      'GET /features HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(answer).toContain('\r\napiVersion: 2\r\n');
    expect(answer).toContain('\r\nX-Upstream: rudder-transformer\r\n');
  });

  it('sends a /routerTransform body whose destType is kissmetrics to us, unchanged, and any other to rudder-transformer', async () => {
    const ours = '{ "input" : [ {"message": {}, "metadata": {"jobId": 1}} ],\n  "destType": "kissmetrics" }';
    const upper = '{"input":[],"destType":"KISSMETRICS"}';
    const theirs = '{"input":[],"destType":"hs"}';
    const notJson = 'destType: kissmetrics';
    const replies = [];
    for (const body of [ours, upper, theirs, notJson])
      replies.push(await call(proxyUrl, 'POST', '/routerTransform', body));
    expect(replies.map((reply) => (reply.json as { from: string }).from)).toEqual([
      'kissmetrics-1',
      'kissmetrics-2',
      'rudder-transformer',
      'rudder-transformer',
    ]);
    expect(kissmetrics1.received[0]?.body.toString()).toBe(ours);
    expect(kissmetrics2.received[0]?.body.toString()).toBe(upper);
    expect(transformer.received.map((r) => r.body.toString())).toEqual([theirs, notJson]);
    expect(kissmetrics1.received[0]?.headers['content-length']).toBe(String(Buffer.byteLength(ours)));
  });

  it('sends everything else to rudder-transformer', async () => {
    await call(proxyUrl, 'GET', '/features');
    await call(proxyUrl, 'GET', '/health');
    await call(proxyUrl, 'POST', '/v0/destinations/am', '[]');
    await call(proxyUrl, 'POST', '/customTransform', '[]');
    await call(proxyUrl, 'GET', '/routerTransform');
    await call(proxyUrl, 'POST', '/v0/destinations/kissmetrics2', '[]');
    expect(routed()).toEqual({
      'kissmetrics-1': [],
      'kissmetrics-2': [],
      'rudder-transformer': [
        'GET /features',
        'GET /health',
        'POST /v0/destinations/am',
        'POST /customTransform',
        'GET /routerTransform',
        'POST /v0/destinations/kissmetrics2',
      ],
    });
  });

  it("passes an upstream's error status and body back as they are", async () => {
    kissmetrics1.status = 413;
    const reply = await call(proxyUrl, 'POST', '/v0/destinations/kissmetrics', '[]');
    expect([reply.status, apiVersionOf(reply), reply.json]).toEqual([413, '2', { from: 'kissmetrics-1', bytes: 2 }]);
  });

  it('answers 502 with a JSON error when an upstream does not answer', async () => {
    await transformer.close();
    const reply = await call(proxyUrl, 'GET', '/features');
    expect([reply.status, reply.json]).toEqual([
      502,
      { error: `upstream ${transformer.url} did not answer: ECONNREFUSED` },
    ]);
    expect(proxy.stderr()).toBe(`proxy: ${transformer.url} did not answer GET /features: ECONNREFUSED\n`);
  });

  it('refuses an absolute URL instead of sending it to another host', async () => {
    const answer = await rawExchange(
      Number(new URL(proxyUrl).port),
      `GET http://${new URL(transformer.url).host}/features HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(routed()).toEqual({ 'kissmetrics-1': [], 'kissmetrics-2': [], 'rudder-transformer': [] });
  });

  it('stops on SIGTERM and exits 0', async () => {
    proxy.child.kill('SIGTERM');
    expect(await proxy.exited).toBe(0);
    expect(proxy.stdout()).toContain('\nSIGTERM: stopping; 0 call(s) in flight get up to 20 s\n');
  });
});
