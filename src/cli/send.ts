import type { CloudConfig, SendOptions } from '../cloud/types';
import {
  EXIT_NOT_DELIVERED,
  EXIT_OK,
  EXIT_SIGINT,
  EXIT_SIGTERM,
  MAX_PENDING_BYTES,
  PENDING_LINES_PER_SLOT,
} from './constants';
import type { Input } from './files';
import { START } from './lines';
import type { RawLine } from './lines';
import { deliverRequests, failFast } from './send/deliver';
import type { Reason, Recorded } from './send/failedOut';
import type { DoneCounts, StateJournal } from './send/journal';
import { Scheduler } from './send/order';
import { emptyCounts, notDelivered } from './send/progress';
import { readLines } from './send/read';
import type { LongLine, ReadItem } from './send/read';
import { Recorder } from './send/record';
import type { FailedOut } from './send/failedOut';
import { Reporter, earlierNotDelivered, resumeHint, summary } from './send/report';
import type { Invocation, Io } from './send/report';
import { keptNowhere, newRunState, stopText, stopped } from './send/run';
import type { LineJob, LineRef, RunState, Stop } from './send/run';
import { translateLine } from './send/translate';

/*
 * `send`: read → translate → order → deliver → record → report. Each stage is a module of
 * ./send/; this file only wires them, passing one `Pipeline` object from stage to stage.
 */

export type { Invocation } from './send/report';

export interface SendCommandOptions {
  apiKey: string;
  endpoint?: string;
  concurrency: number;
  prefixProperties: boolean;
  dryRun: boolean;
  maxAttempts?: number;
  timeoutMs?: number;
  /** Where undelivered lines go, already open. */
  failedOut?: FailedOut;
  /** Durable progress (`--state`), already open; its progress says what earlier runs did. */
  state?: StateJournal;
  /** Aborted with reason `'SIGINT'` or `'SIGTERM'`: reading stops, what is in flight is aborted. */
  signal?: AbortSignal;
  invocation: Invocation;
}

/** Everything a run's stages share: the run state and the stages themselves. */
interface Pipeline {
  run: RunState;
  input: Input;
  options: SendCommandOptions;
  config: CloudConfig;
  sendOptions: SendOptions;
  report: Reporter;
  record: Recorder;
  order: Scheduler<LineJob>;
}

/** The send config: the destination settings of this run. */
const configOf = (options: SendCommandOptions): CloudConfig => ({
  apiKey: options.apiKey,
  prefixProperties: options.prefixProperties,
  ...(options.endpoint === undefined ? {} : { trackingHost: options.endpoint }),
});

const sendOptionsOf = (options: SendCommandOptions, halt: AbortSignal): SendOptions => ({
  signal: halt,
  ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
  ...(options.timeoutMs === undefined ? {} : { requestTimeoutMs: options.timeoutMs }),
});

/** Stops the run once: reading ends, nothing more starts, what waited is accounted as not sent. */
const stopRun = (p: Pipeline, reason: Stop): void => {
  if (p.run.stop) return;
  p.run.stop = reason;
  p.run.halt.abort();
  p.input.close();
  // With a journal, lines not sent are simply not done; without, they are accounted for here.
  for (const job of p.order.stop()) p.record.track(notSent(p, job));
};

const interrupt = (p: Pipeline): void => {
  const terminated = p.options.signal?.reason === 'SIGTERM';
  p.report.say(
    `${terminated ? 'terminated (SIGTERM)' : 'interrupted'}: stopping; ` +
      (p.options.state
        ? 'the lines not sent are left for the next run'
        : 'the lines in flight are reported as not sent'),
  );
  stopRun(p, terminated ? { cause: 'SIGTERM' } : { cause: 'SIGINT' });
};

const stopOnWriteError = (p: Pipeline, message: string): void => {
  if (!p.run.stop) p.report.say(`stopping: ${message}`);
  stopRun(p, { cause: 'write', message });
};

/** A line not delivered: said, and recorded; resolves once it is written, with its durable record. */
const rejectLine = (p: Pipeline, ref: LineRef, why: Reason): Promise<Recorded> => {
  p.report.echo(ref.line, why.reason);
  return p.record.reject(ref, why);
};

