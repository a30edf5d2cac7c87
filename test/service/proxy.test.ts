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

/**
 * A local stand-in for a transformer: records every call, answers `{from: name}` with apiVersion: 2; a
 * Kissmetrics replica answers the proxy's `GET /health` probes with 200 while `healthy`.
 */
interface Upstream {
  name: string;
  url: string;
  received: Received[];
  /** The next answer's status (200 by default). */
  status: number;
  healthy: boolean;
  /** Probes answered so far, and how many of the next ones to fail (503) even while healthy. */
  probes: number;
  failProbes: number;
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

/** `probed`: a Kissmetrics replica, whose `GET /health` is the proxy's probe (answered, not recorded). */
const startUpstream = async (name: string, probed = true): Promise<Upstream> => {
  const upstream: Upstream = {
    name,
    url: '',
    received: [],
    status: 200,
    healthy: true,
    probes: 0,
    failProbes: 0,
    close: () => Promise.resolve(),
  };
  const server: Server = createServer((req, res) => {
    if (probed && req.method === 'GET' && req.url === '/health') {
      upstream.probes++;
      const fail = !upstream.healthy || upstream.failProbes-- > 0;
      res.writeHead(fail ? 503 : 200).end();
      return;
    }
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

/** A line the proxy prints when a replica's health changes. */
const health = (upstream: Upstream, state: 'healthy' | 'down'): RegExp =>
  new RegExp(`^proxy: ${upstream.url.replace(/[.]/g, '\\.')} is ${state}`, 'm');

/** Starts the proxy in front of the stand-ins; `HEALTH_INTERVAL_MS` as given (probes every 50 ms by default). */
const startProxy = async (healthIntervalMs = 50): Promise<void> => {
  proxy = spawnNode([PROXY], {
    PORT: '0',
    HOST: undefined,
    KISSMETRICS_URLS: `${kissmetrics1.url}, ${kissmetrics2.url}`,
    TRANSFORMER_URL: transformer.url,
    HEALTH_INTERVAL_MS: String(healthIntervalMs),
  });
  const [, port = ''] = await proxy.waitFor(LISTENING);
  proxyUrl = `http://127.0.0.1:${port}`;
};

beforeEach(async () => {
  [kissmetrics1, kissmetrics2, transformer] = await Promise.all([
    startUpstream('kissmetrics-1'),
    startUpstream('kissmetrics-2'),
    startUpstream('rudder-transformer', false),
  ]);
});

/** The proxy, once both replicas have been found healthy. */
const startReady = async (healthIntervalMs?: number): Promise<void> => {
  await startProxy(healthIntervalMs);
  await Promise.all([proxy.waitFor(health(kissmetrics1, 'healthy')), proxy.waitFor(health(kissmetrics2, 'healthy'))]);
};

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
  beforeEach(() => startReady());

  it('says where it listens (127.0.0.1 unless HOST says otherwise) and where it sends what', () => {
    expect(proxy.stdout().split('\n')[0]).toBe(
      `proxy: listening on ${proxyUrl}; /v0/destinations/kissmetrics and kissmetrics /routerTransform -> ` +
        `${kissmetrics1.url}, ${kissmetrics2.url}; everything else -> ${transformer.url}`,
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
    expect(proxy.stdout()).toContain('\nSIGTERM: stopping; 0 call(s) in flight get up to 8 s\n');
  });
});

describe('examples/rudder-server/proxy.mjs: the health of the Kissmetrics replicas', () => {
  const kissmetricsCall = (): Promise<Reply> => call(proxyUrl, 'POST', '/v0/destinations/kissmetrics', '[]');
  const ready = (): Promise<Reply> => call(proxyUrl, 'GET', '/proxy-ready');

  it('takes no Kissmetrics call until a replica is healthy: 503 at once, then calls go to it', async () => {
    kissmetrics1.healthy = false;
    kissmetrics2.healthy = false;
    await startProxy();
    expect(await ready()).toMatchObject({ status: 503, json: { error: 'no healthy Kissmetrics replica yet' } });
    const refused = await kissmetricsCall();
    expect([refused.status, refused.json]).toEqual([
      503,
      { error: `no healthy Kissmetrics replica (${kissmetrics1.url}, ${kissmetrics2.url})` },
    ]);
    kissmetrics2.healthy = true;
    await proxy.waitFor(health(kissmetrics2, 'healthy'));
    expect(await ready()).toMatchObject({ status: 200, json: { ready: true, healthy: [kissmetrics2.url] } });
    expect([(await kissmetricsCall()).json, (await kissmetricsCall()).json]).toEqual([
      { from: 'kissmetrics-2', bytes: 2 },
      { from: 'kissmetrics-2', bytes: 2 },
    ]);
    expect(routed()).toEqual({
      'kissmetrics-1': [],
      'kissmetrics-2': ['POST /v0/destinations/kissmetrics', 'POST /v0/destinations/kissmetrics'],
      'rudder-transformer': [],
    });
  });

  it('stops sending calls to a replica that fails its health probe, and sends them again once it passes', async () => {
    await startReady();
    kissmetrics1.healthy = false;
    await proxy.waitFor(health(kissmetrics1, 'down'));
    for (let i = 0; i < 3; i++) await kissmetricsCall();
    expect(kissmetrics1.received).toEqual([]);
    expect(kissmetrics2.received).toHaveLength(3);
    kissmetrics1.healthy = true;
    await proxy.waitFor(
      new RegExp(`${health(kissmetrics1, 'down').source}[^]*${health(kissmetrics1, 'healthy').source.slice(1)}`, 'm'),
    );
    for (let i = 0; i < 2; i++) await kissmetricsCall();
    expect(kissmetrics1.received).toHaveLength(1);
  });

  it('keeps a replica that fails one probe (a busy replica may answer one late); two in a row take it out', async () => {
    await startReady();
    kissmetrics1.failProbes = 1;
    const after = kissmetrics1.probes + 4;
    await new Promise<void>((resolve) => {
      const poll = (): void => {
        if (kissmetrics1.probes >= after) resolve();
        else setImmediate(poll);
      };
      poll();
    });
    expect(proxy.stdout()).not.toMatch(health(kissmetrics1, 'down'));
    kissmetrics1.failProbes = 2;
    await proxy.waitFor(health(kissmetrics1, 'down'));
  });

  it('sends a call that a replica refuses to connect to the next healthy one, nothing lost, and marks it down', async () => {
    // Probes once a minute: the proxy learns that kissmetrics-1 is gone from the calls themselves.
    await startReady(60_000);
    await kissmetrics1.close();
    const replies = [await kissmetricsCall(), await kissmetricsCall(), await kissmetricsCall()];
    expect(replies.map((reply) => [reply.status, reply.json])).toEqual([
      [200, { from: 'kissmetrics-2', bytes: 2 }],
      [200, { from: 'kissmetrics-2', bytes: 2 }],
      [200, { from: 'kissmetrics-2', bytes: 2 }],
    ]);
    expect(proxy.stdout()).toMatch(health(kissmetrics1, 'down'));
    expect(proxy.stderr()).toBe(
      `proxy: ${kissmetrics1.url} did not answer POST /v0/destinations/kissmetrics: ECONNREFUSED\n`,
    );
  });

  it('answers 503 at once when every replica is down, so that rudder-server retries instead of waiting', async () => {
    await startReady(60_000);
    await Promise.all([kissmetrics1.close(), kissmetrics2.close()]);
    const first = await kissmetricsCall();
    expect([first.status, first.json]).toEqual([
      503,
      { error: `no healthy Kissmetrics replica (${kissmetrics1.url}, ${kissmetrics2.url})` },
    ]);
    expect((await ready()).status).toBe(503);
    expect((await kissmetricsCall()).status).toBe(503);
  });
});
