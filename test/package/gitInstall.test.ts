import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  EXPECTED_CLOUD_EXPORTS,
  EXPECTED_FILES,
  EXPECTED_ROOT_EXPORTS,
  TRACK,
  TRACK_COMMANDS,
  TRACK_REQUESTS,
  importPackage,
  initConsumer,
  install,
  installedDir,
  listFiles,
  normaliseFiles,
  npx,
  repoVersion,
  requirePackage,
} from './consumer';
import { CHECK_TIMEOUT_MS, REPO_ROOT, SETUP_TIMEOUT_MS, headCommit, removeDir, runOk, tempDir } from './run';

// Before it is on the registry, a user installs the package from git. npm clones the repository,
// installs its dev dependencies, runs `prepare` (which builds dist/) and packs the result. Here the
// remote is a bare clone of the committed HEAD, reached offline through git+file://.

let work: string | undefined;
let consumer = '';

beforeAll(async () => {
  work = await tempDir('git');
  const bare = join(work, 'repo.git');
  consumer = join(work, 'consumer');
  const commit = await headCommit();
  await runOk('git', ['clone', '--quiet', '--bare', '--no-hardlinks', REPO_ROOT, bare], work);
  await mkdir(consumer);
  await initConsumer(consumer);
  await install(consumer, `git+${pathToFileURL(bare).href}#${commit}`);
}, SETUP_TIMEOUT_MS);

afterAll(() => removeDir(work));

describe('installed from a git URL', () => {
  it('has the built package, exactly the files a tarball has', async () => {
    expect(normaliseFiles(await listFiles(installedDir(consumer)))).toEqual(EXPECTED_FILES);
  });

  it.each([
    ['require', requirePackage],
    ['import', importPackage],
  ])(
    'loads with %s, both entry points, and translates',
    async (_how, load) => {
      expect(await load(consumer)).toEqual({
        root: EXPECTED_ROOT_EXPORTS,
        cloud: EXPECTED_CLOUD_EXPORTS,
        commands: TRACK_COMMANDS,
        requests: TRACK_REQUESTS,
      });
    },
    CHECK_TIMEOUT_MS,
  );

  it(
    'runs the bin: `npx rudderstack-kissmetrics --version` and `translate`',
    async () => {
      expect(await npx(consumer, ['--version'])).toEqual({ code: 0, stdout: `${await repoVersion()}\n`, stderr: '' });
      expect(await npx(consumer, ['translate'], `${JSON.stringify(TRACK)}\n`)).toEqual({
        code: 0,
        stdout: `${JSON.stringify({ line: 1, commands: TRACK_COMMANDS })}\n`,
        stderr: '',
      });
    },
    CHECK_TIMEOUT_MS,
  );
});
