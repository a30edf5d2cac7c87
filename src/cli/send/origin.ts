import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { REASONS_SUFFIX } from '../constants';
import { statOrNothing } from '../files';
import type { Input } from '../files';
import { plural } from '../text';
import type { DeliveredRequest } from './failedOut';

/*
 * A replay of --failed-out: when the input is a --failed-out file with its reasons file next to
 * it, the k-th reason is about the k-th line. Each line then keeps the number it had in the
 * original input (in messages and in the new reasons file), and the requests its reason lists as
 * delivered are not sent again. When the two files do not have as many lines, the reasons are not
 * used, and `send` says so.
 */

/** What the reasons file says of one line: its number in the original input, and the requests delivered. */
export interface Origin {
  line: number;
  delivered: DeliveredRequest[];
}

export interface Origins {
  /** The origin of line `line` of the input; lines are asked for in increasing order. */
  at(line: number): Promise<Origin | undefined>;
  close(): void;
}

/** The number of lines of a file, as `splitLines` counts them (a last line without `\n` is a line). */
const countLines = async (path: string): Promise<number> => {
  let lines = 0;
  let last = 0x0a;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) lines++;
    if (chunk.length) last = chunk[chunk.length - 1] ?? last;
  }
  return last === 0x0a ? lines : lines + 1;
};

const isDelivered = (value: unknown): value is DeliveredRequest => {
  const v = value as Partial<DeliveredRequest> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    Number.isSafeInteger(v.request) &&
    typeof v.path === 'string' &&
    typeof v.id === 'string'
  );
};

const originOf = (text: string): Origin | undefined => {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const record = value as { line?: unknown; delivered?: unknown } | null;
  if (typeof record !== 'object' || record === null || !Number.isSafeInteger(record.line)) return undefined;
  const delivered = Array.isArray(record.delivered) ? record.delivered.filter(isDelivered) : [];
  return { line: record.line as number, delivered };
};

/** What a replay knows of its input's lines; `warning` when a reasons file is there but does not fit. */
export type Replay = { origins: Origins } | { warning: string } | undefined;

/** The reasons file next to `input`, when the input is a --failed-out file that has one with a line per line. */
export const replayOf = async (input: Input): Promise<Replay> => {
  if (input.path === undefined) return undefined;
  const reasonsPath = input.path + REASONS_SUFFIX;
  const info = await statOrNothing(reasonsPath).catch(() => undefined);
  if (!info?.isFile()) return undefined;
  const [lines, reasons] = await Promise.all([countLines(input.path), countLines(reasonsPath)]);
  if (lines !== reasons)
    return {
      warning:
        `${input.name}${REASONS_SUFFIX} has ${plural(reasons, 'reason')} for ${plural(lines, 'line')}: not used (line numbers are ` +
        `those of ${input.name}, and every request of each line is sent)`,
    };
  const stream = createReadStream(reasonsPath);
  const records = createInterface({ input: stream, crlfDelay: Infinity })[Symbol.asyncIterator]();
  let read = 0;
  const at = async (line: number): Promise<Origin | undefined> => {
    let text: string | undefined;
    while (read < line) {
      const next = await records.next();
      if (next.done) return undefined;
      read++;
      text = next.value;
    }
    return read === line && text !== undefined ? originOf(text) : undefined;
  };
  return { origins: { at, close: () => stream.destroy() } };
};
