import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  EXPECTED_FILES,
  initConsumer,
  install,
  installedDir,
  itWorksInstalled,
  listFiles,
  normaliseFiles,
} from './consumer';
import { REPO_ROOT, SETUP_TIMEOUT_MS, headCommit, removeDir, runOk, tempDir } from './run';

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

  itWorksInstalled(() => consumer);
});
