import { existsSync } from 'node:fs';
import type { CloudConfig, KissmetricsRequest, SendOptions } from '../cloud/types';
import { MAX_PENDING_BYTES, PENDING_LINES_PER_SLOT, STOP_GRACE_MS } from './constants';
import type { Input } from './files';
import { deliverLine, deliveredList, failFast, failureReason, skipOf } from './send/deliver';
import type { Delivery } from './send/deliver';
import type { FailedOut, Reason, Recorded } from './send/failedOut';
import { noCounts } from './send/journal';
import type { DoneCounts } from './send/journal';
import { Scheduler } from './send/order';
import { replayOf } from './send/origin';
import type { Origins } from './send/origin';
import { emptyCounts, notDelivered } from './send/progress';
import { readLines } from './send/read';
import type { Line, LongLine, ReadItem } from './send/read';
import { Recorder } from './send/record';
import {
  Reporter,
  earlierNotDelivered,
  exitStatus,
  replayHint,
  replayTarget,
  resumeCommand,
  resumeHint,
  summary,
} from './send/report';
import type { Invocation, Io } from './send/report';
import { newRunState, stopped } from './send/run';
import type { LineJob, LineRef, RunState, Stop } from './send/run';
import type { OpenJournal } from './send/setup';
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
  /** Event and property names (default: ours). */
  naming?: CloudConfig['naming'];
  dryRun: boolean;
  maxAttempts?: number;
  timeoutMs?: number;
  /** Where undelivered lines go, already open. */
  failedOut?: FailedOut;
  /** The journal, already open (every run but a dry run has one). */
  journal?: OpenJournal;
  /** Aborted with reason `'SIGINT'` or `'SIGTERM'`: the run stops cleanly. */
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
  origins: Origins | undefined;
  /** Cuts what is still in flight when a stop's grace is over. */
  grace: NodeJS.Timeout | undefined;
}

/** The send config: the destination settings of this run. */
const configOf = (options: SendCommandOptions): CloudConfig => ({
  apiKey: options.apiKey,
  prefixProperties: options.prefixProperties,
  naming: options.naming,
  ...(options.endpoint === undefined ? {} : { trackingHost: options.endpoint }),
});

const sendOptionsOf = (options: SendCommandOptions, run: RunState): SendOptions => ({
  signal: run.halt.signal,
  finishSignal: run.finish.signal,
  ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
  ...(options.timeoutMs === undefined ? {} : { requestTimeoutMs: options.timeoutMs }),
});

/**
 * Stops the run once: reading ends, nothing new starts, lines waiting are left for the resume.
 * Requests in flight get STOP_GRACE_MS to be answered (and recorded), except after a write error.
 */
const stopRun = (p: Pipeline, reason: Stop): void => {
  if (p.run.stop) return;
  p.run.stop = reason;
  p.run.finish.abort();
  p.input.close();
  p.run.counts.notSent += p.order.stop().length;
  if (reason.cause === 'write') p.run.halt.abort();
  else
    p.grace = setTimeout(() => {
      p.run.halt.abort();
    }, STOP_GRACE_MS).unref();
};

const interrupt = (p: Pipeline): void => {
  const terminated = p.options.signal?.reason === 'SIGTERM';
  p.report.say(
    `${terminated ? 'terminated (SIGTERM)' : 'interrupted'}: stopping; requests in flight get up to ` +
      `${STOP_GRACE_MS / 1000} s to be answered, the rest is left for the resume (a second signal quits at once)`,
  );
  stopRun(p, terminated ? { cause: 'SIGTERM' } : { cause: 'SIGINT' });
};

const stopOnWriteError = (p: Pipeline, message: string): void => {
  if (!p.run.stop) p.report.say(`stopping: ${message}`);
  stopRun(p, { cause: 'write', message });
};

/** A line not delivered: said, and recorded; resolves once it is written, with its durable record. */
const rejectLine = (p: Pipeline, ref: LineRef, why: Reason): Promise<Recorded> => {
  p.report.echo(ref.label, why.reason);
  return p.record.reject(ref, why);
};

/** A line whose delivery failed: counted, maybe the end of the run, and recorded with what was delivered. */
const failedLine = async (p: Pipeline, job: LineJob, delivery: Delivery & { kind: 'failed' }): Promise<void> => {
  const { run } = p;
  const { outcome } = delivery;
  run.counts.failed++;
  if (!outcome.retryable) run.counts.notRetryable++;
  run.failedInARow++;
  const done = [...job.skip, ...delivery.delivered].sort((a, b) => a - b);
  const reason = failureReason(delivery.index, job.requests.length, outcome, done);
  const message = stopped(run) ? undefined : failFast(job.label, run.failedInARow, outcome, reason);
  if (message !== undefined) {
    p.report.say(`stopping: ${message}`);
    stopRun(p, { cause: 'endpoint', message });
  }
  const why: Reason = {
    line: job.label,
    kind: 'failed',
    reason,
    requests: job.requests.length,
    delivered: deliveredList(job.requests, done),
  };
  await (
    await rejectLine(p, job, why)
  ).after;
};

