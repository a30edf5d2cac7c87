import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import type { Position } from '../lines';
import { START } from '../lines';

/*
 * The journal of `send` (`--state FILE`, or one `send` names on stderr): durable progress, so that
 * the command it prints, run after any stop (Ctrl-C, SIGTERM, SIGKILL, power loss), sends exactly
 * what was not acknowledged.
 *
 * The file is text, one record per line, each ending with its CRC-32:
 *   H {header JSON} crc              which command the progress belongs to
 *   C {checkpoint JSON} crc          lines done (ranges), lines partly sent, the counts
 *   s 42 8812 1a2b3c4d crc           line 42 is done (s sent, n nothing to send, b blank); its bytes end
 *                                    at offset 8812 and their CRC-32 is 1a2b3c4d
 *   f 43 9020 5e6f7a8b 1200 340 crc  line 43 went to --failed-out (m malformed, u untranslatable,
 *                                    f failed), which then held 1200 bytes, and its reasons file 340
 *   p 44 9100 9c0d1e2f 2 crc         line 44 is partly sent: its first 2 requests were acknowledged
 * The CRC-32 of each line binds the journal to the input's content: a resume reads the lines it
 * recorded again and refuses when one changed. Checksums of the lines a checkpoint sums up live in
 * a file next to the journal (journalFile.ts).
 */

export const FORMAT = 'rudderstack-kissmetrics send state';
export const VERSION = 2;

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
const PARTIAL = 'p';

/** Which command a journal belongs to. Never holds a secret: the API key only as a hash. */
export interface StateIdentity {
  /** Where the input was read from when the journal was started; for messages only (the content decides). */
  input: { path: string | null };
  /** `send` chose this journal itself (no --state): it removes it once every line is done, whichever run that is. */
  own: boolean;
  command: {
    endpoint: string;
    /** First 16 hex digits of the SHA-256 of the API key: tells keys apart, reveals nothing. */
    apiKeyHash: string;
    prefixProperties: boolean;
    /** --naming: the names a resume must keep giving the same events. */
    naming: string;
    /** Absolute path of --failed-out, or null. */
    failedOut: string | null;
  };
}

