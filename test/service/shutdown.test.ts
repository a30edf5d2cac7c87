/**
 * Graceful shutdown of `rudderstack-kissmetrics serve` as an operator sees it: SIGTERM to the built
 * command while clients are talking to it.
 */
import { existsSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { resolve } from 'node:path';
import { EVERY_TYPE, event, metadata } from './fixtures';
import { openCall, readReply, tryConnect } from './http';
import { killChildren, spawnNode } from './spawn';

const CLI = resolve(__dirname, '../../dist/cli.mjs');
const PROCESSOR = '/v0/destinations/kissmetrics';
const LISTENING = /^rudderstack-kissmetrics serve: listening on http:\/\/127\.0\.0\.1:(\d+) /m;
const CLIENTS = 8;
/** Calls answered before SIGTERM is sent: the clients are hammering by then. */
const ANSWERED_BEFORE_SIGTERM = 100;

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first (npm test does)`);
});
afterEach(killChildren);

const alias = EVERY_TYPE[4];
const body = JSON.stringify([event(1, alias?.message)]);
const expected = JSON.stringify([{ output: alias?.requests[0], metadata: metadata(1), statusCode: 200 }]);

/** One call on a kept-alive connection of `agent`: how it ended. */
const post = (port: number, agent: Agent): Promise<string> =>
  new Promise((done) => {
    const req = request({ port, host: '127.0.0.1', path: PROCESSOR, method: 'POST', agent }, (res) => {
      readReply(res).then(
        (reply) => {
          done(reply.status === 200 && JSON.stringify(reply.json) === expected ? 'answered' : `wrong ${reply.status}`);
        },
        (error: unknown) => {
          done(`cut while answering: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
        },
      );
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      done(error.code ?? error.message);
    });
    req.end(body);
  });

describe('SIGTERM', () => {
  it(`answers every call ${CLIENTS} keep-alive clients are sending when it arrives, resets none, and exits 0`, async () => {
    const running = spawnNode([CLI, 'serve', '--port', '0'], { PORT: undefined });
    const port = Number((await running.waitFor(LISTENING))[1]);
    const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
    const outcomes = new Map<string, number>();
    let answered = 0;
    let signalled: () => void = () => undefined;
    const sigtermSent = new Promise<void>((done) => (signalled = done));
    // Each client sends its next call as soon as the last is answered, until the service refuses to connect.
    const client = async (): Promise<void> => {
      for (;;) {
        const outcome = await post(port, agent);
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        if (outcome === 'answered' && ++answered === ANSWERED_BEFORE_SIGTERM) {
          running.child.kill('SIGTERM');
          signalled();
        }
        if (outcome !== 'answered') return;
      }
    };
    const clients = Array.from({ length: CLIENTS }, client);
    await sigtermSent;
    await Promise.all(clients);
    agent.destroy();
    expect(await running.exited).toBe(0);
    // Every client ends when it tries a new connection: refused, never reset or cut.
    expect(Object.fromEntries([...outcomes].filter(([outcome]) => outcome !== 'answered'))).toEqual({
      ECONNREFUSED: CLIENTS,
    });
    expect(outcomes.get('answered')).toBeGreaterThanOrEqual(ANSWERED_BEFORE_SIGTERM);
    expect(running.stdout()).toMatch(/\nstopped: every call read was answered \(\d+ while stopping\)\n$/);
  });

  it('cuts an upload that is still arriving after the upload grace, answers the calls already read, and exits 0', async () => {
    const running = spawnNode([CLI, 'serve', '--port', '0'], { PORT: undefined });
    const url = `http://127.0.0.1:${(await running.waitFor(LISTENING))[1]}`;
    const slow = openCall(url, PROCESSOR, '[');
    const read = openCall(url, PROCESSOR, `[${JSON.stringify(event(1, alias?.message))}`);
    await Promise.all([slow.started, read.started]);
    running.child.kill('SIGTERM');
    await running.waitFor(/^SIGTERM: stopping/m);
    expect(await tryConnect(Number(new URL(url).port))).toBe('ECONNREFUSED');
    read.finish(']');
    const reply = await read.reply;
    expect([reply.status, reply.headers.connection, reply.text]).toEqual([200, 'close', expected]);
    const cut = await slow.reply.then(
      () => 'answered',
      (error: unknown) => (error as NodeJS.ErrnoException).code,
    );
    expect(cut).toBe('ECONNRESET');
    expect(await running.exited).toBe(0);
    expect(running.stdout()).toMatch(
      /\nstopped: every call read was answered \(1 while stopping\); 1 upload still arriving after 2 s was cut\n$/,
    );
  });
});