/** Stages 4 and 5 for one line: its requests through the sender, each acknowledgement recorded. */
const deliverJob = async (p: Pipeline, job: LineJob, sent: () => void): Promise<void> => {
  const { run } = p;
  const delivery = await deliverLine({
    requests: job.requests,
    skip: job.skip,
    options: p.sendOptions,
    acknowledged: (count) => p.record.partial(job, count),
    stopping: () => stopped(run),
  });
  sent();
  run.counts.requests += delivery.delivered.length;
  run.counts.retried += delivery.retries;
  if (delivery.kind === 'failed') return failedLine(p, job, delivery);
  if (delivery.kind === 'stopped') {
    // What was acknowledged is in the journal: the resume goes on from the first request that was not.
    run.counts.notSent++;
    return;
  }
  run.counts.sent++;
  run.failedInARow = 0;
  await p.record.done(job, 'sent');
};

/** A line to send: printed in a dry run, otherwise handed to the order stage (reading waits while it is full). */
const sendLine = async (
  p: Pipeline,
  ref: LineRef,
  work: { requests: KissmetricsRequest[]; people: string[] },
  skip: Set<number>,
): Promise<void> => {
  const { counts } = p.run;
  const requests = work.requests.filter((_, i) => !skip.has(i));
  if (p.options.dryRun) {
    counts.sent++;
    counts.requests += requests.length;
    await p.report.printRequests(ref.label, requests);
    return;
  }
  p.order.add({ ...ref, requests: work.requests, skip, people: work.people, sizeBytes: ref.bytes.length * 2 });
  await p.order.room();
};

/** Stages 2 and 3 for one line: translated, then recorded at once or handed to the order stage. */
const takeLine = async (p: Pipeline, line: Line): Promise<void> => {
  const { counts } = p.run;
  const origin = await p.origins?.at(line.number);
  const ref: LineRef = {
    line: line.number,
    label: origin?.line ?? line.number,
    end: line.end,
    bytes: line.bytes,
    crc: line.crc,
  };
  const work = translateLine(line, p.config);
  if (work.kind === 'blank') {
    p.record.track(p.record.done(ref, 'blank'));
    return;
  }
  counts.lines++;
  if (work.kind === 'malformed' || work.kind === 'untranslatable') {
    counts[work.kind]++;
    p.record.track((await rejectLine(p, ref, { line: ref.label, kind: work.kind, reason: work.reason })).after);
    return;
  }
  if (work.trimmed !== undefined) p.report.trimmed(counts, ref.label, work.trimmed);
  if (work.kind === 'nothing') {
    counts.nothingToSend++;
    p.record.track(p.record.done(ref, 'nothing'));
    return;
  }
  await sendLine(p, ref, work, skipOf(work.requests, line.delivered, origin));
};

/** A line longer than an event can be: malformed, kept whole in --failed-out without being held. */
const takeLong = async (p: Pipeline, long: LongLine): Promise<void> => {
  const origin = await p.origins?.at(long.number);
  const label = origin?.line ?? long.number;
  p.run.counts.lines++;
  p.run.counts.malformed++;
  const reason = await p.record.rejectLong(long, label);
  if (reason) p.report.echo(label, reason.reason);
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
    if (item.kind === 'long') await takeLong(p, item);
    else await takeLine(p, item);
  }
};

/** Every line of the input is done (delivered, or kept in --failed-out): the journal has nothing left to resume. */
const complete = (p: Pipeline): boolean => {
  const progress = p.options.journal?.journal.progress;
  if (!progress || stopped(p.run) || p.run.lost.length) return false;
  return progress.partial.size === 0 && progress.done.firstGap().line > p.run.seen.line;
};

