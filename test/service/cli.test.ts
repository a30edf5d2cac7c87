import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { EVERY_TYPE, event, metadata } from './fixtures';
import { call, openCall, tryConnect } from './http';
import { killChildren, spawnNode } from './spawn';
import type { Child } from './spawn';

/** The built command, as `npx rudderstack-kissmetrics serve` runs it (`npm test` builds it first). */
const CLI = resolve(__dirname, '../../dist/cli.mjs');
const PROCESSOR = '/v0/destinations/kissmetrics';
const LISTENING = /^rudderstack-kissmetrics serve: listening on http:\/\/127\.0\.0\.1:(\d+) /m;

const serve = (args: string[], env: Record<string, string> = {}): Child =>
  spawnNode([CLI, 'serve', ...args], { PORT: undefined, ...env });

const freePort = async (): Promise<number> => {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
};

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first (npm test does)`);
});
afterEach(killChildren);

describe('rudderstack-kissmetrics serve', () => {
  it('--port 0 picks a free port and says which; SIGTERM during a call lets it finish, refuses new ones, exits 0', async () => {
    const running = serve(['--port', '0']);
    const [, port = ''] = await running.waitFor(LISTENING);
    const url = `http://127.0.0.1:${port}`;
    expect((await call(url, 'GET', '/features')).headers.apiversion).toBe('2');

    const inFlight = openCall(url, PROCESSOR, `[${JSON.stringify(event(1, EVERY_TYPE[4]?.message))}`);
    await inFlight.started;
    running.child.kill('SIGTERM');
    await running.waitFor(
      /^SIGTERM: stopping; no new connections, 1 call\(s\) in flight are answered, uploads still arriving after 2 s are cut, anything left after 8 s/m,
    );
    expect(await tryConnect(Number(port))).toBe('ECONNREFUSED');

    inFlight.finish(']');
    const reply = await inFlight.reply;
    expect([reply.status, reply.headers.apiversion, reply.json]).toEqual([
      200,
      '2',
      [{ output: EVERY_TYPE[4]?.requests[0], metadata: metadata(1), statusCode: 200 }],
    ]);
    expect(await running.exited).toBe(0);
    const lines = running.stdout().trim().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[1]).toMatch(/^\S+Z GET \/features status=200 ms=\d+$/);
    expect(lines[3]).toMatch(
      /^\S+Z POST \/v0\/destinations\/kissmetrics status=200 events=1 requests=1 refused=0 filtered=0 trimmed=0 ms=\d+$/,
    );
    expect(lines[4]).toBe('stopped: every call read was answered (1 while stopping)');
    expect(running.stderr()).toBe('');
  });

  it('SIGINT stops it the same way', async () => {
    const running = serve(['--port', '0']);
    await running.waitFor(LISTENING);
    running.child.kill('SIGINT');
    expect(await running.exited).toBe(0);
    expect(running.stdout()).toContain('\nSIGINT: stopping; no new connections, 0 call(s) in flight');
  });

  it('honours PORT when --port is not given', async () => {
    const port = await freePort();
    const running = serve([], { PORT: String(port) });
    const [, listening] = await running.waitFor(LISTENING);
    expect(listening).toBe(String(port));
    expect((await call(`http://127.0.0.1:${port}`, 'GET', '/health')).status).toBe(200);
    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
  });

  it('refuses a port that is not a number with exit status 2', async () => {
    const running = serve(['--port', 'http']);
    expect(await running.exited).toBe(2);
    expect(running.stderr()).toContain(
      "error: option '--port <n>' argument 'http' is invalid. expected a port from 0 to 65535 (0 picks a free one).",
    );
  });

  it('says which address is taken and exits 2 when it cannot listen', async () => {
    const taken = createServer();
    await new Promise<void>((done) => taken.listen(0, '127.0.0.1', done));
    const { port } = taken.address() as AddressInfo;
    try {
      const running = serve(['--port', String(port)]);
      expect(await running.exited).toBe(2);
      expect(running.stderr()).toBe(
        `rudderstack-kissmetrics: cannot listen on 127.0.0.1:${port} (EADDRINUSE): choose another --port or --host\n`,
      );
    } finally {
      await new Promise((done) => taken.close(done));
    }
  });
});