/** A line in flight or waiting when the run stopped. */
const notSent = async (p: Pipeline, job: LineJob): Promise<void> => {
  p.run.counts.notSent++;
  // With a journal the line is simply not done: the next run sends it.
  if (p.options.state) return;
  if (!p.options.failedOut) {
    keptNowhere(p.run, job.line);
    return;
  }
  await (
    await rejectLine(p, job, { line: job.line, kind: 'not sent', reason: `not sent: ${stopText(p.run.stop)}` })
  ).after;
};

/** Stage 4 and 5 for one line: its requests through the sender, then its record. */
const deliverLine = async (p: Pipeline, job: LineJob, sent: () => void): Promise<void> => {
  const { run } = p;
  const delivery = await deliverRequests(job.requests, p.sendOptions);
  sent();
  run.counts.requests += delivery.delivered;
  run.counts.retried += delivery.retries;
  if (delivery.ok) {
    run.counts.sent++;
    run.failedInARow = 0;
    await p.record.commit({ kind: 'sent', line: job.line, end: job.end });
    return;
  }
  if (run.stop && run.halt.signal.aborted) {
    await notSent(p, job);
    return;
  }
  run.counts.failed++;
  if (!delivery.outcome.retryable) run.counts.notRetryable++;
  run.failedInARow++;
  const message = run.stop ? undefined : failFast(job.line, run.failedInARow, delivery);
  if (message !== undefined) {
    p.report.say(`stopping: ${message}`);
    stopRun(p, { cause: 'endpoint', message });
  }
  await (
    await rejectLine(p, job, { line: job.line, kind: 'failed', reason: delivery.reason })
  ).after;
};

/** Stages 2 and 3 for one line: translated, then recorded at once or handed to the order stage. */
const takeLine = async (p: Pipeline, raw: RawLine): Promise<void> => {
  const { counts } = p.run;
  const work = translateLine(raw, p.config);
  const ref: LineRef = { line: raw.number, end: raw.end, bytes: raw.bytes };
  if (work.kind === 'blank') {
    if (p.options.state) p.record.track(p.record.commit({ kind: 'blank', line: raw.number, end: raw.end }));
    return;
  }
  counts.lines++;
  if (work.kind === 'malformed' || work.kind === 'untranslatable') {
    counts[work.kind]++;
    p.record.track((await rejectLine(p, ref, { line: raw.number, kind: work.kind, reason: work.reason })).after);
    return;
  }
  if (work.trimmed !== undefined) p.report.trimmed(counts, raw.number, work.trimmed);
  if (work.kind === 'nothing') {
    counts.nothingToSend++;
    if (p.options.state) p.record.track(p.record.commit({ kind: 'nothing', line: raw.number, end: raw.end }));
    return;
  }
  if (p.options.dryRun) {
    counts.sent++;
    counts.requests += work.requests.length;
    await p.report.printRequests(raw.number, work.requests);
    return;
  }
  p.order.add({ ...ref, requests: work.requests, people: work.people, sizeBytes: raw.bytes.length * 2 });
  await p.order.room();
};

/** A line longer than an event can be: malformed, kept whole in --failed-out without being held. */
const takeLong = async (p: Pipeline, long: LongLine): Promise<void> => {
  p.run.counts.lines++;
  p.run.counts.malformed++;
  const reason = await p.record.rejectLong(long);
  if (!reason) return;
  p.report.echo(long.number, reason.reason);
  p.run.lastRead = long.number;
};

/** Reads every line (stage 1) and passes each on, until the input ends or the run stops. */
const readAll = async (p: Pipeline, items: AsyncIterator<ReadItem>): Promise<void> => {
  while (!stopped(p.run)) {
    let next: IteratorResult<ReadItem>;
    try {
      next = await items.next();
    } catch (error) {
      // Closing the input on a stop may end a pending read with an error.
      if (stopped(p.run)) break;
      throw error;
    }
    if (next.done) break;
    const item = next.value;
    p.report.update(p.run.counts, item.kind === 'line' ? item.end : item.start);
    if (item.kind === 'long') {
      await takeLong(p, item);
      continue;
    }
    await takeLine(p, item);
    p.run.lastRead = item.number;
  }
};

