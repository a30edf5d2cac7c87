import { createHash } from 'node:crypto';
import { open, readFile, rename } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';
import { STATE_COMPACT_BYTES } from '../constants';
import type { Position } from '../lines';
import { START } from '../lines';

/*
 * `send --state FILE`: durable progress, so that the very same command, run again after any stop
 * (Ctrl-C, SIGTERM, SIGKILL, power loss), sends only what was not done.
 *
 * The file is text, one record per line, each ending with its CRC-32:
 *   H {header JSON} crc          which input and which command the progress belongs to
 *   C {checkpoint JSON} crc      the lines done so far, as ranges, and the counts
 *   s 42 8812 crc                line 42 is done (s sent, n nothing to send, b blank), its bytes end at offset 8812
 *   f 43 9020 1200 340 crc       line 43 went to --failed-out (m malformed, u untranslatable, f failed), which
 *                                then held 1200 bytes, and its reasons file 340
 * Records are appended and fsync'ed in groups; a line's concurrency slot is only freed once its
 * record is durable, so at most --concurrency lines can be done without the file knowing it. A
 * record cut short by a crash fails its CRC: it and what follows are ignored (they were never
 * acknowledged). On every start and every STATE_COMPACT_BYTES the file is rewritten as H + C
 * through a temporary file, fsync and rename, so it never grows with the input.
 */

const FORMAT = 'rudderstack-kissmetrics send state';
const VERSION = 1;

/** What a progress record says about a line; the last three only exist with `--failed-out`. */
export type DoneKind = 'sent' | 'nothing' | 'blank' | 'malformed' | 'untranslatable' | 'failed';

const LETTERS: Record<DoneKind, string> = {
  sent: 's',
  nothing: 'n',
  blank: 'b',
  malformed: 'm',
  untranslatable: 'u',
  failed: 'f',
};
const KINDS = new Map(Object.entries(LETTERS).map(([kind, letter]) => [letter, kind as DoneKind]));

/** Which input and which command a state belongs to. Never holds a secret: the API key only as a hash. */
export interface StateIdentity {
  input: {
    /** Absolute path of the input file; null for stdin. */
    path: string | null;
    /** SHA-256 (hex) of the first `fingerprintBytes` bytes of the input. */
    fingerprint: string;
    fingerprintBytes: number;
  };
  command: {
    endpoint: string;
    /** First 16 hex digits of the SHA-256 of the API key: tells keys apart, reveals nothing. */
    apiKeyHash: string;
    prefixProperties: boolean;
    /** Absolute path of --failed-out, or null. */
    failedOut: string | null;
  };
}

export const apiKeyHash = (apiKey: string): string => createHash('sha256').update(apiKey).digest('hex').slice(0, 16);

export const fingerprintOf = (head: Buffer): StateIdentity['input']['fingerprint'] =>
  createHash('sha256').update(head).digest('hex');

/** Lines done, as sorted, disjoint ranges `[first, last, end]`; `end` is the input offset just past `last`. */
export class DoneLines {
  constructor(private readonly ranges: [number, number, number][] = []) {}

  /** The index of the first range whose `last` is at least `line` (ranges.length when none). */
  private search(line: number): number {
    let low = 0;
    let high = this.ranges.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.ranges[mid]?.[1] ?? 0) < line) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  has(line: number): boolean {
    const range = this.ranges[this.search(line)];
    return range !== undefined && range[0] <= line;
  }

  add(line: number, end: number): void {
    const i = this.search(line);
    const next = this.ranges[i];
    if (next && next[0] <= line) return;
    const before = this.ranges[i - 1];
    const joinsBefore = before?.[1] === line - 1;
    const joinsNext = next?.[0] === line + 1;
    if (before && next && joinsBefore && joinsNext) {
      before[1] = next[1];
      before[2] = next[2];
      this.ranges.splice(i, 1);
    } else if (before && joinsBefore) {
      before[1] = line;
      before[2] = end;
    } else if (next && joinsNext) {
      next[0] = line;
    } else {
      this.ranges.splice(i, 0, [line, line, end]);
    }
  }

  /** The first line not done and where it starts: where a resumed run reads from. */
  firstGap(): Position {
    const first = this.ranges[0];
    return first?.[0] === 1 ? { line: first[1] + 1, offset: first[2] } : START;
  }

  /** The number of lines done. */
  get size(): number {
    return this.ranges.reduce((sum, [first, last]) => sum + last - first + 1, 0);
  }

  toJSON(): [number, number, number][] {
    return this.ranges.map((range) => [...range]);
  }
}

