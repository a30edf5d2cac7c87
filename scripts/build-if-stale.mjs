// `npm start`, `npm test` (pretest) and the benchmarks build only when dist/ is missing or older than what it
// is built from: a fresh clone's `npm ci` has just built it (the `prepare` script), CI builds right before
// `npm test`, and rebuilding costs most of a minute on a busy machine.
//   node scripts/build-if-stale.mjs          builds when needed, else says dist/ is up to date
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** What the build reads: a change to any of these makes dist/ stale. */
const INPUTS = ['src', 'rollup.config.js', 'tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json'];
/**
 * What the build writes and the demo and the tests need; one missing means dist/ is not built. The last,
 * dist/index.d.cts, is the build's last output: a build stopped half-way is not taken for a finished one.
 */
const OUTPUTS = [
  'dist/Kissmetrics.min.js',
  'dist/Kissmetrics.js',
  'dist/index.mjs',
  'dist/cloud.mjs',
  'dist/cli.mjs',
  'dist/index.d.cts',
];

/** Modification times (ms) of `path`, or of every file below it; none when it does not exist. */
const mtimes = (path) => {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return [];
  }
  if (!stat.isDirectory()) return [stat.mtimeMs];
  return readdirSync(path).flatMap((name) => mtimes(join(path, name)));
};

/** Why dist/ must be built, or undefined when it is up to date. */
export const staleReason = (root = ROOT) => {
  const built = OUTPUTS.map((file) => ({ file, times: mtimes(join(root, file)) }));
  const missing = built.find(({ times }) => times.length === 0);
  if (missing) return `${missing.file} is missing`;
  const oldestOutput = Math.min(...built.flatMap(({ times }) => times));
  const changed = INPUTS.find((input) => mtimes(join(root, input)).some((time) => time > oldestOutput));
  return changed === undefined ? undefined : `${changed} changed since the last build`;
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const reason = staleReason();
  if (reason === undefined) {
    console.log('dist/ is up to date: not rebuilt (npm run build forces a build)');
  } else {
    console.log(`building: ${reason}`);
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const { status, error } = spawnSync(npm, ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
    if (error) console.error(`could not run npm run build: ${error.message}`);
    process.exitCode = status ?? 1;
  }
}
