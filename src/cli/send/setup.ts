import type { Stats } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_TRACKING_HOST } from '../../cloud/constants';
import { MAX_STATE_BYTES, REASONS_SUFFIX } from '../constants';
import { FailedOut, LineFile } from './failedOut';
import { UsageError, sameFile, statOrNothing } from '../files';
import type { FileId, Input } from '../files';
import { reasonOf } from '../lines';
import {
  StateJournal,
  apiKeyHash,
  emptyProgress,
  fingerprintOf,
  mismatches,
  readState,
  syncDirectory,
} from './journal';
import type { Progress, StateIdentity } from './journal';

/*
 * Everything `send` writes is checked before anything is opened for writing: a --failed-out or
 * --state that is the input (by device and inode, whatever the spelling, symlink or hard link), an
 * existing --failed-out that would be overwritten, a --state of another run.
 */

export interface SendFiles {
  failedOut?: string;
  appendFailedOut: boolean;
  state?: string;
  apiKey: string;
  endpoint?: string;
  prefixProperties: boolean;
}

export interface Opened {
  failedOut?: FailedOut;
  state?: StateJournal;
}

const idOf = (info: Stats | undefined): FileId | undefined => (info ? { dev: info.dev, ino: info.ino } : undefined);

const inputName = (input: Input): string =>
  input.path === undefined ? 'the input (stdin)' : `the input ${input.name}`;

/** Refuses `path` when it is the input, a directory, or (for `other`) another file of this run. */
const refuseClashes = (
  option: string,
  path: string,
  info: Stats | undefined,
  input: Input,
  others: [string, Stats | undefined][],
): void => {
  if (!info) return;
  if (info.isDirectory()) throw new UsageError(`${option} ${path} is a directory: give a file name`);
  if (sameFile(idOf(info), input.id))
    throw new UsageError(
      `${option} ${path} is ${inputName(input)} (same file): writing to it would destroy the input; give another file name`,
    );
  for (const [name, other] of others)
    if (sameFile(idOf(info), idOf(other)))
      throw new UsageError(`${option} and ${name} are the same file: give each its own`);
};

/** An existing, non-empty regular file that a fresh run must not write over. */
const refuseOverwrite = (option: string, path: string, info: Stats | undefined): void => {
  if (info?.isFile() && info.size > 0)
    throw new UsageError(
      `${option} ${path} already holds ${info.size} bytes: give another file name, remove it, ` +
        'or add --append-failed-out to add to it',
    );
};

/** The files of a resumed run must still hold at least what its state recorded. */
const refuseShrunk = (path: string, info: Stats | undefined, recorded: number, statePath: string): void => {
  const size = info?.isFile() ? info.size : 0;
  if (size < recorded)
    throw new UsageError(
      `${path} holds ${size} bytes, fewer than the ${recorded} that --state ${statePath} recorded: ` +
        'it was changed since; restore it, or remove the state file to start over',
    );
};

const openLines = async (path: string, truncateTo?: number): Promise<LineFile> => {
  try {
    return await LineFile.open(path, truncateTo);
  } catch (error) {
    throw new UsageError(`cannot write ${path}: ${reasonOf(error)}`);
  }
};

/** Where each file of the run is, and what is there now. */
interface Paths {
  failedOut?: string;
  failedOutInfo?: Stats;
  /** The reasons file: only next to a regular --failed-out, not next to /dev/stdout or a named pipe. */
  reasons?: string;
  reasonsInfo?: Stats;
  state?: string;
  stateInfo?: Stats;
}

const statOf = async (path: string | undefined): Promise<Stats | undefined> =>
  path === undefined ? undefined : await statOrNothing(path);

const pathsOf = async (files: SendFiles): Promise<Paths> => {
  const failedOutInfo = await statOf(files.failedOut);
  const reasons =
    files.failedOut !== undefined && (!failedOutInfo || failedOutInfo.isFile())
      ? files.failedOut + REASONS_SUFFIX
      : undefined;
  return {
    ...(files.failedOut === undefined ? {} : { failedOut: files.failedOut }),
    ...(failedOutInfo ? { failedOutInfo } : {}),
    ...(reasons === undefined ? {} : { reasons }),
    ...(reasons === undefined ? {} : await statOf(reasons).then((info) => (info ? { reasonsInfo: info } : {}))),
    ...(files.state === undefined ? {} : { state: files.state }),
    ...(await statOf(files.state).then((info) => (info ? { stateInfo: info } : {}))),
  };
};

/** Refuses files that are the input or each other, and a --state that cannot be a state. */
const refuseClashingFiles = (paths: Paths, input: Input): void => {
  const { failedOut, reasons, state, stateInfo } = paths;
  if (failedOut !== undefined) refuseClashes('--failed-out', failedOut, paths.failedOutInfo, input, []);
  if (reasons !== undefined)
    refuseClashes('the reasons file', reasons, paths.reasonsInfo, input, [['--failed-out', paths.failedOutInfo]]);
  if (state === undefined) return;
  refuseClashes('--state', state, stateInfo, input, [
    ['--failed-out', paths.failedOutInfo],
    ['the reasons file', paths.reasonsInfo],
  ]);
  // A state is rewritten by rename and read whole: only a regular file of a state's size will do.
  if (stateInfo && !stateInfo.isFile())
    throw new UsageError(`--state ${state} is not a regular file: give the name of a file`);
  if (stateInfo && stateInfo.size > MAX_STATE_BYTES)
    throw new UsageError(
      `--state ${state} holds ${stateInfo.size} bytes, more than a state file can: is it the right file?`,
    );
};

