import type { Naming } from '../../rules/naming';
import type { Stats } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_TRACKING_HOST } from '../../cloud/constants';
import { CHECKSUMS_SUFFIX, MAX_STATE_BYTES, REASONS_SUFFIX } from '../constants';
import { FailedOut, LineFile } from './failedOut';
import { UsageError, sameFile, statOrNothing } from '../files';
import type { FileId, Input } from '../files';
import { reasonOf } from '../lines';
import { DoneLines, apiKeyHash, emptyProgress, mismatches, readState } from './journal';
import type { Progress, StateIdentity } from './journal';
import { CHECKSUM_BYTES, ChecksumFile, StateJournal, syncDirectory } from './journalFile';
import { checksumsMissing, readingElsewhere } from './messages';
import type { Recorded } from './read';

/*
 * Everything `send` writes is checked before anything is opened for writing: a --failed-out or
 * journal that is the input (by device and inode, whatever the spelling, symlink or hard link), an
 * existing --failed-out that would be overwritten, a journal of another command. Every run but a
 * dry run keeps a journal: --state FILE, or one `send` names itself in the current folder.
 */

export interface SendFiles {
  failedOut?: string;
  appendFailedOut: boolean;
  state?: string;
  dryRun: boolean;
  apiKey: string;
  endpoint?: string;
  prefixProperties: boolean;
  naming: Naming;
  /** The name of the journal `send` keeps itself when no --state is given. */
  ownJournal: () => string;
}

export interface OpenJournal {
  journal: StateJournal;
  /** The journal as the person at the terminal names it: --state FILE, or the one `send` chose. */
  path: string;
  /** Kept by `send` itself (no --state): removed once every line is accounted for. */
  own: boolean;
  /** What earlier runs recorded, for the read stage to check and skip; undefined for a new journal. */
  recorded?: Recorded;
}

export interface Opened {
  failedOut?: FailedOut;
  journal?: OpenJournal;
}

/** The journal `send` keeps when none is given: in the current folder, named after the time and the process. */
export const ownJournalName = (now: Date, pid: number): string => {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `send-${stamp}-${pid}.state`;
};

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

/** The files of a resumed run must still hold at least what its journal recorded. */
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
  state: string;
  stateInfo?: Stats;
  checksumsInfo?: Stats;
  /** The journal is the one `send` keeps itself. */
  own: boolean;
}

const statOf = async (path: string | undefined): Promise<Stats | undefined> =>
  path === undefined ? undefined : await statOrNothing(path);

const pathsOf = async (files: SendFiles): Promise<Paths> => {
  const failedOutInfo = await statOf(files.failedOut);
  const reasons =
    files.failedOut !== undefined && (!failedOutInfo || failedOutInfo.isFile())
      ? files.failedOut + REASONS_SUFFIX
      : undefined;
  const state = files.state ?? files.ownJournal();
  const [reasonsInfo, stateInfo, checksumsInfo] = await Promise.all([
    statOf(reasons),
    statOf(state),
    statOf(state + CHECKSUMS_SUFFIX),
  ]);
  if (files.state === undefined && (stateInfo || checksumsInfo))
    throw new UsageError(`${state} is in the way of the journal send keeps: give --state FILE`);
  return {
    ...(files.failedOut === undefined ? {} : { failedOut: files.failedOut }),
    ...(failedOutInfo ? { failedOutInfo } : {}),
    ...(reasons === undefined ? {} : { reasons }),
    ...(reasonsInfo ? { reasonsInfo } : {}),
    state,
    ...(stateInfo ? { stateInfo } : {}),
    ...(checksumsInfo ? { checksumsInfo } : {}),
    own: files.state === undefined,
  };
};