/** Lines of earlier runs, by outcome; blank lines are not counted. */
export interface DoneCounts {
  sent: number;
  nothingToSend: number;
  malformed: number;
  untranslatable: number;
  failed: number;
}

const noCounts = (): DoneCounts => ({ sent: 0, nothingToSend: 0, malformed: 0, untranslatable: 0, failed: 0 });

const COUNTED: Partial<Record<DoneKind, keyof DoneCounts>> = {
  sent: 'sent',
  nothing: 'nothingToSend',
  malformed: 'malformed',
  untranslatable: 'untranslatable',
  failed: 'failed',
};

/** Everything a state file says: what is done, the counts, and the sizes --failed-out and its reasons had. */
export interface Progress {
  done: DoneLines;
  counts: DoneCounts;
  failedOutBytes: number;
  reasonsBytes: number;
}

export const emptyProgress = (): Progress => ({
  done: new DoneLines(),
  counts: noCounts(),
  failedOutBytes: 0,
  reasonsBytes: 0,
});

/** One line done; `failedOutBytes` and `reasonsBytes` (the files' sizes after its record) when it went there. */
export interface DoneRecord {
  kind: DoneKind;
  line: number;
  end: number;
  failedOutBytes?: number;
  reasonsBytes?: number;
}

const apply = (progress: Progress, record: DoneRecord): void => {
  if (progress.done.has(record.line)) return;
  progress.done.add(record.line, record.end);
  const counted = COUNTED[record.kind];
  if (counted) progress.counts[counted]++;
  // Sizes only grow within a run, and records are committed in the order the lines were written.
  if (record.failedOutBytes !== undefined)
    progress.failedOutBytes = Math.max(progress.failedOutBytes, record.failedOutBytes);
  if (record.reasonsBytes !== undefined) progress.reasonsBytes = Math.max(progress.reasonsBytes, record.reasonsBytes);
};

const checksum = (body: string): string => crc32(body).toString(16).padStart(8, '0');
const line = (body: string): string => `${body} ${checksum(body)}\n`;

const recordLine = (r: DoneRecord): string =>
  line(
    [
      LETTERS[r.kind],
      r.line,
      r.end,
      ...(r.failedOutBytes === undefined ? [] : [r.failedOutBytes, r.reasonsBytes ?? 0]),
    ].join(' '),
  );

const snapshotText = (identity: StateIdentity, progress: Progress): string =>
  line(`H ${JSON.stringify({ format: FORMAT, version: VERSION, ...identity })}`) +
  line(
    `C ${JSON.stringify({
      done: progress.done.toJSON(),
      counts: progress.counts,
      failedOutBytes: progress.failedOutBytes,
      reasonsBytes: progress.reasonsBytes,
    })}`,
  );

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

const identityOf = (value: unknown): StateIdentity | undefined => {
  if (!isObject(value) || value.format !== FORMAT || value.version !== VERSION) return undefined;
  const { input, command } = value;
  if (!isObject(input) || !isObject(command)) return undefined;
  const okInput =
    (input.path === null || typeof input.path === 'string') &&
    typeof input.fingerprint === 'string' &&
    isCount(input.fingerprintBytes);
  const okCommand =
    typeof command.endpoint === 'string' &&
    typeof command.apiKeyHash === 'string' &&
    typeof command.prefixProperties === 'boolean' &&
    (command.failedOut === null || typeof command.failedOut === 'string');
  return okInput && okCommand ? (value as unknown as StateIdentity) : undefined;
};

