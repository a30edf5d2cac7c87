import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { CHECK_TIMEOUT_MS, PACKAGE, REPO_ROOT, node, npm, npmWarnings, run } from './run';
import type { Result } from './run';

/**
 * Every file a user gets, packed or installed. Rollup names shared chunks `<name>-<hash>`; both vary
 * with the code, so `chunkPattern` folds them into `<chunk>` and the list still counts every file.
 */
export const EXPECTED_FILES = [
  'CHANGELOG.md',
  'LICENSE',
  'README.md',
  'cloud/package.json',
  'dist/Kissmetrics.js',
  'dist/Kissmetrics.js.map',
  'dist/Kissmetrics.min.js',
  'dist/Kissmetrics.min.js.map',
  'dist/chunks/<chunk>.cjs',
  'dist/chunks/<chunk>.cjs.map',
  'dist/chunks/<chunk>.d.cts',
  'dist/chunks/<chunk>.d.ts',
  'dist/chunks/<chunk>.mjs',
  'dist/chunks/<chunk>.mjs.map',
  'dist/cli.mjs',
  'dist/cli.mjs.map',
  'dist/cloud.cjs',
  'dist/cloud.cjs.map',
  'dist/cloud.d.cts',
  'dist/cloud.d.ts',
  'dist/cloud.mjs',
  'dist/cloud.mjs.map',
  'dist/index.cjs',
  'dist/index.cjs.map',
  'dist/index.d.cts',
  'dist/index.d.ts',
  'dist/index.mjs',
  'dist/index.mjs.map',
  'package.json',
].sort();

const chunkPattern = /^(dist\/chunks\/)[^/]+?((?:\.d)?\.c?ts|\.[cm]js(?:\.map)?)$/;

export const normaliseFiles = (paths: readonly string[]): string[] =>
  paths.map((path) => path.replace(/\\/g, '/').replace(chunkPattern, '$1<chunk>$2')).sort();

/** Every file under `dir`, relative, with `/` separators. */
export const listFiles = async (dir: string): Promise<string[]> => {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).replace(/\\/g, '/'));
};

export const installedDir = (consumer: string): string => join(consumer, 'node_modules', PACKAGE);

/** Runtime exports of the installed package, through `require` or `import`. */
export const EXPECTED_ROOT_EXPORTS = [
  'Kissmetrics',
  'clean',
  'money',
  'prefix',
  'register',
  'toKissmetricsRequests',
  'toKmqCommands',
  'translate',
  'viewEventName',
];
export const EXPECTED_CLOUD_EXPORTS = [
  'BASE_BACKOFF_MS',
  'DEFAULT_TRACKING_HOST',
  'DELIVERY_DEADLINE_MS',
  'MAX_ATTEMPTS',
  'MAX_BACKOFF_MS',
  'MAX_GET_URL_LENGTH_CHARS',
  'MAX_RETRY_AFTER_MS',
  'REQUEST_TIMEOUT_MS',
  'encodeParams',
  'requestUrl',
  'sendRequest',
  'sendRequests',
  'toKissmetricsRequests',
];

/** One track event, and what the installed package must make of it in each mode. */
export const TRACK = {
  type: 'track',
  event: 'Signed Up',
  userId: 'u1',
  properties: { plan: 'pro' },
  timestamp: '2024-03-01T12:00:00.000Z',
};
export const TRACK_COMMANDS = [['record', 'Signed Up', { plan: 'pro' }]];
export const TRACK_REQUESTS = [
  {
    method: 'GET',
    endpoint: 'https://trk.kissmetrics.io/e',
    params: { _k: 'k', _p: 'u1', _t: 1709294400, _d: 1, _n: 'Signed Up', plan: 'pro' },
  },
];

/** A folder with nothing but a minimal package.json, as `npm init` leaves it. */
export const initConsumer = async (dir: string): Promise<void> => {
  await writeFile(join(dir, 'package.json'), `${JSON.stringify({ name: 'consumer', private: true }, null, 2)}\n`);
};

/**
 * `npm install <spec>` into the consumer. npm ≥ 11.10 lists a non-registry dependency's `prepare`
 * script as "not yet covered by allowScripts" (it is how a git install builds `dist/`); any other
 * warning is a problem for the user and fails the install.
 */