/** Refuses files that are the input or each other, and a journal that cannot be one. */
const refuseClashingFiles = (paths: Paths, input: Input, journal: boolean): void => {
  const { failedOut, reasons, state, stateInfo } = paths;
  if (failedOut !== undefined) refuseClashes('--failed-out', failedOut, paths.failedOutInfo, input, []);
  if (reasons !== undefined)
    refuseClashes('the reasons file', reasons, paths.reasonsInfo, input, [['--failed-out', paths.failedOutInfo]]);
  if (!journal) return;
  const others: [string, Stats | undefined][] = [
    ['--failed-out', paths.failedOutInfo],
    ['the reasons file', paths.reasonsInfo],
  ];
  refuseClashes('--state', state, stateInfo, input, others);
  refuseClashes('its checksums file', state + CHECKSUMS_SUFFIX, paths.checksumsInfo, input, others);
  // A journal is rewritten by rename and read whole: only a regular file of a journal's size will do.
  if (stateInfo && !stateInfo.isFile())
    throw new UsageError(`--state ${state} is not a regular file: give the name of a file`);
  if (stateInfo && stateInfo.size > MAX_STATE_BYTES)
    throw new UsageError(
      `--state ${state} holds ${stateInfo.size} bytes, more than a state file can: is it the right file?`,
    );
};

/** A journal read back: its command, its progress, the checksums of the lines recorded after its checkpoint. */
interface Saved {
  identity: StateIdentity;
  progress: Progress;
  recent: Map<number, number>;
}

interface Resume {
  identity: StateIdentity;
  /** What an earlier run with this journal did, when there was one. */
  saved?: Saved;
}

/** This run's identity, and the journal of the earlier run it continues; refuses a journal of another command. */
const resumeOf = async (input: Input, files: SendFiles, paths: Paths): Promise<Resume> => {
  const statePath = paths.state;
  const identity: StateIdentity = {
    input: { path: input.path ?? null },
    own: paths.own,
    command: {
      endpoint: files.endpoint ?? DEFAULT_TRACKING_HOST,
      apiKeyHash: apiKeyHash(files.apiKey),
      prefixProperties: files.prefixProperties,
      naming: files.naming,
      failedOut: files.failedOut === undefined ? null : resolve(files.failedOut),
    },
  };
  const saved = await readState(statePath).catch((error: unknown) => {
    throw new UsageError(`cannot read --state ${statePath}: ${reasonOf(error)}`);
  });
  if (saved && !saved.ok)
    throw new UsageError(`--state ${statePath}: ${saved.reason}; give another file, or remove it to start over`);
  if (!saved) return { identity };
  // A journal `send` chose itself stays its own when a resume names it with --state.
  identity.own = saved.identity.own;
  const differences = mismatches(saved.identity, identity);
  if (differences.length)
    throw new UsageError(
      `--state ${statePath} belongs to another run: ${differences.join('; ')}. ` +
        `Give this run another --state file, or remove ${statePath} to start over.`,
    );
  return { identity, saved };
};

/** What a resumed journal recorded of --failed-out: only when it was kept with this same file. */
const failedOutProgress = (resume: Resume | undefined): Progress | undefined =>
  resume?.saved?.identity.command.failedOut === null ? undefined : resume?.saved?.progress;

