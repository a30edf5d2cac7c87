import { MultiBar, Presets } from 'cli-progress';
import type { SingleBar } from 'cli-progress';
import { PROGRESS_INTERVAL_MS } from '../../cloud/constants';

/** The counts `send` keeps for this run; also its summary. */
export interface Counts {
  /** Lines read that are not blank, not counting those done by an earlier run (`--state`). */
  lines: number;
  sent: number;
  nothingToSend: number;
  malformed: number;
  untranslatable: number;
  /** Lines whose delivery failed; `notRetryable` of them were refused in a way no retry could change. */
  failed: number;
  notRetryable: number;
  /** Lines in flight or waiting when the run stopped (Ctrl-C, SIGTERM, failing endpoint, write error). */
  notSent: number;
  /** Lines (blank ones included) that earlier runs with the same `--state` had done: not read again. */
  doneBefore: number;
  requests: number;
  retried: number;
  /** Lines sent without values Kissmetrics cannot store (over its limits, cycles, reserved names). */
  trimmed: number;
}

export const emptyCounts = (): Counts => ({
  lines: 0,
  sent: 0,
  nothingToSend: 0,
  malformed: 0,
  untranslatable: 0,
  failed: 0,
  notRetryable: 0,
  notSent: 0,
  doneBefore: 0,
  requests: 0,
  retried: 0,
  trimmed: 0,
});

export const notDelivered = (c: Counts): number => c.malformed + c.untranslatable + c.failed + c.notSent;

/** Shows how far `send` is: a bar on a terminal, a plain line every few seconds otherwise. */
export interface Progress {
  /** `bytesDone`: input bytes of the lines taken up so far, for the percentage of a file. */
  update(counts: Counts, bytesDone?: number): void;
  /** A message that must not be garbled by the bar. */
  log(text: string): void;
  stop(): void;
}

interface Stream {
  write(text: string): boolean;
  isTTY?: boolean;
}

const rate = (count: number, startedMs: number): number =>
  Math.round(count / Math.max(0.001, (Date.now() - startedMs) / 1000));

const barProgress = (stream: NodeJS.WriteStream, sizeBytes: number | undefined): Progress => {
  const startedMs = Date.now();
  const counts = '{lines} lines | {sent} sent | {failed} not delivered | {rate} lines/s';
  const multi = new MultiBar(
    {
      stream,
      format: sizeBytes === undefined ? counts : `{bar} {percentage}% | ${counts}`,
      hideCursor: true,
      clearOnComplete: false,
    },
    Presets.shades_classic,
  );
  const bar: SingleBar = multi.create(sizeBytes ?? 0, 0, { lines: 0, sent: 0, failed: 0, rate: 0 });
  return {
    update: (c, bytesDone) => {
      bar.update(bytesDone ?? 0, {
        lines: c.lines,
        sent: c.sent,
        failed: notDelivered(c),
        rate: rate(c.lines, startedMs),
      });
    },
    log: (text) => {
      multi.log(`${text}\n`);
    },
    stop: () => {
      multi.stop();
    },
  };
};

const lineProgress = (stream: Stream): Progress => {
  const startedMs = Date.now();
  let last = emptyCounts();
  const timer = setInterval(() => {
    stream.write(
      `progress: ${last.lines} lines, ${last.sent} sent, ${notDelivered(last)} not delivered, ` +
        `${last.retried} retried, ${rate(last.lines, startedMs)} lines/s\n`,
    );
  }, PROGRESS_INTERVAL_MS);
  // Progress alone never keeps the process alive.
  timer.unref();
  return {
    update: (c) => {
      last = c;
    },
    log: (text) => stream.write(`${text}\n`),
    stop: () => {
      clearInterval(timer);
    },
  };
};

/** A bar when `stream` is a terminal; periodic plain lines otherwise. */
export const progressOn = (stream: NodeJS.WriteStream, sizeBytes: number | undefined): Progress =>
  stream.isTTY ? barProgress(stream, sizeBytes) : lineProgress(stream);