export const apiKeyHash = (apiKey: string): string => createHash('sha256').update(apiKey).digest('hex').slice(0, 16);

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

  /** The last line done and where it ends; line 0 when none is. */
  last(): Position {
    const range = this.ranges[this.ranges.length - 1];
    return range ? { line: range[1], offset: range[2] } : { line: 0, offset: 0 };
  }

  /** The end offset of `line` when it is the last of its range (the only ends a checkpoint keeps). */
  endOf(line: number): number | undefined {
    const range = this.ranges[this.search(line)];
    return range?.[1] === line ? range[2] : undefined;
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

export const noCounts = (): DoneCounts => ({ sent: 0, nothingToSend: 0, malformed: 0, untranslatable: 0, failed: 0 });

const COUNTED: Partial<Record<DoneKind, keyof DoneCounts>> = {
  sent: 'sent',
  nothing: 'nothingToSend',
  malformed: 'malformed',
  untranslatable: 'untranslatable',
  failed: 'failed',
};

/** A line partly sent: where it ends, and how many of its first requests are acknowledged. */
export interface PartLine {
  end: number;
  delivered: number;
}

/** Everything a journal says: what is done or partly sent, the counts, and the sizes of --failed-out and its reasons. */
export interface Progress {
  done: DoneLines;
  partial: Map<number, PartLine>;
  counts: DoneCounts;
  failedOutBytes: number;
  reasonsBytes: number;
}

export const emptyProgress = (): Progress => ({
  done: new DoneLines(),
  partial: new Map(),
  counts: noCounts(),
  failedOutBytes: 0,
  reasonsBytes: 0,
});

/** The last line the journal knows anything about, and where it ends: how far a resume checks the input. */
export const recordedExtent = (progress: Progress): Position => {
  let last = progress.done.last();
  for (const [line, { end }] of progress.partial) if (line > last.line) last = { line, offset: end };
  return last;
};

/** One line done; `failedOutBytes` and `reasonsBytes` (the files' sizes after its record) when it went there. */
export interface DoneRecord {
  kind: DoneKind;
  line: number;
  end: number;
  /** CRC-32 of the line's bytes (without its `\n`). */
  crc: number;
  failedOutBytes?: number;
  reasonsBytes?: number;
}

/** A line partly sent: its first `delivered` requests are acknowledged. */
export interface PartialRecord {
  kind: 'partial';
  line: number;
  end: number;
  crc: number;
  delivered: number;
}

export type JournalRecord = DoneRecord | PartialRecord;

export const apply = (progress: Progress, record: JournalRecord): void => {
  if (progress.done.has(record.line)) return;
  if (record.kind === 'partial') {
    const known = progress.partial.get(record.line)?.delivered ?? 0;
    progress.partial.set(record.line, { end: record.end, delivered: Math.max(known, record.delivered) });
    return;
  }
  progress.partial.delete(record.line);
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
export const hex = (crc: number): string => crc.toString(16).padStart(8, '0');

export const recordLine = (r: JournalRecord): string =>
  line(
    r.kind === 'partial'
      ? [PARTIAL, r.line, r.end, hex(r.crc), r.delivered].join(' ')
      : [
          LETTERS[r.kind],
          r.line,
          r.end,
          hex(r.crc),
          ...(r.failedOutBytes === undefined ? [] : [r.failedOutBytes, r.reasonsBytes ?? 0]),
        ].join(' '),
  );

export const snapshotText = (identity: StateIdentity, progress: Progress): string =>
  line(`H ${JSON.stringify({ format: FORMAT, version: VERSION, ...identity })}`) +
  line(
    `C ${JSON.stringify({
      done: progress.done.toJSON(),
      partial: [...progress.partial].map(([n, p]) => [n, p.end, p.delivered]),
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
  const okInput = (input.path === null || typeof input.path === 'string') && typeof value.own === 'boolean';
  const okCommand =
    typeof command.endpoint === 'string' &&
    typeof command.apiKeyHash === 'string' &&
    typeof command.prefixProperties === 'boolean' &&
    typeof command.naming === 'string' &&
    (command.failedOut === null || typeof command.failedOut === 'string');
  return okInput && okCommand ? (value as unknown as StateIdentity) : undefined;
};

const rangesOf = (value: unknown): [number, number, number][] | undefined => {
  if (!Array.isArray(value)) return undefined;
  const ranges: [number, number, number][] = [];
  for (const range of value as unknown[]) {
    if (!Array.isArray(range) || range.length !== 3 || !range.every(isCount)) return undefined;
    const [first, last, end] = range as [number, number, number];
    const previous = ranges[ranges.length - 1];
    if (first < 1 || last < first || (previous && first <= previous[1] + 1)) return undefined;
    ranges.push([first, last, end]);
  }
  return ranges;
};

const partialOf = (value: unknown): Map<number, PartLine> | undefined => {
  if (!Array.isArray(value)) return undefined;
  const partial = new Map<number, PartLine>();
  for (const entry of value as unknown[]) {
    if (!Array.isArray(entry) || entry.length !== 3 || !entry.every(isCount)) return undefined;
    const [n, end, delivered] = entry as [number, number, number];
    partial.set(n, { end, delivered });
  }
  return partial;
};

const progressOf = (value: unknown): Progress | undefined => {
  if (!isObject(value) || !isObject(value.counts)) return undefined;
  const counts = noCounts();
  for (const key of Object.keys(counts) as (keyof DoneCounts)[]) {
    const n = value.counts[key];
    if (!isCount(n)) return undefined;
    counts[key] = n;
  }
  const ranges = rangesOf(value.done);
  const partial = partialOf(value.partial);
  if (!ranges || !partial || !isCount(value.failedOutBytes) || !isCount(value.reasonsBytes)) return undefined;
  const done = new DoneLines(ranges);
  return { done, partial, counts, failedOutBytes: value.failedOutBytes, reasonsBytes: value.reasonsBytes };
};

/** The body of a record line whose CRC matches; undefined for a torn or damaged one. */
const checkedBody = (text: string): string | undefined => {
  const space = text.lastIndexOf(' ');
  const body = text.slice(0, space);
  return space > 0 && checksum(body) === text.slice(space + 1) ? body : undefined;
};

const CRC_HEX = /^[0-9a-f]{8}$/;

const recordOf = (body: string): JournalRecord | undefined => {
  const [letter = '', lineText = '', endText = '', crcText = '', ...rest] = body.split(' ');
  const [lineNumber, end, ...more] = [lineText, endText, ...rest].map(Number);
  if (!isCount(lineNumber) || lineNumber < 1 || !isCount(end) || !CRC_HEX.test(crcText) || !more.every(isCount))
    return undefined;
  const crc = parseInt(crcText, 16);
  const [a, b] = more;
  if (letter === PARTIAL)
    return more.length === 1 && a !== undefined
      ? { kind: 'partial', line: lineNumber, end, crc, delivered: a }
      : undefined;
  const kind = KINDS.get(letter);
  if (!kind || (more.length !== 0 && more.length !== 2)) return undefined;
  const sizes = a !== undefined && b !== undefined ? { failedOutBytes: a, reasonsBytes: b } : {};
  return { kind, line: lineNumber, end, crc, ...sizes };
};

/** A journal as read: its identity, its progress, and the checksums of the lines recorded after its checkpoint. */
export type ParsedState =
  | { ok: true; identity: StateIdentity; progress: Progress; recent: Map<number, number> }
  | { ok: false; reason: string };

/**
 * Reads a journal's text. The header and the checkpoint must be intact (they are written whole,
 * then renamed into place); progress records are read up to the first that is torn.
 */
export const parseState = (text: string): ParsedState => {
  const lines = text.split('\n');
  const header = checkedBody(lines[0] ?? '');
  const identity = header?.startsWith('H ') ? identityOf(safeJson(header.slice(2))) : undefined;
  if (!identity) return { ok: false, reason: 'it is not a send --state file (its first line is not a valid header)' };
  const checkpoint = checkedBody(lines[1] ?? '');
  const progress = checkpoint?.startsWith('C ') ? progressOf(safeJson(checkpoint.slice(2))) : undefined;
  if (!progress) return { ok: false, reason: 'its checkpoint (second line) is damaged' };
  const recent = new Map<number, number>();
  for (const text of lines.slice(2)) {
    const body = checkedBody(text);
    const record = body === undefined ? undefined : recordOf(body);
    // A crash can cut the last group of records; nothing after a bad record was acknowledged.
    if (!record) break;
    apply(progress, record);
    recent.set(record.line, record.crc);
  }
  return { ok: true, identity, progress, recent };
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
 * How the command of a journal differs from this run's, in words; empty when it is this run's.
 * A journal without --failed-out may be continued with one (what fails from now on is kept there).
 */
export const mismatches = (saved: StateIdentity, current: StateIdentity): string[] => {
  const out: string[] = [];
  if (saved.command.endpoint !== current.command.endpoint)
    out.push(`it sent to ${saved.command.endpoint}, this run sends to ${current.command.endpoint}`);
  if (saved.command.apiKeyHash !== current.command.apiKeyHash) out.push('it used another API key');
  if (saved.command.prefixProperties !== current.command.prefixProperties)
    out.push(`it ran ${saved.command.prefixProperties ? 'with' : 'without'} --prefix-properties`);
  if (saved.command.naming !== current.command.naming)
    out.push(`it ran with --naming ${saved.command.naming}, this run with --naming ${current.command.naming}`);
  if (saved.command.failedOut !== null && saved.command.failedOut !== current.command.failedOut)
    out.push(
      `it wrote undelivered lines to ${saved.command.failedOut}, ` +
        `this run to ${current.command.failedOut ?? 'no --failed-out'}`,
    );
  return out;
};
