import { basename, isAbsolute, relative } from 'node:path';
import { COMMAND_NAME } from './constants';

/** How this process was started: the real path of the running script, `process.argv[1]`, the folder. */
export interface Launch {
  /** The script, symlinks resolved (a bin link in node_modules/.bin resolves into the package). */
  modulePath: string;
  /** The script as it was started: a bin link on PATH keeps its own name here. */
  argv1: string | undefined;
  cwd: string;
}

const inNodeModules = (path: string): boolean => path.split(/[\\/]/).includes('node_modules');

/**
 * What runs this command again when pasted into a shell in the folder it was started in:
 * `npx rudderstack-kissmetrics` for a package in node_modules (a local install, npx's cache, a
 * global install: npx finds all three), `rudderstack-kissmetrics` for a bin linked onto PATH
 * (`npm link`), and `node <script>` for a checkout run by path.
 */
export const commandPrefix = (launch: Launch): string[] => {
  if (inNodeModules(launch.modulePath) || (launch.argv1 !== undefined && inNodeModules(launch.argv1)))
    return ['npx', COMMAND_NAME];
  if (launch.argv1 !== undefined && basename(launch.argv1) === COMMAND_NAME) return [COMMAND_NAME];
  const script = launch.argv1 ?? launch.modulePath;
  const near = relative(launch.cwd, script);
  return ['node', near !== '' && !near.startsWith('..') && !isAbsolute(near) ? near : script];
};