const exitStatus = (run: RunState, earlier: DoneCounts): number => {
  if (run.stop?.cause === 'SIGINT') return EXIT_SIGINT;
  if (run.stop?.cause === 'SIGTERM') return EXIT_SIGTERM;
  if (run.stop || run.lost.length) return EXIT_NOT_DELIVERED;
  return notDelivered(run.counts) + earlierNotDelivered(earlier) > 0 ? EXIT_NOT_DELIVERED : EXIT_OK;
};

/** The summary, and the resume command when something is left to do. */
const closingText = (p: Pipeline, earlier: DoneCounts): string[] => {
  const { options, run, input } = p;
  const { failedOut, state } = options;
  const facts = {
    dryRun: options.dryRun,
    journal: state !== undefined,
    ...(failedOut
      ? {
          failedOut: {
            name: failedOut.lines.name,
            ...(failedOut.reasons ? { reasonsName: failedOut.reasons.name } : {}),
          },
        }
      : {}),
    earlier,
  };
  const report = summary(run.counts, facts, run.stop, run.lost);
  const left = stopped(run) || (state !== undefined && notDelivered(run.counts) > 0 && !failedOut);
  if (!left) return report;
  const hintFacts = {
    invocation: options.invocation,
    input: { name: input.name, ...(input.path === undefined ? {} : { path: input.path }) },
    journal: state !== undefined,
    ...(failedOut ? { failedOutName: failedOut.lines.name } : {}),
  };
  return [...report, ...resumeHint(hintFacts, run)];
};

/**
 * Streams NDJSON RudderStack events to Kissmetrics. Each line is parsed (big integers kept exact),
 * translated and handed to a scheduler that sends lines of the same person in input order and
 * lines of different people in parallel, `concurrency` at most; reading pauses while
 * PENDING_LINES_PER_SLOT × `concurrency` lines wait. Lines not delivered go, byte for byte, to
 * `--failed-out`. With `--state`, each finished line is recorded durably before its slot is freed.
 * Stops early on a signal, a failing endpoint or a write error, and then says how to resume.
 * Returns the exit status.
 */
export const runSend = async (input: Input, options: SendCommandOptions, io: Io): Promise<number> => {
  const { state, failedOut } = options;
  const counts = emptyCounts();
  counts.doneBefore = state?.progress.done.size ?? 0;
  const earlier: DoneCounts = { ...(state?.progress.counts ?? emptyDone()) };
  // A resumed file is read from its first line not done; stdin, from its start, skipping what is done.
  const from = state && input.seekable ? state.progress.done.firstGap() : START;
  const run = newRunState(counts, from.line);
  const p: Pipeline = {
    run,
    input,
    options,
    config: configOf(options),
    sendOptions: sendOptionsOf(options, run.halt.signal),
    report: new Reporter(io, options.apiKey, input.sizeBytes, failedOut?.lines.name),
    record: new Recorder(
      run,
      {
        ...(failedOut ? { failedOut } : {}),
        ...(state ? { journal: state } : {}),
        journalName: options.invocation.statePath ?? '--state',
      },
      (message) => {
        stopOnWriteError(p, message);
      },
    ),
    order: new Scheduler<LineJob>({
      concurrency: options.concurrency,
      maxPendingJobs: options.concurrency * PENDING_LINES_PER_SLOT,
      maxPendingBytes: MAX_PENDING_BYTES,
      run: (job, sent) => deliverLine(p, job, sent),
    }),
  };
  const onSignal = (): void => {
    interrupt(p);
  };
  if (options.signal?.aborted) interrupt(p);
  options.signal?.addEventListener('abort', onSignal, { once: true });
  const done = state?.progress.done;
  try {
    await readAll(p, readLines(input, { from, skip: (line) => done?.has(line) ?? false }));
  } finally {
    // A signal still stops the lines in flight after the last line is read.
    await p.order.idle();
    await p.record.settled();
    options.signal?.removeEventListener('abort', onSignal);
  }
  input.close();
  await p.record.close();
  await p.report.finish(counts, input.sizeBytes, closingText(p, earlier));
  return exitStatus(run, earlier);
};

const emptyDone = (): DoneCounts => ({ sent: 0, nothingToSend: 0, malformed: 0, untranslatable: 0, failed: 0 });
