import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';

/** The repository whose committed HEAD these tests pack and install. */
export const REPO_ROOT = resolve(__dirname, '..', '..');

/** The package's name, as users install and import it. */
export const PACKAGE = 'rudderstack-kissmetrics';

/**
 * Setting up (clone, `npm ci`, build, pack, install) runs several npm commands on two shared, busy
 * cores: minutes each on a bad day. These limits only stop a hung command; nothing is timed.
 */
export const COMMAND_LIMIT_MS = 15 * 60_000;
export const SETUP_TIMEOUT_MS = 40 * 60_000;
export const CHECK_TIMEOUT_MS = 10 * 60_000;

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The environment of a user's shell, not of the `npm test` that runs Jest: npm exports its own
 * settings (`npm_config_local_prefix`, `npm_package_*` …) and puts this repository's
 * `node_modules/.bin` on PATH, and neither may leak into the npm commands under test.
 */
export const userEnv = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(key) || key === 'INIT_CWD') continue;
    env[key] = value;
  }
  env.PATH = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => !/node_modules[\\/]\.bin$|node-gyp-bin$/.test(dir))
    .join(delimiter);
  env.NO_UPDATE_NOTIFIER = '1';
  return env;
};

/**
 * Runs a command without a shell; resolves with its exit code and output, whatever the code. Stdin
 * gets `stdin` and is closed; a child that exits before reading it (EPIPE) is not an error: its
 * exit code and output say what happened.
 */
export const run = (
  command: string,
  args: string[],
  cwd: string,
  stdin = '',
  env: NodeJS.ProcessEnv = {},
): Promise<Result> =>
  new Promise((done, fail) => {
    const child = spawn(command, args, { cwd, env: { ...userEnv(), ...env }, timeout: COMMAND_LIMIT_MS });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (error) => {
      fail(new Error(`${command} ${args.join(' ')} in ${cwd}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      if (code === null)
        fail(new Error(`${command} ${args.join(' ')} in ${cwd} was stopped by ${signal ?? 'a signal'}`));
      else done({ code, stdout, stderr });
    });
    child.stdin.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') fail(error);
    });
    child.stdin.end(stdin);
  });

/** Like `run`, but a non-zero exit is an error that shows the command's output. */
export const runOk = async (command: string, args: string[], cwd: string, stdin = ''): Promise<Result> => {
  const result = await run(command, args, cwd, stdin);
  if (result.code !== 0) {
    throw new Error(
      `\`${command} ${args.join(' ')}\` in ${cwd} exited with ${result.code}, expected 0.\n` +
        `stdout:\n${result.stdout}\nstderr:\n${result.stderr}`,
    );
  }
  return result;
};

export const npm = (args: string[], cwd: string, stdin = ''): Promise<Result> =>
  runOk('npm', [...args, '--no-audit', '--no-fund'], cwd, stdin);

export const node = (args: string[], cwd: string, stdin = ''): Promise<Result> =>
  run(process.execPath, args, cwd, stdin);

/** The commit under test: what a user who clones the repository gets. */
export const headCommit = async (): Promise<string> =>
  (await runOk('git', ['rev-parse', 'HEAD'], REPO_ROOT)).stdout.trim();

/** A fresh clone of the committed HEAD: no `dist/`, no `node_modules/`, nothing uncommitted. */
export const cloneHead = async (into: string): Promise<string> => {
  const commit = await headCommit();
  await runOk('git', ['clone', '--quiet', '--no-hardlinks', REPO_ROOT, into], tmpdir());
  await runOk('git', ['checkout', '--quiet', '--detach', commit], into);
  return commit;
};

export const tempDir = (label: string): Promise<string> => mkdtemp(join(tmpdir(), `${PACKAGE}-${label}-`));

export const removeDir = (dir: string | undefined): Promise<void> =>
  dir === undefined ? Promise.resolve() : rm(dir, { recursive: true, force: true });

/** `npm warn …` lines of an npm command's stderr. */
export const npmWarnings = (stderr: string): string[] =>
  stderr.split('\n').filter((line) => line.startsWith('npm warn'));