/** A resumed run's files must still hold what its journal recorded; a fresh run's must be empty unless appended to. */
const refuseOwnFiles = (paths: Paths, resume: Resume | undefined, append: boolean): void => {
  const { failedOut, reasons } = paths;
  const progress = failedOutProgress(resume);
  if (progress) {
    // This run's own files: what follows the recorded sizes was written after the last durable record.
    if (failedOut !== undefined && paths.failedOutInfo?.isFile() !== false)
      refuseShrunk(failedOut, paths.failedOutInfo, progress.failedOutBytes, paths.state);
    if (reasons !== undefined) refuseShrunk(reasons, paths.reasonsInfo, progress.reasonsBytes, paths.state);
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

/** How many checksums one read of the checksums file brings in while a resume checks its input. */
const CHECKSUMS_PER_READ = 16 * 1024;

/** The checksums of the lines an earlier run recorded, read in windows as the read stage asks for them in order. */
const checksumReader = (file: ChecksumFile, name: string): ((line: number) => Promise<number>) => {
  let window: { first: number; bytes: Buffer } = { first: 0, bytes: Buffer.alloc(0) };
  return async (line) => {
    const at = (line - window.first) * CHECKSUM_BYTES;
    if (line < window.first || at + CHECKSUM_BYTES > window.bytes.length) {
      const bytes = (await file.read(line, CHECKSUMS_PER_READ)) ?? (await file.read(line, 1));
      if (!bytes) throw checksumsMissing(name);
      window = { first: line, bytes };
      return bytes.readUInt32BE(0);
    }
    return window.bytes.readUInt32BE(at);
  };
};

/** A copy of what the journal recorded before this run: the read stage checks and skips by it, whatever this run adds. */
const snapshot = (progress: Progress): Progress => ({
  ...progress,
  done: new DoneLines(progress.done.toJSON()),
  partial: new Map(progress.partial),
  counts: { ...progress.counts },
});

const startJournal = async (paths: Paths, resume: Resume, failedOut: FailedOut | undefined): Promise<OpenJournal> => {
  const { saved } = resume;
  // Lines a checkpoint sums up have their checksums only in the checksums file: without it, nothing can be checked.
  const summedUp = saved ? saved.progress.done.size + saved.progress.partial.size > saved.recent.size : false;
  if (summedUp && !paths.checksumsInfo) throw checksumsMissing(paths.state);
  const progress = saved?.progress ?? emptyProgress();
  // A journal that did not keep --failed-out owns only what this run writes there: never cut below it.
  if (!failedOutProgress(resume) && failedOut) {
    progress.failedOutBytes = failedOut.lines.size;
    progress.reasonsBytes = failedOut.reasons?.size ?? 0;
  }
  const sync = failedOut ? () => failedOut.sync() : () => Promise.resolve();
  const recorded = saved ? snapshot(progress) : undefined;
  try {
    // A --failed-out created just now must survive a power loss as surely as the records that count its lines.
    if (paths.failedOut !== undefined && !paths.failedOutInfo) await syncDirectory(paths.failedOut);
    const checksums = await ChecksumFile.open(paths.state + CHECKSUMS_SUFFIX, !saved);
    const journal = await StateJournal.start(
      paths.state,
      resume.identity,
      progress,
      saved?.recent ?? new Map<number, number>(),
      sync,
      checksums,
    );
    const elsewhere = readingElsewhere(saved?.identity.input.path ?? null, resume.identity.input.path);
    const view = recorded
      ? {
          recorded: {
            progress: recorded,
            checksum: checksumReader(checksums, paths.state),
            name: paths.state,
            ...(elsewhere ? { elsewhere } : {}),
          },
        }
      : {};
    return { journal, path: paths.state, own: resume.identity.own, ...view };
  } catch (error) {
    await failedOut?.close();
    throw new UsageError(
      paths.own
        ? `cannot keep the journal ${paths.state} in the current folder (${reasonOf(error)}): ` +
            'give --state FILE in a folder you can write to'
        : `cannot write --state ${paths.state}: ${reasonOf(error)}`,
    );
  }
};

/**
 * Checks, then opens --failed-out (and its reasons file) and the journal (--state, or the one
 * `send` keeps; none in a dry run). Throws a UsageError (exit 2) for any problem.
 */
export const openSendFiles = async (input: Input, files: SendFiles): Promise<Opened> => {
  const paths = await pathsOf(files);
  const keeps = !files.dryRun;
  refuseClashingFiles(paths, input, keeps);
  const resume = keeps ? await resumeOf(input, files, paths) : undefined;
  refuseOwnFiles(paths, resume, files.appendFailedOut);
  const failedOut = await openFailedOut(paths, failedOutProgress(resume));
  const journal = resume ? await startJournal(paths, resume, failedOut) : undefined;
  return { ...(failedOut ? { failedOut } : {}), ...(journal ? { journal } : {}) };
};
