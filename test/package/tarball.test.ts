import { existsSync } from 'node:fs';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { accepting, startEndpoint } from '../cli/endpoints';
import {
  EXPECTED_FILES,
  TRACK,
  initConsumer,
  install,
  installedDir,
  itWorksInstalled,
  listFiles,
  normaliseFiles,
} from './consumer';
import { browserScript, importResolve, serverSide, sideEffectOf, typeCheck } from './probes';
import type { Resolution } from './probes';
import {
  CHECK_TIMEOUT_MS,
  PACKAGE,
  REPO_ROOT,
  SETUP_TIMEOUT_MS,
  cloneHead,
  npm,
  npmWarnings,
  removeDir,
  run,
  tempDir,
} from './run';
import type { Result } from './run';

// What a maintainer does before publishing, and what a user then gets: clone the committed HEAD,
// install the dev dependencies (which runs `prepare`), `npm pack`; install the tarball into an empty
// folder and use it every way a user can. The clone borrows this repository's installed dev
// dependencies (a link to its node_modules/, installed by `npm ci` from the same lockfile) instead of
// downloading and unpacking them again: what is under test is the clone's scripts and files, and a
// real install of the dev dependencies from git is what test/package/gitInstall.test.ts does.

/** Left in `dist/` before packing: it ships only if `npm pack` packs a stale build. */
const STALE_MARKER = 'dist/stale-build-marker.txt';

interface PackEntry {
  filename: string;
  files: { path: string }[];
}

const isPackEntry = (value: unknown): value is PackEntry =>
  typeof value === 'object' &&
  value !== null &&
  'filename' in value &&
  typeof value.filename === 'string' &&
  'files' in value &&
  Array.isArray(value.files) &&
  value.files.every(
    (file: unknown) => typeof file === 'object' && file !== null && 'path' in file && typeof file.path === 'string',
  );

const isStringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

let work: string | undefined;
let clone = '';
let consumer = '';
let builtByCi = false;
let markerKeptByPrepare = false;
let packed: PackEntry = { filename: '', files: [] };
const RESOLUTIONS: readonly Resolution[] = ['node10', 'node16', 'bundler'];
/** The three type-checks, started together once the tarball is installed: each takes seconds of tsc alone. */
let typeChecks = new Map<Resolution, Promise<Result>>();

beforeAll(async () => {
  work = await tempDir('pack');
  clone = join(work, 'clone');
  consumer = join(work, 'consumer');
  await cloneHead(clone);

  await symlink(join(REPO_ROOT, 'node_modules'), join(clone, 'node_modules'), 'dir');
  // What `npm ci` runs once the dev dependencies are in: the prepare script, on a clone without dist/.
  await npm(['run', 'prepare'], clone);
  builtByCi = existsSync(join(clone, 'dist', 'Kissmetrics.min.js'));
  await mkdir(join(clone, 'dist'), { recursive: true });
  await writeFile(join(clone, STALE_MARKER), 'stale\n');
  const prepare = await run('npm', ['run', 'prepare'], clone);
  markerKeptByPrepare = prepare.code === 0 && existsSync(join(clone, STALE_MARKER));
  await writeFile(join(clone, STALE_MARKER), 'stale\n');

  const pack = await npm(['pack', '--json', '--pack-destination', work], clone);
  const entries: unknown = JSON.parse(pack.stdout);
  if (!Array.isArray(entries) || entries.length !== 1 || !isPackEntry(entries[0])) {
    throw new Error(`unexpected npm pack --json output: ${pack.stdout}`);
  }
  packed = entries[0];

  await mkdir(consumer);
  await initConsumer(consumer);
  await install(consumer, join(work, packed.filename));
  typeChecks = new Map(RESOLUTIONS.map((resolution) => [resolution, typeCheck(consumer, resolution)]));
}, SETUP_TIMEOUT_MS);

afterAll(() => removeDir(work));

describe('building on a fresh clone', () => {
  it('prepare, which `npm ci` runs, builds dist/, so the examples and the bin work straight away', () => {
    expect(builtByCi).toBe(true);
  });

  it('prepare, which `npm ci` runs, does not build again when dist/ exists', () => {
    expect(markerKeptByPrepare).toBe(true);
  });

  it('`npm pack` always builds afresh (prepack): a stale dist/ never ships', () => {
    expect(existsSync(join(clone, STALE_MARKER))).toBe(false);
    expect(packed.files.map((file) => file.path)).not.toContain(STALE_MARKER);
  });
});

describe('the tarball', () => {
  it('holds exactly the built package: dist/ (browser script, ESM, CJS, types, bin, maps), the cloud stub and the docs', () => {
    expect(normaliseFiles(packed.files.map((file) => file.path))).toEqual(EXPECTED_FILES);
  });

  it('installs exactly those files', async () => {
    expect(normaliseFiles(await listFiles(installedDir(consumer)))).toEqual(EXPECTED_FILES);
  });

  it('ships self-contained source maps: every source is inlined, since src/ does not ship', async () => {
    const maps = (await listFiles(installedDir(consumer))).filter((path) => path.endsWith('.map'));
    const incomplete: string[] = [];
    for (const path of maps) {
      const map: unknown = JSON.parse(await readFile(join(installedDir(consumer), path), 'utf8'));
      const complete =
        typeof map === 'object' &&
        map !== null &&
        'sources' in map &&
        Array.isArray(map.sources) &&
        map.sources.length > 0 &&
        'sourcesContent' in map &&
        Array.isArray(map.sourcesContent) &&
        map.sourcesContent.length === map.sources.length &&
        map.sourcesContent.every((content: unknown) => typeof content === 'string' && content.length > 0);
      if (!complete) incomplete.push(path);
    }
    expect(maps).toHaveLength(EXPECTED_FILES.filter((path) => path.endsWith('.map')).length);
    expect(incomplete).toEqual([]);
  });
});

