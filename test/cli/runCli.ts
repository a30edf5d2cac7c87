import { startTracker } from '../cloud/fakeTracker';
import type { FakeTracker, Plan } from '../cloud/fakeTracker';
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams, StdioOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The built command, as `npx rudderstack-kissmetrics` runs it (`npm test` builds it first). */
// `CLI_UNDER_TEST` points the suites at another build (to see a test fail on an older one).
export const CLI = process.env.CLI_UNDER_TEST ?? resolve(__dirname, '../../dist/cli.mjs');
export const KEY = 'b'.repeat(40);

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Text for stdin, or a file descriptor to hand over as stdin (`< file`). */
  stdin?: string | Buffer | number;
  env?: Record<string, string>;
  cwd?: string;
}

const environment = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const env = { ...process.env, ...extra };
  if (!('KISSMETRICS_API_KEY' in extra)) delete env.KISSMETRICS_API_KEY;
  return env;
};

/** A running CLI whose output is collected; `exited` settles when it ends. */
export interface Child {
  process: ChildProcessWithoutNullStreams;
  stderr: () => string;
  stdout: () => string;
  exited: Promise<Run>;
}

/** Where the CLI runs unless a test says otherwise: the test file's temporary directory (its journals land there). */
let defaultCwd: string | undefined;

/** Collects a spawned child's output; `exited` settles with it when the child ends. */
const collect = (child: ChildProcessWithoutNullStreams): Child => {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<Run>((done, fail) => {
    child.on('error', fail);
    child.on('close', (code, signal) => {
      done({ code, signal, stdout, stderr });
    });
  });
  return { process: child, stderr: () => stderr, stdout: () => stdout, exited };
};

export const start = (args: string[], options: RunOptions = {}): Child => {
  const stdio: StdioOptions = typeof options.stdin === 'number' ? [options.stdin, 'pipe', 'pipe'] : 'pipe';
  const cwd = options.cwd ?? defaultCwd;
  const child = spawn(process.execPath, [CLI, ...args], {
    env: environment(options.env),
    stdio,
    ...(cwd ? { cwd } : {}),
  }) as ChildProcessWithoutNullStreams;
  const collected = collect(child);
  if (typeof options.stdin !== 'number') {
    // A child killed early closes its stdin: that is not an error of the test.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.stdin ?? '');
  }
  return collected;
};

export const run = (args: string[], options: RunOptions = {}): Promise<Run> => start(args, options).exited;

/** Resolves once `condition` holds, checking every few milliseconds; the test's own timeout bounds it. */
export const until = async (condition: () => boolean): Promise<void> => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
};

export const ndjson = (text: string): unknown[] =>
  text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as unknown);

/** The summary and what follows it on stderr. */
export const summaryOf = (stderr: string): string => stderr.slice(stderr.indexOf('summary:'));

/** A temporary directory per test file, removed after it. */
export const tempDir = (): (() => string) => {
  let dir = '';
  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first (npm test does)`);
    dir = await mkdtemp(join(tmpdir(), 'km-cli-'));
    defaultCwd = dir;
  });
  afterAll(async () => {
    defaultCwd = undefined;
    await rm(dir, { recursive: true, force: true });
  });
  return () => dir;
};

/** Starts fake trackers for the running test, and closes them after it. */
export const useTracker = (): ((plan?: Plan) => Promise<FakeTracker>) => {
  const started: FakeTracker[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((tracker) => tracker.close()));
  });
  return async (plan) => {
    const tracker = await startTracker(plan);
    started.push(tracker);
    return tracker;
  };
};

/** The event time of the test lines. */
export const TIMESTAMP = '2024-03-01T12:00:00.000Z';

/** Line i of a plain input: a track of person u<i>, event E<i>. */
export const trackLine = (i: number): string =>
  JSON.stringify({ type: 'track', event: `E${i}`, userId: `u${i}`, timestamp: TIMESTAMP });

/** The journal a run named on stderr (`journal: NAME records …`). */
export const journalOf = (stderr: string): string => {
  const match = /^journal: (\S+) records every request acknowledged/m.exec(stderr);
  if (!match?.[1]) throw new Error(`no journal named in:\n${stderr}`);
  return match[1];
};

/** The command a run printed after `resume: ` (without `… | ` for stdin). */
export const resumeCommandOf = (stderr: string): string => {
  const match = /^resume: (?:… \| )?(.*)$/m.exec(stderr);
  if (!match?.[1]) throw new Error(`no resume command in:\n${stderr}`);
  return match[1];
};

/** The command a run printed after `replay, once their causes are fixed: `. */
export const replayCommandOf = (stderr: string): string => {
  const match = /^replay, once their causes are fixed: (.*)$/m.exec(stderr);
  if (!match?.[1]) throw new Error(`no replay command in:\n${stderr}`);
  return match[1];
};

/**
 * Starts a printed command through `sh`, as pasted, in `cwd`, with the API key in the environment.
 * `exec` makes the shell become the command: a signal sent to the child reaches the CLI itself.
 */
export const startPrinted = (command: string, cwd: string, stdin = ''): Child => {
  const child = spawn('sh', ['-c', `exec ${command}`], { cwd, env: environment({ KISSMETRICS_API_KEY: KEY }) });
  const collected = collect(child);
  child.stdin.on('error', () => undefined);
  child.stdin.end(stdin);
  return collected;
};

/** Runs a printed command through `sh`, as pasted, in `cwd`, with the API key in the environment. */
export const runPrinted = (command: string, cwd: string, stdin = ''): Promise<Run> =>
  startPrinted(command, cwd, stdin).exited;

/** The files a directory holds, by name. */
export const filesIn = async (dir: string): Promise<string[]> => (await readdir(dir)).sort();
