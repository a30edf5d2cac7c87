import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '..', '..');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
// A cold type-check of the sources and these files takes seconds; far more on a busy machine.
const TYPE_CHECK_TIMEOUT_MS = 180_000;

// ts-jest only transpiles (the project sets isolatedModules), so the type tests of this folder are
// checked here, by the real compiler: an `@ts-expect-error` that is not needed is an error (TS2578).
it(
  'the type tests compile: every typo they show is rejected by the types',
  async () => {
    const result = await promisify(execFile)(process.execPath, [TSC, '-p', join(__dirname, 'tsconfig.json')], {
      cwd: ROOT,
    }).then(
      () => 'no errors',
      // tsc prints its diagnostics on stdout and exits 2.
      (error: unknown) => (error as { stdout?: string }).stdout ?? 'tsc failed without output',
    );
    expect(result).toBe('no errors');
  },
  TYPE_CHECK_TIMEOUT_MS,
);
