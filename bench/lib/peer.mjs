// The peer of the transformer benchmarks: rudder-transformer's kissmetrics `process()`, from a copy
// OUTSIDE this repository (never copied into it). Its path comes from --peer or RUDDER_TRANSFORMER_DIR.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

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
  '  npx -y -p typescript@5 tsc -p tsconfig.json   # type errors are printed, dist/ is written all the same',
  'then run again with --peer /work/peer/rudder-transformer',
].join('\n');

/** `process(event)` of the peer at `dir` (its dist/ build, else its sources), or undefined without a dir. */
export const loadPeer = (dir = process.env.RUDDER_TRANSFORMER_DIR) => {
  if (!dir) return undefined;
  const root = resolve(dir);
  const file = [join(root, 'dist', TRANSFORM), join(root, TRANSFORM)].find((path) => existsSync(path));
  if (!file) throw new Error(`${root}: no ${TRANSFORM} (built or not) there\n${PEER_HOWTO}`);
  const { process: peerProcess } = createRequire(import.meta.url)(file);
  if (typeof peerProcess !== 'function') throw new Error(`${file} exports no process()`);
  return { process: peerProcess, file };
};
