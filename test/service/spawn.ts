import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';

/** A Node child process whose output the test reads as it comes. */
export interface Child {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the first stdout match of `pattern`; rejects if the process ends first. */
  waitFor: (pattern: RegExp) => Promise<RegExpMatchArray>;
  /** Resolves once `check(stdout)` holds; rejects if the process ends first. */
  waitUntil: (check: (stdout: string) => boolean) => Promise<void>;
  exited: Promise<number | null>;
}

const children: ChildProcessWithoutNullStreams[] = [];

/** Runs `node <args>`, with `env` added to this process's environment (`undefined` removes a variable). */
export const spawnNode = (args: string[], env: Record<string, string | undefined> = {}): Child => {
  const merged: NodeJS.ProcessEnv = { ...process.env, ...env };
  const childEnv = Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined));
  const child = spawn(process.execPath, args, { env: childEnv });
  children.push(child);
  let out = '';
  let err = '';
  const waiters: (() => void)[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    for (const check of waiters) check();
  });
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.on('exit', done));
  const waitFor = (pattern: RegExp): Promise<RegExpMatchArray> =>
    new Promise((found, fail) => {
      const check = (): void => {
        const match = out.match(pattern);
        if (match) found(match);
      };
      waiters.push(check);
      check();
      void exited.then((code) => {
        fail(new Error(`exited (${code}) before printing ${pattern}; stdout: ${out}; stderr: ${err}`));
      });
    });
  const waitUntil = (check: (stdout: string) => boolean): Promise<void> =>
    new Promise((found, fail) => {
      const test = (): void => {
        if (check(out)) found();
      };
      waiters.push(test);
      test();
      void exited.then((code) => {
        if (!check(out)) fail(new Error(`exited (${code}) before its output was as expected; stdout: ${out}`));
      });
    });
  return { child, stdout: () => out, stderr: () => err, waitFor, waitUntil, exited };
};

/** Ends every child a test left running (by its own handle, never by name). */
export const killChildren = (): void => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
};