const progressOf = (value: unknown): Progress | undefined => {
  if (!isObject(value) || !Array.isArray(value.done) || !isObject(value.counts)) return undefined;
  const counts = noCounts();
  for (const key of Object.keys(counts) as (keyof DoneCounts)[]) {
    const n = value.counts[key];
    if (!isCount(n)) return undefined;
    counts[key] = n;
  }
  const ranges: [number, number, number][] = [];
  for (const range of value.done as unknown[]) {
    if (!Array.isArray(range) || range.length !== 3 || !range.every(isCount)) return undefined;
    const [first, last, end] = range as [number, number, number];
    const previous = ranges[ranges.length - 1];
    if (first < 1 || last < first || (previous && first <= previous[1] + 1)) return undefined;
    ranges.push([first, last, end]);
  }
  if (!isCount(value.failedOutBytes) || !isCount(value.reasonsBytes)) return undefined;
  return {
    done: new DoneLines(ranges),
    counts,
    failedOutBytes: value.failedOutBytes,
    reasonsBytes: value.reasonsBytes,
  };
};

/** The body of a record line whose CRC matches; undefined for a torn or damaged one. */
const checkedBody = (text: string): string | undefined => {
  const space = text.lastIndexOf(' ');
  const body = text.slice(0, space);
  return space > 0 && checksum(body) === text.slice(space + 1) ? body : undefined;
};

const doneRecordOf = (body: string): DoneRecord | undefined => {
  const [letter = '', ...numbers] = body.split(' ');
  const kind = KINDS.get(letter);
  const values = numbers.map(Number);
  if (!kind || !values.every(isCount) || (values.length !== 2 && values.length !== 4)) return undefined;
  const [lineNumber = 0, end = 0, failedOutBytes, reasonsBytes] = values;
  return {
    kind,
    line: lineNumber,
    end,
    ...(failedOutBytes === undefined ? {} : { failedOutBytes, reasonsBytes: reasonsBytes ?? 0 }),
  };
};

export type ParsedState = { ok: true; identity: StateIdentity; progress: Progress } | { ok: false; reason: string };

/**
 * Reads a state file's text. The header and the checkpoint must be intact (they are written
 * whole, then renamed into place); progress records are read up to the first that is torn.
 */
export const parseState = (text: string): ParsedState => {
  const lines = text.split('\n');
  const header = checkedBody(lines[0] ?? '');
  const identity = header?.startsWith('H ') ? identityOf(safeJson(header.slice(2))) : undefined;
  if (!identity) return { ok: false, reason: 'it is not a send --state file (its first line is not a valid header)' };
  const checkpoint = checkedBody(lines[1] ?? '');
  const progress = checkpoint?.startsWith('C ') ? progressOf(safeJson(checkpoint.slice(2))) : undefined;
  if (!progress) return { ok: false, reason: 'its checkpoint (second line) is damaged' };
  for (const text of lines.slice(2)) {
    const body = checkedBody(text);
    const record = body === undefined ? undefined : doneRecordOf(body);
    // A crash can cut the last group of records; nothing after a bad record was acknowledged.
    if (!record) break;
    apply(progress, record);
  }
  return { ok: true, identity, progress };
};

const safeJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

export const readState = async (path: string): Promise<ParsedState | undefined> => {
  const text = await readFile(path, 'utf8').catch((error: unknown) => {
    if (isObject(error) && error.code === 'ENOENT') return undefined;
    throw error;
  });
  return text === undefined || text === '' ? undefined : parseState(text);
};

/**
 * How a state of another run differs from this one, in words; empty when it is this run's. `head`
 * is the first bytes of this run's input: a file shorter than FINGERPRINT_BYTES may have grown.
 */
export const mismatches = (saved: StateIdentity, current: StateIdentity, head: Buffer): string[] => {
  const out: string[] = [];
  const s = saved.input;
  const c = current.input;
  if (s.path !== c.path) out.push(`its input is ${s.path ?? 'stdin'}, this run reads ${c.path ?? 'stdin'}`);
  else if (head.length < s.fingerprintBytes || fingerprintOf(head.subarray(0, s.fingerprintBytes)) !== s.fingerprint)
    out.push(`the first ${s.fingerprintBytes} bytes of the input are not those it was started with`);
  if (saved.command.endpoint !== current.command.endpoint)
    out.push(`it sent to ${saved.command.endpoint}, this run sends to ${current.command.endpoint}`);
  if (saved.command.apiKeyHash !== current.command.apiKeyHash) out.push('it used another API key');
  if (saved.command.prefixProperties !== current.command.prefixProperties)
    out.push(`it ran ${saved.command.prefixProperties ? 'with' : 'without'} --prefix-properties`);
  if (saved.command.failedOut !== current.command.failedOut)
    out.push(
      `it wrote undelivered lines to ${saved.command.failedOut ?? 'no --failed-out'}, ` +
        `this run to ${current.command.failedOut ?? 'no --failed-out'}`,
    );
  return out;
};

