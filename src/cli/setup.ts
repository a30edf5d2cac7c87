import type { Stats } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_TRACKING_HOST } from '../cloud/constants';
import { MAX_STATE_BYTES, REASONS_SUFFIX } from './constants';
import { FailedOut, LineFile } from './failedOut';
import { UsageError, sameFile, statOrNothing } from './files';
import type { FileId, Input } from './files';
import { reasonOf } from './lines';
import { StateJournal, apiKeyHash, emptyProgress, fingerprintOf, mismatches, readState, syncDirectory } from './state';
import type { Progress, StateIdentity } from './state';

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

/** Checks, then opens --failed-out (and its reasons file) and --state. Throws a UsageError (exit 2) for any problem. */
export const openSendFiles = async (input: Input, files: SendFiles): Promise<Opened> => {
  const failedOutPath = files.failedOut;
  const failedOutInfo = failedOutPath === undefined ? undefined : await statOrNothing(failedOutPath);
  // A reasons file only next to a regular file: not next to /dev/stdout or a named pipe.
  const reasonsPath =
    failedOutPath !== undefined && (!failedOutInfo || failedOutInfo.isFile())
      ? failedOutPath + REASONS_SUFFIX
      : undefined;
  const reasonsInfo = reasonsPath === undefined ? undefined : await statOrNothing(reasonsPath);
  const statePath = files.state;
  const stateInfo = statePath === undefined ? undefined : await statOrNothing(statePath);

  if (failedOutPath !== undefined) refuseClashes('--failed-out', failedOutPath, failedOutInfo, input, []);
  if (reasonsPath !== undefined)
    refuseClashes('the reasons file', reasonsPath, reasonsInfo, input, [['--failed-out', failedOutInfo]]);
  if (statePath !== undefined)
    refuseClashes('--state', statePath, stateInfo, input, [
      ['--failed-out', failedOutInfo],
      ['the reasons file', reasonsInfo],
    ]);

  // A state is rewritten by rename and read whole: only a regular file of a state's size will do.
  if (statePath !== undefined && stateInfo && !stateInfo.isFile())
    throw new UsageError(`--state ${statePath} is not a regular file: give the name of a file`);
  if (statePath !== undefined && stateInfo && stateInfo.size > MAX_STATE_BYTES)
    throw new UsageError(
      `--state ${statePath} holds ${stateInfo.size} bytes, more than a state file can: is it the right file?`,
    );

  let resumed: { identity: StateIdentity; progress: Progress } | undefined;
  let identity: StateIdentity | undefined;
  let head: Buffer | undefined;
  if (statePath !== undefined) {
    head = await input.head();
    identity = {
      input: { path: input.path ?? null, fingerprint: fingerprintOf(head), fingerprintBytes: head.length },
      command: {
        endpoint: files.endpoint ?? DEFAULT_TRACKING_HOST,
        apiKeyHash: apiKeyHash(files.apiKey),
        prefixProperties: files.prefixProperties,
        failedOut: failedOutPath === undefined ? null : resolve(failedOutPath),
      },
    };
    const saved = await readState(statePath).catch((error: unknown) => {
      throw new UsageError(`cannot read --state ${statePath}: ${reasonOf(error)}`);
    });
    if (saved && !saved.ok)
      throw new UsageError(`--state ${statePath}: ${saved.reason}; give another file, or remove it to start over`);
    if (saved?.ok) {
      const differences = mismatches(saved.identity, identity, head);
      if (differences.length)
        throw new UsageError(
          `--state ${statePath} belongs to another run: ${differences.join('; ')}. ` +
            `Give this run another --state file, or remove ${statePath} to start over.`,
        );
      resumed = saved;
    }
  }

  if (resumed) {
    // This run's own files: what follows the recorded sizes was written after the last durable record.
    if (failedOutPath !== undefined && failedOutInfo?.isFile() !== false)
      refuseShrunk(failedOutPath, failedOutInfo, resumed.progress.failedOutBytes, statePath ?? '');
    if (reasonsPath !== undefined)
      refuseShrunk(reasonsPath, reasonsInfo, resumed.progress.reasonsBytes, statePath ?? '');
  } else if (!files.appendFailedOut) {
    if (failedOutPath !== undefined) refuseOverwrite('--failed-out', failedOutPath, failedOutInfo);
    if (reasonsPath !== undefined) refuseOverwrite('the reasons file', reasonsPath, reasonsInfo);
  }

  let failedOut: FailedOut | undefined;
  if (failedOutPath !== undefined) {
    const lines = await openLines(failedOutPath, resumed?.progress.failedOutBytes);
    const reasons =
      reasonsPath === undefined ? undefined : await openLines(reasonsPath, resumed?.progress.reasonsBytes);
    failedOut = new FailedOut(lines, reasons);
  }

  let state: StateJournal | undefined;
  if (statePath !== undefined && identity) {
    const progress = resumed?.progress ?? emptyProgress();
    // A fresh state owns what --failed-out already held (--append-failed-out): never cut below it.
    if (!resumed && failedOut) {
      progress.failedOutBytes = failedOut.lines.size;
      progress.reasonsBytes = failedOut.reasons?.size ?? 0;
    }
    const sync = failedOut ? () => failedOut.sync() : () => Promise.resolve();
    try {
      // A --failed-out created just now must survive a power loss as surely as the records that count its lines.
      if (failedOutPath !== undefined && !failedOutInfo) await syncDirectory(failedOutPath);
      state = await StateJournal.start(statePath, identity, progress, sync);
    } catch (error) {
      await failedOut?.close();
      throw new UsageError(`cannot write --state ${statePath}: ${reasonOf(error)}`);
    }
  }
  return { ...(failedOut ? { failedOut } : {}), ...(state ? { state } : {}) };
};