describe('installed from the tarball', () => {
  itWorksInstalled(() => consumer);

  it(
    'resolves rudderstack-kissmetrics/Kissmetrics.min.js, which mounts window.Kissmetrics_RS.Kissmetrics',
    async () => {
      const file = join(installedDir(consumer), 'dist', 'Kissmetrics.min.js');
      expect(await browserScript(consumer)).toEqual({ file, mounted: ['Kissmetrics_RS'], isClass: true });
      expect(await importResolve(consumer, `${PACKAGE}/Kissmetrics.min.js`)).toBe(pathToFileURL(file).href);
    },
    CHECK_TIMEOUT_MS,
  );

  it.each<Resolution>(RESOLUTIONS)(
    'type-checks a TypeScript user of both entry points with moduleResolution %s',
    async (resolution) => {
      const result = await typeChecks.get(resolution);
      expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
    },
    CHECK_TIMEOUT_MS,
  );
});

describe('the commands send prints run as printed', () => {
  it(
    'a resume printed by `npx rudderstack-kissmetrics send` runs through a shell, from a folder and a file with spaces and quotes',
    async () => {
      // The endpoint is down when the back-fill starts: send stops at once and prints the resume.
      const down = await startEndpoint(accepting);
      const port = Number(new URL(down.url).port);
      await down.close();
      const folder = join(consumer, 'back fill');
      await mkdir(folder);
      const events = Array.from({ length: 5 }, (_, i) => JSON.stringify({ ...TRACK, event: `E${i + 1}` }));
      await writeFile(join(folder, "it's events.ndjson"), `${events.join('\n')}\n`);
      const key = 'f'.repeat(40);
      const stopped = await run(
        'npx',
        ['--no', '--', PACKAGE, 'send', '--endpoint', down.url, '--max-attempts', '1', "it's events.ndjson"],
        folder,
        '',
        { KISSMETRICS_API_KEY: key },
      );
      expect(stopped.code).toBe(1);
      const command = /^resume: (.*)$/m.exec(stopped.stderr)?.[1] ?? '';
      expect(command).toMatch(
        new RegExp(
          `^npx rudderstack-kissmetrics send --endpoint ${down.url} --max-attempts 1 --state send-\\S+\\.state 'it'\\\\''s events\\.ndjson'$`,
        ),
      );
      const back = await startEndpoint(accepting, port);
      try {
        const resumed = await run('sh', ['-c', command], folder, '', { KISSMETRICS_API_KEY: key });
        expect([resumed.code, resumed.stderr]).toEqual([
          0,
          expect.stringContaining('summary: 5 lines read') as unknown,
        ]);
        expect(back.received.map((url) => new URL(url, back.url).searchParams.get('_n'))).toEqual([
          'E1',
          'E2',
          'E3',
          'E4',
          'E5',
        ]);
      } finally {
        await back.close();
      }
    },
    CHECK_TIMEOUT_MS,
  );
});

describe('in Node and server-side rendering', () => {
  it.each<'cjs' | 'esm'>(['cjs', 'esm'])(
    '%s: loading both entry points reads no browser global and creates none; register() does nothing',
    async (flavour) => {
      expect(await serverSide(consumer, flavour)).toEqual({
        touched: [],
        added: [],
        registerThrew: null,
        windowAfterRegister: false,
        kissmetricsRsAfterRegister: false,
      });
    },
    CHECK_TIMEOUT_MS,
  );
});

describe('package.json', () => {
  it(
    '"sideEffects" lists exactly the shipped files that do something when loaded',
    async () => {
      const pkg: unknown = JSON.parse(await readFile(join(installedDir(consumer), 'package.json'), 'utf8'));
      const declared = typeof pkg === 'object' && pkg !== null && 'sideEffects' in pkg ? pkg.sideEffects : undefined;
      const scripts = (await listFiles(installedDir(consumer))).filter((path) => /\.[cm]?js$/.test(path)).sort();
      const effects: Record<string, string> = {};
      for (const path of scripts) {
        const effect = await sideEffectOf(join(installedDir(consumer), path), consumer);
        if (effect !== null) effects[`./${path}`] = effect;
      }
      expect(isStringArray(declared) ? [...declared].sort() : declared).toEqual(Object.keys(effects).sort());
    },
    CHECK_TIMEOUT_MS,
  );

  it(
    '`npm publish --dry-run` has nothing for a maintainer to fix and publishes the same files',
    async () => {
      // `--ignore-scripts`: the clone's dist/ is the one `npm pack` has just built (prepack, proven above);
      // building it a third time would check nothing more.
      const result = await npm(['publish', '--dry-run', '--ignore-scripts', '--json'], clone);
      // The one warning left is about this machine, not the package: nobody is logged in.
      const loggedOut = /^npm warn publish This command requires you to be logged in to \S+ \(dry-run\)$/;
      expect(npmWarnings(result.stderr).filter((line) => !loggedOut.test(line))).toEqual([]);
      const report: unknown = JSON.parse(result.stdout);
      const entry =
        typeof report === 'object' && report !== null && PACKAGE in report
          ? (report as Record<string, unknown>)[PACKAGE]
          : undefined;
      expect(isPackEntry(entry) ? normaliseFiles(entry.files.map((file) => file.path)) : entry).toEqual(EXPECTED_FILES);
    },
    CHECK_TIMEOUT_MS,
  );
});
