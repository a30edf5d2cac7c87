/**
 * The call that took the service down before (issue 16): 1,000 events of 2,100 products each, well within
 * the body limit, sent to the built `serve` as rudder-server would. Every event is answered on its own,
 * and the service's peak memory (VmHWM) stays far under 1 GiB. How long it takes is never asserted here
 * (the figures measured are in CONTRIBUTING.md).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { MAX_BODY_BYTES, MAX_REQUESTS_PER_EVENT } from '../../src/service/constants';
import { tooManyRequests } from '../../src/service/messages';
import { TIMESTAMP, event, metadata, statTags } from './fixtures';
import { call } from './http';
import { killChildren, spawnNode } from './spawn';

const CLI = resolve(__dirname, '../../dist/cli.mjs');
const LISTENING = /^rudderstack-kissmetrics serve: listening on (http:\/\/127\.0\.0\.1:\d+) /m;
const EVENTS = 1000;
const PRODUCTS = 2100;
const ONE_GIB_KB = 1024 * 1024;

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first (npm test does)`);
});
afterEach(killChildren);

/** The peak resident memory of a process so far, in kB. */
const peakKb = (pid: number): number =>
  Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);

it(`answers ${EVENTS} events of ${PRODUCTS} products each, one entry per event, under 1 GiB`, async () => {
  const running = spawnNode([CLI, 'serve', '--port', '0']);
  const url = (await running.waitFor(LISTENING))[1] ?? '';
  const products = Array.from({ length: PRODUCTS }, (_, sku) => ({ sku }));
  const order = {
    type: 'track',
    event: 'Order Completed',
    userId: 'u1',
    timestamp: TIMESTAMP,
    properties: { products },
  };
  const body = JSON.stringify(Array.from({ length: EVENTS }, (_, jobId) => event(jobId, order)));
  expect(Buffer.byteLength(body)).toBeLessThan(MAX_BODY_BYTES);
  const reply = await call(url, 'POST', '/v0/destinations/kissmetrics', body);
  expect([reply.status, reply.headers.apiversion]).toEqual([200, '2']);
  expect(reply.json).toEqual(
    Array.from({ length: EVENTS }, (_, jobId) => ({
      metadata: metadata(jobId),
      statusCode: 413,
      error: tooManyRequests(PRODUCTS + 1, MAX_REQUESTS_PER_EVENT),
      statTags: statTags('instrumentation'),
    })),
  );
  expect(peakKb(running.child.pid ?? 0)).toBeLessThan(ONE_GIB_KB);
});