/** The summary, and the command that goes on from here: the resume, or the replay of --failed-out. */
const closingText = (p: Pipeline, earlier: DoneCounts, finished: boolean): string[] => {
  const { options, run, input } = p;
  const { failedOut, journal, invocation } = options;
  const reasonsName = failedOut?.reasons ? { reasonsName: failedOut.reasons.name } : {};
  const facts = {
    dryRun: options.dryRun,
    ...(failedOut ? { failedOut: { name: failedOut.lines.name, ...reasonsName } } : {}),
    earlier,
  };
  const report = summary(run.counts, facts, run.stop, run.lost);
  if (!journal) return report;
  if (!finished) {
    return [...report, ...resumeHint({ invocation, input: inputFacts(input), journal: journal.path })];
  }
  const kept = notDelivered(run.counts) + earlierNotDelivered(earlier);
  if (!failedOut || invocation.failedOutPath === undefined || kept === 0) return report;
  const target = replayTarget(invocation.failedOutPath, existsSync);
  return [...report, ...replayHint(invocation, invocation.failedOutPath, target)];
};

/** Names the journal `send` keeps itself, and the command that goes on after any stop, a crash included. */
const journalNotice = (input: Input, options: SendCommandOptions, journal: string): string[] => [
  `journal: ${journal} records every request acknowledged; it is removed once every line is done`,
  `  after any stop, even a crash, go on with: ${resumeCommand({ invocation: options.invocation, input: inputFacts(input), journal })}`,
];

const inputFacts = (input: Input): { name: string; path?: string } => ({
  name: input.name,
  ...(input.path === undefined ? {} : { path: input.path }),
});

/** The bytes of the input accounted for: the contiguous part the journal holds as done, or what was read. */
const bytesDone = (p: Pipeline): number =>
  p.options.journal?.journal.progress.done.firstGap().offset ?? p.run.seen.offset;

/** Builds the pipeline of one run: the stages, wired to one run state. */
const pipelineOf = (input: Input, options: SendCommandOptions, io: Io, origins: Origins | undefined): Pipeline => {
  const run = newRunState(emptyCounts());
  const { failedOut, journal } = options;
  const p: Pipeline = {
    run,
    input,
    options,
    config: configOf(options),
    sendOptions: sendOptionsOf(options, run),
    report: new Reporter(io, options.apiKey, input.sizeBytes, failedOut?.lines.name),
    record: new Recorder(
      run,
      {
        ...(failedOut ? { failedOut } : {}),
        ...(journal ? { journal: journal.journal } : {}),
        journalName: journal?.path ?? '--state',
      },
      (message) => {
        stopOnWriteError(p, message);
      },
    ),
    order: new Scheduler<LineJob>({
      concurrency: options.concurrency,
      maxPendingJobs: options.concurrency * PENDING_LINES_PER_SLOT,
      maxPendingBytes: MAX_PENDING_BYTES,
      run: (job, sent) => deliverJob(p, job, sent),
    }),
    origins,
    grace: undefined,
  };
  return p;
};

/**
 * Streams NDJSON RudderStack events to Kissmetrics. Each line is parsed (big integers kept exact),
 * translated and handed to a scheduler that sends lines of the same person in input order and
 * lines of different people in parallel, `concurrency` at most; reading pauses while
 * PENDING_LINES_PER_SLOT × `concurrency` lines wait. Every request acknowledged is recorded
 * durably in the journal before the next request of its line; lines not delivered go, byte for
 * byte, to `--failed-out`. Stops early on a signal, a failing endpoint or a write error, and then
 * prints the command that resumes. Returns the exit status.
 */
export const runSend = async (input: Input, options: SendCommandOptions, io: Io): Promise<number> => {
  const replay = await replayOf(input);
  const p = pipelineOf(input, options, io, replay && 'origins' in replay ? replay.origins : undefined);
  const { journal } = options;
  const earlier = journal?.recorded?.progress.counts ?? noCounts();
  p.run.counts.doneBefore = journal?.recorded?.progress.done.size ?? 0;
  if (journal?.own) for (const line of journalNotice(input, options, journal.path)) p.report.say(line);
  if (replay && 'warning' in replay) p.report.say(replay.warning);
  const onSignal = (): void => {
    interrupt(p);
  };
  if (options.signal?.aborted) interrupt(p);
  options.signal?.addEventListener('abort', onSignal, { once: true });
  try {
    await readAll(
      p,
      readLines(input, { ...(journal?.recorded ? { journal: journal.recorded } : {}), seen: p.run.seen }),
    );
  } catch (error) {
    // The input changed since the journal was written: nothing was sent, and nothing is summed up.
    p.report.abandon();
    throw error;
  } finally {
    await p.order.idle();
    await p.record.settled();
    options.signal?.removeEventListener('abort', onSignal);
    clearTimeout(p.grace);
    p.origins?.close();
    input.close();
    await p.record.close();
  }
  const finished = complete(p);
  if (finished && journal?.own) await journal.journal.remove();
  await p.report.finish(p.run.counts, bytesDone(p), closingText(p, earlier, finished));
  return exitStatus(p.run, earlier);
};
