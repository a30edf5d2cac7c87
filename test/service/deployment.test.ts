/**
 * The deployment of examples/rudder-server without Docker: the proxy and two replicas of the built
 * `serve`, each a process as compose runs it, with a stand-in for rudder-transformer. What is checked is
 * what rudder-server sees through DEST_TRANSFORM_URL.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { EVERY_TYPE, event, metadata } from './fixtures';
import { call } from './http';
import { killChildren, spawnNode } from './spawn';
import type { Child } from './spawn';

const CLI = resolve(__dirname, '../../dist/cli.mjs');
const PROXY = resolve(__dirname, '../../examples/rudder-server/proxy.mjs');
const SERVE_LISTENING = /^rudderstack-kissmetrics serve: listening on (http:\/\/127\.0\.0\.1:\d+) /m;
const PROXY_LISTENING = /^proxy: listening on (http:\/\/127\.0\.0\.1:\d+);/m;
const PROCESSOR = '/v0/destinations/kissmetrics';
const CALLS = 20;

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first (npm test does)`);
});
afterEach(killChildren);

/** The example events that carry their own time (the replicas use the real clock for the others). */
const TIMED = EVERY_TYPE.filter(({ message }) => message.timestamp ?? message.originalTimestamp);
const batch = (call: number): unknown[] =>
  TIMED.map(({ message, config }, i) => event(call * 100 + i, message, config));
const answerOf = (call: number): unknown[] =>
  TIMED.flatMap(({ requests }, i) =>
    requests.map((output) => ({ output, metadata: metadata(call * 100 + i), statusCode: 200 })),
  );

const ANSWERED = / POST \/v0\/destinations\/kissmetrics status=200 /g;
/** Calls our service answered, from its log. */
const calls = (replica: Child): number => (replica.stdout().match(ANSWERED) ?? []).length;
/** Resolves once a replica has logged `n` answered calls (its log line follows its answer). */
const logged = (replica: Child, n: number): Promise<void> => replica.waitUntil(() => calls(replica) >= n);

describe('the proxy in front of two replicas of serve', () => {
  it('spreads calls across both replicas and keeps answering every call while one of them stops', async () => {
    const transformer = createServer((_req, res) => res.writeHead(200, { apiVersion: '2' }).end('{}'));
    await new Promise<void>((done) => transformer.listen(0, '127.0.0.1', done));
    try {
      const replicas = [spawnNode([CLI, 'serve', '--port', '0']), spawnNode([CLI, 'serve', '--port', '0'])];
      const urls = await Promise.all(
        replicas.map(async (replica) => (await replica.waitFor(SERVE_LISTENING))[1] ?? ''),
      );
      const proxy = spawnNode([PROXY], {
        PORT: '0',
        KISSMETRICS_URLS: urls.join(','),
        TRANSFORMER_URL: `http://127.0.0.1:${(transformer.address() as AddressInfo).port}`,
        HEALTH_INTERVAL_MS: '100',
      });
      const proxyUrl = (await proxy.waitFor(PROXY_LISTENING))[1] ?? '';
      await Promise.all(
        urls.map((url) => proxy.waitFor(new RegExp(`^proxy: ${url.replace(/[.]/g, '\\.')} is healthy`, 'm'))),
      );
      expect((await call(proxyUrl, 'GET', '/proxy-ready')).status).toBe(200);

      for (let i = 0; i < CALLS; i++) {
        const reply = await call(proxyUrl, 'POST', PROCESSOR, batch(i));
        expect([reply.status, reply.headers.apiversion, reply.json]).toEqual([200, '2', answerOf(i)]);
      }
      await Promise.all(replicas.map((replica) => logged(replica, CALLS / 2)));
      expect(replicas.map(calls)).toEqual([CALLS / 2, CALLS / 2]);

      const [first, second] = replicas;
      first?.child.kill('SIGTERM');
      for (let i = CALLS; i < 3 * CALLS; i++) {
        const reply = await call(proxyUrl, 'POST', PROCESSOR, batch(i));
        expect([reply.status, reply.json]).toEqual([200, answerOf(i)]);
      }
      expect(await first?.exited).toBe(0);
      if (!first || !second) throw new Error('expected two replicas');
      await logged(second, 3 * CALLS - calls(first));
      expect(calls(second)).toBeGreaterThan(CALLS);
      await proxy.waitFor(new RegExp(`^proxy: ${(urls[0] ?? '').replace(/[.]/g, '\\.')} is down`, 'm'));
    } finally {
      await new Promise((done) => transformer.close(done));
    }
  });
});
