// The peer of the transformer benchmarks: rudder-transformer's kissmetrics `process()`, from a copy
// OUTSIDE this repository (never copied into it). Its path comes from --peer or RUDDER_TRANSFORMER_DIR.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** The commit the comparison is made against. */
export const PEER_COMMIT = 'c98d160c';

const TRANSFORM = 'src/v0/destinations/kissmetrics/transform.js';

/** How to get the peer, printed when none is given. */
export const PEER_HOWTO = [
  `no peer given (--peer DIR or RUDDER_TRANSFORMER_DIR=DIR): our figures only. To compare with rudder-transformer`,
  `at ${PEER_COMMIT}, make a copy outside this repository and build it (its util imports TypeScript files):`,
  '  git clone https://github.com/rudderlabs/rudder-transformer /work/peer/rudder-transformer',
  `  cd /work/peer/rudder-transformer && git checkout ${PEER_COMMIT}`,
  '  npm ci --ignore-scripts --omit=dev',
  '  (cd node_modules/isolated-vm && node "$(npm prefix -g)/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js" rebuild --release)',
  '    # offline, add --nodedir=<Node install prefix, e.g. /usr> so node-gyp uses the local headers',
  '  npx -y -p typescript@5 tsc -p tsconfig.json   # type errors are printed, dist/ is written all the same',
  'then run again with --peer /work/peer/rudder-transformer',
].join('\n');

/** The peer's service, started from its dist/ build; its start-up (config, swagger) takes seconds. */
const PEER_START_TIMEOUT_MS = 60_000;
const PEER_POLL_MS = 250;

/** The peer's root directory (--peer DIR, else RUDDER_TRANSFORMER_DIR), or undefined. */
const peerDir = (dir = process.env.RUDDER_TRANSFORMER_DIR) => (dir ? resolve(dir) : undefined);

/** `process(event)` of the peer at `dir` (its dist/ build, else its sources), or undefined without a dir. */
export const loadPeer = (dir) => {
  const root = peerDir(dir);
  if (!root) return undefined;
  const file = [join(root, 'dist', TRANSFORM), join(root, TRANSFORM)].find((path) => existsSync(path));
  if (!file) throw new Error(`${root}: no ${TRANSFORM} (built or not) there\n${PEER_HOWTO}`);
  const { process: peerProcess } = createRequire(import.meta.url)(file);
  if (typeof peerProcess !== 'function') throw new Error(`${file} exports no process()`);
  return { process: peerProcess, file, root };
};

const freePort = async () => {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  return port;
};

/**
 * The peer's own HTTP service (rudder-transformer's dist/src/index.js, one process: CLUSTER_ENABLED=false)
 * on free ports of 127.0.0.1, once its /health answers: `{ child, url }`.
 */
export const startPeerService = async (peer) => {
  const entry = join(peer.root, 'dist/src/index.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: build the peer (see the steps above)`);
  const env = { ...process.env, CLUSTER_ENABLED: 'false', PORT: String(await freePort()) };
  env.METRICS_PORT = String(await freePort());
  const child = spawn(process.execPath, [entry], { cwd: peer.root, env, stdio: ['ignore', 'ignore', 'ignore'] });
  const url = `http://127.0.0.1:${env.PORT}`;
  const deadline = Date.now() + PEER_START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${entry} exited (${child.exitCode}) before answering`);
    const healthy = await fetch(`${url}/health`).then(
      (res) => res.ok,
      () => false,
    );
    if (healthy) return { child, url };
    await sleep(PEER_POLL_MS);
  }
  child.kill('SIGKILL');
  throw new Error(`${entry} did not answer /health within ${PEER_START_TIMEOUT_MS} ms`);
};

/** Rounds of the peer's own measure in bench/serve-throughput.mjs; the median is kept. */
const PEER_ROUNDS = 5;
/** Each round runs the events as many times as fit in this much CPU time. */
const PEER_ROUND_CPU_S = 0.25;

/** Events per CPU-second (this process) of the peer's `process()` on `items`, median of a few rounds. */
export const peerRate = (peer, items) => {
  const pass = () => {
    const started = process.cpuUsage();
    for (const item of items) {
      try {
        peer.process(item);
      } catch {
        // An event the peer refuses costs what it cost. (It mutates only a page's event name: same each time.)
      }
    }
    const { user, system } = process.cpuUsage(started);
    return (user + system) / 1e6;
  };
  pass();
  const passes = Math.max(1, Math.ceil(PEER_ROUND_CPU_S / Math.max(pass(), 1e-4)));
  const rates = [];
  for (let r = 0; r < PEER_ROUNDS; r++) {
    let cpu = 0;
    for (let p = 0; p < passes; p++) cpu += pass();
    rates.push((passes * items.length) / cpu);
  }
  return rates.sort((a, b) => a - b)[Math.floor(PEER_ROUNDS / 2)];
};