interface Resume {
  identity: StateIdentity;
  /** What an earlier run with this --state did, when there was one. */
  resumed?: { identity: StateIdentity; progress: Progress };
}

/** This run's identity, and the state of the earlier run it continues; refuses a state of another run. */
const resumeOf = async (input: Input, files: SendFiles, statePath: string): Promise<Resume> => {
  const head = await input.head();
  const identity: StateIdentity = {
    input: { path: input.path ?? null, fingerprint: fingerprintOf(head), fingerprintBytes: head.length },
    command: {
      endpoint: files.endpoint ?? DEFAULT_TRACKING_HOST,
      apiKeyHash: apiKeyHash(files.apiKey),
      prefixProperties: files.prefixProperties,
      failedOut: files.failedOut === undefined ? null : resolve(files.failedOut),
    },
  };
  const saved = await readState(statePath).catch((error: unknown) => {
    throw new UsageError(`cannot read --state ${statePath}: ${reasonOf(error)}`);
  });
  if (saved && !saved.ok)
    throw new UsageError(`--state ${statePath}: ${saved.reason}; give another file, or remove it to start over`);
  if (!saved) return { identity };
  const differences = mismatches(saved.identity, identity, head);
  if (differences.length)
    throw new UsageError(
      `--state ${statePath} belongs to another run: ${differences.join('; ')}. ` +
        `Give this run another --state file, or remove ${statePath} to start over.`,
    );
  return { identity, resumed: saved };
};

/** A resumed run's files must still hold what its state recorded; a fresh run's must be empty unless appended to. */
const refuseOwnFiles = (paths: Paths, resume: Resume | undefined, append: boolean): void => {
  const { failedOut, reasons } = paths;
  const progress = resume?.resumed?.progress;
  if (progress) {
    // This run's own files: what follows the recorded sizes was written after the last durable record.
    if (failedOut !== undefined && paths.failedOutInfo?.isFile() !== false)
      refuseShrunk(failedOut, paths.failedOutInfo, progress.failedOutBytes, paths.state ?? '');
    if (reasons !== undefined) refuseShrunk(reasons, paths.reasonsInfo, progress.reasonsBytes, paths.state ?? '');
  } else if (!append) {
    if (failedOut !== undefined) refuseOverwrite('--failed-out', failedOut, paths.failedOutInfo);
    if (reasons !== undefined) refuseOverwrite('the reasons file', reasons, paths.reasonsInfo);
  }
};

const openFailedOut = async (paths: Paths, progress: Progress | undefined): Promise<FailedOut | undefined> => {
  if (paths.failedOut === undefined) return undefined;
  const lines = await openLines(paths.failedOut, progress?.failedOutBytes);
  const reasons = paths.reasons === undefined ? undefined : await openLines(paths.reasons, progress?.reasonsBytes);
  return new FailedOut(lines, reasons);
};

const startJournal = async (
  paths: Paths & { state: string },
  resume: Resume,
  failedOut: FailedOut | undefined,
): Promise<StateJournal> => {
  const progress = resume.resumed?.progress ?? emptyProgress();
  // A fresh state owns what --failed-out already held (--append-failed-out): never cut below it.
  if (!resume.resumed && failedOut) {
    progress.failedOutBytes = failedOut.lines.size;
    progress.reasonsBytes = failedOut.reasons?.size ?? 0;
  }
  const sync = failedOut ? () => failedOut.sync() : () => Promise.resolve();
  try {
    // A --failed-out created just now must survive a power loss as surely as the records that count its lines.
    if (paths.failedOut !== undefined && !paths.failedOutInfo) await syncDirectory(paths.failedOut);
    return await StateJournal.start(paths.state, resume.identity, progress, sync);
  } catch (error) {
    await failedOut?.close();
    throw new UsageError(`cannot write --state ${paths.state}: ${reasonOf(error)}`);
  }
};

/** Checks, then opens --failed-out (and its reasons file) and --state. Throws a UsageError (exit 2) for any problem. */
export const openSendFiles = async (input: Input, files: SendFiles): Promise<Opened> => {
  const paths = await pathsOf(files);
  refuseClashingFiles(paths, input);
  const { state } = paths;
  const resume = state === undefined ? undefined : await resumeOf(input, files, state);
  refuseOwnFiles(paths, resume, files.appendFailedOut);
  const failedOut = await openFailedOut(paths, resume?.resumed?.progress);
  const journal =
    state === undefined || !resume ? undefined : await startJournal({ ...paths, state }, resume, failedOut);
  return { ...(failedOut ? { failedOut } : {}), ...(journal ? { state: journal } : {}) };
};