const writeAll = async (file: FileHandle, text: string): Promise<void> => {
  const buffer = Buffer.from(text);
  for (let offset = 0; offset < buffer.length;) {
    const { bytesWritten } = await file.write(buffer, offset, buffer.length - offset);
    offset += bytesWritten;
  }
};

/** fsync of a directory, so that a rename in it survives a power loss. */
export const syncDirectory = async (path: string): Promise<void> => {
  const directory = await open(dirname(path), 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
};

/** Writes `text` as the whole content of `path` atomically: a temporary file, fsync, rename, fsync of the directory. */
const replaceFile = async (path: string, text: string): Promise<void> => {
  const temporary = `${path}.${process.pid}.tmp`;
  const file = await open(temporary, 'w');
  try {
    await writeAll(file, text);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temporary, path);
  await syncDirectory(path);
};

interface Pending {
  text: string;
  record: DoneRecord;
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * The open state file. `commit` resolves once the record is on disk (group commit: records that
 * arrive while a write is under way go out together with the next fsync). `beforeSync` runs
 * before each group is written: it makes the --failed-out lines that the records count durable
 * first. After a write error every commit rejects with it.
 */
export class StateJournal {
  private queue: Pending[] = [];
  /** The flush under way, if any: `close` waits for it. */
  private flushing: Promise<void> | undefined;
  private error: Error | undefined;
  private appendedBytes = 0;

  private constructor(
    private readonly path: string,
    private readonly identity: StateIdentity,
    private file: FileHandle,
    /** What is durable: only records whose fsync has returned. */
    readonly progress: Progress,
    private readonly beforeSync: () => Promise<void>,
  ) {}

  /** Writes `progress` as a fresh checkpoint (dropping a torn tail) and opens the file for records. */
  static async start(
    path: string,
    identity: StateIdentity,
    progress: Progress,
    beforeSync: () => Promise<void>,
  ): Promise<StateJournal> {
    await replaceFile(path, snapshotText(identity, progress));
    const file = await open(path, 'a');
    return new StateJournal(path, identity, file, progress, beforeSync);
  }

  commit(record: DoneRecord): Promise<void> {
    if (this.error !== undefined) return Promise.reject(this.error);
    return new Promise((resolve, reject) => {
      this.queue.push({ text: recordLine(record), record, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    this.flushing ??= this.flush().finally(() => {
      this.flushing = undefined;
      // A record that arrived as the last group finished has not been written yet.
      if (this.queue.length && this.error === undefined) this.kick();
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length && this.error === undefined) {
      const group = this.queue;
      this.queue = [];
      try {
        await this.beforeSync();
        const text = group.map((p) => p.text).join('');
        await writeAll(this.file, text);
        await this.file.datasync();
        this.appendedBytes += text.length;
        for (const p of group) apply(this.progress, p.record);
        if (this.appendedBytes >= STATE_COMPACT_BYTES) await this.compact();
        for (const p of group) p.resolve();
      } catch (error) {
        this.error = error instanceof Error ? error : new Error(String(error));
        for (const p of [...group, ...this.queue]) p.reject(this.error);
        this.queue = [];
      }
    }
  }

  /** Rewrites the file as one checkpoint: its size stays bounded by the gaps, not by the input. */
  private async compact(): Promise<void> {
    await replaceFile(this.path, snapshotText(this.identity, this.progress));
    const previous = this.file;
    this.file = await open(this.path, 'a');
    this.appendedBytes = 0;
    await previous.close();
  }

  /** Waits for the records already committed, then closes the file. */
  async close(): Promise<void> {
    while (this.flushing) await this.flushing;
    await this.file.close();
  }
}
