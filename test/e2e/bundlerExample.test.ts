/**
 * examples/bundler as a user gets it before the package is published: the folder copied alone, this
 * package installed from the tarball `npm pack` makes of this repository, the example's other
 * dependencies from the registry, its own build script, then its page in Chromium under a strict
 * Content-Security-Policy, with every outside host answered locally.
 */
import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { describeWithChromium, KM_KEY_SCRIPT_URL, KM_LIBRARY_URL, launchChromium } from './browser';
import { copyExample, EXAMPLES_DIR } from './exampleSite';
import { API_KEY, destinationsState } from './scenario';
import { DESTINATION_ID } from './server';
import {
  DATA_PLANE_URL,
  kissmetricsCallsOf,
  openSite,
  PACKAGE_VERSION,
  SDK_VERSION,
  sitePageProperties,
} from './world';
import type { ExamplePage } from './world';

const ROOT = join(__dirname, '..', '..');
/** `npm pack`, `npm install` from the registry and the build, together, on a busy machine and network. */
const INSTALL_AND_BUILD_MS = 600_000;
const OUTPUT_LIMIT_BYTES = 16 * 1024 * 1024;

/** A page that allows exactly what the bundled set-up needs: its own script, Kissmetrics, RudderStack. */
const STRICT_CSP = [
  "default-src 'none'",
  "script-src 'self' https://i.kissmetrics.io https://scripts.kissmetrics.io",
  `connect-src https://api.rudderstack.com ${DATA_PLANE_URL}`,
  'img-src https://trk.kissmetrics.io',
].join('; ');

/**
 * The environment of a user's shell: without the `npm_*` variables of the `npm test` running us, which
 * would point the nested npm at this repository (`npm_config_local_prefix`) instead of the copy.
 */
const userEnvironment = (): NodeJS.ProcessEnv =>
  Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) && key !== 'INIT_CWD'));

const npm = async (args: string[], cwd: string): Promise<string> => {
  const { stdout } = await promisify(execFile)('npm', args, {
    cwd,
    env: userEnvironment(),
    maxBuffer: OUTPUT_LIMIT_BYTES,
    timeout: INSTALL_AND_BUILD_MS,
  });
  return stdout;
};

const versionIn = async (packageJson: string): Promise<unknown> =>
  (JSON.parse(await readFile(packageJson, 'utf8')) as { version?: unknown }).version;

describeWithChromium('examples/bundler, copied alone, with this package from its npm pack tarball', (chromiumPath) => {
  let browser: Browser;
  let packDir: string;
  let site: string;
  let opened: ExamplePage | undefined;
  let rootManifests: string[];

  const readRootManifests = (): Promise<string[]> =>
    Promise.all(['package.json', 'package-lock.json'].map((file) => readFile(join(ROOT, file), 'utf8')));

  beforeAll(async () => {
    rootManifests = await readRootManifests();
    browser = await launchChromium(chromiumPath);
    packDir = await mkdtemp(join(tmpdir(), 'km-pack-'));
    // `--ignore-scripts`: packs the dist/ that `npm test` has just made fresh (pretest). Without it, prepack
    // would delete and rebuild this repository's dist/ while the other files, running alongside, use it;
    // that a pack always builds afresh is test/package/tarball.test.ts's to prove.
    const [packed] = JSON.parse(
      await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', packDir], ROOT),
    ) as {
      filename: string;
    }[];
    if (!packed) throw new Error('npm pack printed no tarball');
    site = await copyExample('bundler');
    // What the example's README tells a user to do until the package is on npm.
    await npm(['install', '--no-audit', '--no-fund', join(packDir, packed.filename)], site);
    await npm(['run', 'build'], site);
  }, INSTALL_AND_BUILD_MS);

  afterEach(async () => {
    await opened?.context.close();
    opened = undefined;
  });

  afterAll(async () => {
    await browser.close();
    await Promise.all([packDir, dirname(site)].map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('asks npm for this version of the package and of the SDK the tests use', async () => {
    // Once published, a plain `npm install` in a copy gets exactly this; nothing points into this repository.
    const manifest = JSON.parse(await readFile(join(EXAMPLES_DIR, 'bundler', 'package.json'), 'utf8')) as {
      dependencies?: unknown;
    };
    expect(manifest.dependencies).toEqual({
      '@rudderstack/analytics-js': SDK_VERSION,
      'rudderstack-kissmetrics': PACKAGE_VERSION,
    });
  });

  it('installs this package from the tarball into the copy, and leaves this repository alone', async () => {
    expect(await versionIn(join(site, 'node_modules', 'rudderstack-kissmetrics', 'package.json'))).toBe(
      PACKAGE_VERSION,
    );
    expect(await versionIn(join(site, 'node_modules', '@rudderstack', 'analytics-js', 'package.json'))).toBe(
      SDK_VERSION,
    );
    expect(await readRootManifests()).toEqual(rootManifests);
  });

  it('delivers page() and the button to Kissmetrics under a strict CSP, fetching no script from any CDN', async () => {
    const example = await openSite(browser, { site, pageHeaders: { 'content-security-policy': STRICT_CSP } });
    opened = example;
    const { page, traffic, problems } = example;

    const loaded = ['record', 'Loaded a Page', sitePageProperties('Kissmetrics through RudderStack: bundler')];
    expect(await kissmetricsCallsOf(example, 1)).toEqual([loaded]);
    await page.getByRole('button', { name: 'Sign up' }).click();
    expect(await kissmetricsCallsOf(example, 2)).toEqual([
      loaded,
      ['record', 'Signed Up', { plan: 'pro', 'source.campaign': 'spring' }],
    ]);

    expect(traffic.sdk).toEqual([]);
    expect(traffic.packageScripts).toEqual([]);
    expect(traffic.rudderstackCdn).toEqual([]);
    expect(traffic.scripts).toEqual([KM_LIBRARY_URL, KM_KEY_SCRIPT_URL(API_KEY)]);
    expect(traffic.outside).toEqual([]);
    expect(problems).toEqual({ pageErrors: [], console: [] });
    expect(await destinationsState(page)).toEqual({ initialized: [DESTINATION_ID], failed: [] });
  });
});