export const install = async (consumer: string, spec: string): Promise<Result> => {
  // `--prefer-offline`: registry metadata already in npm's cache is used as is, not fetched again. npm
  // passes it on to the `npm install --force` it runs in a git dependency's clone, which otherwise asks
  // the registry for every one of the ~900 dev dependencies; versions come from the lockfile either way.
  const result = await npm(['install', '--prefer-offline', spec], consumer);
  const unexpected = npmWarnings(result.stderr).filter(
    (line) =>
      !/^npm warn install-scripts( *$| \d+ package has install scripts| Run `npm install-scripts ls`)/.test(line) &&
      !line.startsWith(`npm warn install-scripts   ${PACKAGE}@`),
  );
  if (unexpected.length > 0) throw new Error(`npm install ${spec} warned:\n${unexpected.join('\n')}`);
  return result;
};

export interface Loaded {
  root: string[];
  cloud: string[];
  commands: unknown;
  requests: unknown;
}

const isLoaded = (value: unknown): value is Loaded =>
  typeof value === 'object' && value !== null && 'root' in value && 'cloud' in value;

const parseLoaded = (result: Result): Loaded => {
  if (result.code !== 0) throw new Error(`loading the package failed (${result.code}):\n${result.stderr}`);
  const value: unknown = JSON.parse(result.stdout);
  if (!isLoaded(value)) throw new Error(`unexpected probe output: ${result.stdout}`);
  return value;
};

const probeBody = (load: string): string => `
const root = ${load.replace('$', PACKAGE)};
const cloud = ${load.replace('$', `${PACKAGE}/cloud`)};
const track = ${JSON.stringify(TRACK)};
process.stdout.write(JSON.stringify({
  root: Object.keys(root).sort(),
  cloud: Object.keys(cloud).sort(),
  commands: root.toKmqCommands(track, {}),
  requests: cloud.toKissmetricsRequests(track, { apiKey: 'k' }),
}));
`;

/** Loads both entry points with `require` (CommonJS) from the consumer folder and uses them. */
export const requirePackage = async (consumer: string): Promise<Loaded> =>
  parseLoaded(await node(['--input-type=commonjs', '-e', probeBody("require('$')")], consumer));

/** Loads both entry points with `import()` (ESM) from the consumer folder and uses them. */
export const importPackage = async (consumer: string): Promise<Loaded> =>
  parseLoaded(await node(['--input-type=module', '-e', probeBody("await import('$')")], consumer));

/** `npx rudderstack-kissmetrics …` as a user types it; `--no` so npx never fetches it from the registry. */
export const npx = (consumer: string, args: string[], stdin = ''): Promise<Result> =>
  run('npx', ['--no', '--', PACKAGE, ...args], consumer, stdin);

export const repoVersion = async (): Promise<string> => {
  const pkg: unknown = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8'));
  if (typeof pkg !== 'object' || pkg === null || !('version' in pkg) || typeof pkg.version !== 'string') {
    throw new Error('package.json has no version string');
  }
  return pkg.version;
};

/**
 * What every install must do, whatever it came from: both entry points load with `require` and
 * `import` and translate exactly, and the bin runs (`--version`, and `translate` of one event).
 */
export const itWorksInstalled = (consumer: () => string): void => {
  it.each([
    ['require', requirePackage],
    ['import', importPackage],
  ])(
    'loads with %s, both entry points, and translates',
    async (_how, load) => {
      expect(await load(consumer())).toEqual({
        root: EXPECTED_ROOT_EXPORTS,
        cloud: EXPECTED_CLOUD_EXPORTS,
        commands: TRACK_COMMANDS,
        requests: TRACK_REQUESTS,
      });
    },
    CHECK_TIMEOUT_MS,
  );

  it(
    'runs the bin: `npx rudderstack-kissmetrics --version` and `translate` of one event',
    async () => {
      expect(await npx(consumer(), ['--version'])).toEqual({ code: 0, stdout: `${await repoVersion()}\n`, stderr: '' });
      expect(await npx(consumer(), ['translate'], `${JSON.stringify(TRACK)}\n`)).toEqual({
        code: 0,
        stdout: `${JSON.stringify({ line: 1, commands: TRACK_COMMANDS })}\n`,
        stderr: '',
      });
    },
    CHECK_TIMEOUT_MS,
  );
};
