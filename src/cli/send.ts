import type { Writable } from 'node:stream';
import { requestsFor } from '../cloud/requests';
import { redact, sendRequests } from '../cloud/sender';
import { leftOut } from '../rules/messages';
import { newBudget } from '../rules/properties';
import type { CloudConfig, KissmetricsRequest, SendOptions, SendOutcome } from '../cloud/types';
import {
  COMMAND_NAME,
  EXIT_NOT_DELIVERED,
  EXIT_OK,
  EXIT_SIGINT,
  EXIT_SIGTERM,
  MAX_ECHOED_FAILURES,
  MAX_FAILED_LINES_IN_A_ROW,
  MAX_LINE_BYTES,
  MAX_PENDING_BYTES,
  PENDING_LINES_PER_SLOT,
  UNREACHABLE_ERRORS,
} from './constants';
import type { FailedOut, Reason, Recorded, Sizes } from './failedOut';
import { WriteError } from './failedOut';
import { write } from './files';
import type { Input } from './files';
import { START, readLine, reasonOf, splitLines } from './lines';
import type { LongLinePiece, Position, RawLine } from './lines';
import { emptyCounts, notDelivered, progressOn } from './progress';
import type { Counts } from './progress';
import { Scheduler, peopleOf } from './schedule';
import type { DoneCounts, DoneKind, DoneRecord, StateJournal } from './state';
import { escapeControls, plural, shellCommand } from './text';

/** How this run was started, to print the command that resumes it (never with the API key). */
export interface Invocation {
  /** Options of this run, without the API key, the input, --failed-out, --append-failed-out and --state. */
  options: string[];
  /** The key came from KISSMETRICS_API_KEY, which a resumed run finds again. */
  keyFromEnv: boolean;
  failedOutPath?: string;
  statePath?: string;
}

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
  /** Durable progress (`--state`), already open; its progress says what earlier runs did. */
  state?: StateJournal;
  /** Aborted with reason `'SIGINT'` or `'SIGTERM'`: reading stops, what is in flight is aborted. */
  signal?: AbortSignal;
  invocation: Invocation;
}

interface Io {
  stdout: Writable;
  stderr: NodeJS.WriteStream;
}

/** Why a run stopped before the end of its input. */
type Stop =
  | { cause: 'SIGINT' }
  | { cause: 'SIGTERM' }
  | { cause: 'endpoint'; message: string }
  | { cause: 'write'; message: string };

/** A line on its way: what the scheduler runs. */
interface LineJob {
  line: number;
  end: number;
  bytes: Buffer;
  requests: KissmetricsRequest[];
  people: string[];
  sizeBytes: number;
}

type Failed = Extract<SendOutcome, { result: 'failed' }>;

const deliveryFailure = (outcomes: SendOutcome[]): { reason: string; outcome: Failed } | undefined => {
  const index = outcomes.findIndex((o) => o.result === 'failed');
  const failed = outcomes[index];
  if (failed?.result !== 'failed') return undefined;
  let path = '?';
  try {
    path = new URL(failed.request.endpoint).pathname;
  } catch {
    // The sender reported the bad endpoint in its reason.
  }
  // A replay of the line re-sends these: say so, as Kissmetrics would count a recorded event twice.
  const before = index === 0 ? '' : index === 1 ? '; request 1 was delivered' : `; requests 1-${index} were delivered`;
  return {
    reason: `request ${index + 1} of ${outcomes.length} (${failed.request.method} ${path}) failed: ${failed.reason}${before}`,
    outcome: failed,
  };
};

const row = (name: string, n: number, note?: string): string =>
  `  ${`${name}:`.padEnd(17)}${String(n).padStart(9)}${note ? `  (${note})` : ''}`;

const earlierNotDelivered = (c: DoneCounts): number => c.malformed + c.untranslatable + c.failed;

/** A short list of line numbers: `3, 7, 12 and 40 more`. */
const lineList = (lines: number[]): string => {
  const shown = lines.slice(0, MAX_ECHOED_FAILURES).join(', ');
  return lines.length > MAX_ECHOED_FAILURES ? `${shown} and ${lines.length - MAX_ECHOED_FAILURES} more` : shown;
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
  const config: CloudConfig = {
    apiKey: options.apiKey,
    prefixProperties: options.prefixProperties,
    naming: options.naming,
    ...(options.endpoint === undefined ? {} : { trackingHost: options.endpoint }),
  };
  const { failedOut, state } = options;
  const counts = emptyCounts();
  const earlier: DoneCounts = { ...(state?.progress.counts ?? emptyDone()) };
  counts.doneBefore = state?.progress.done.size ?? 0;
  const progress = progressOn(io.stderr, input.sizeBytes);
  /** Every text for the terminal: control characters escaped, the API key never shown. */
  const say = (text: string): void => {
    progress.log(escapeControls(redact(text, [options.apiKey])));
  };

  // Aborted on any stop: the sender ends its waits and attempts at once.
  const halt = new AbortController();
  let stop: Stop | undefined;
  // Read through a function where TypeScript would not see the closures that set it.
  const stopped = (): Stop | undefined => stop;
  const stopWith = (reason: Stop): void => {
    if (stop) return;
    stop = reason;
    halt.abort();
    input.close();
    const waiting = scheduler.stop();
    // With --state, lines not sent are simply not done; without, they are accounted for here.
    for (const job of waiting) chore(notSent(job));
  };
  const interrupt = (): void => {
    const terminated = options.signal?.reason === 'SIGTERM';
    say(
      `${terminated ? 'terminated (SIGTERM)' : 'interrupted'}: stopping; ` +
        (state ? 'the lines not sent are left for the next run' : 'the lines in flight are reported as not sent'),
    );
    stopWith(terminated ? { cause: 'SIGTERM' } : { cause: 'SIGINT' });
  };

  const sendOptions: SendOptions = {
    onRetry: () => {
      counts.retried++;
    },
    signal: halt.signal,
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
    ...(options.timeoutMs === undefined ? {} : { requestTimeoutMs: options.timeoutMs }),
  };

  // Every durable-record promise, so that the run ends only after the last is settled.
  const chores = new Set<Promise<unknown>>();
  const chore = (task: Promise<unknown>): void => {
    const tracked = task.catch(writeFailed).finally(() => chores.delete(tracked));
    chores.add(tracked);
  };
  /** Lines that could not be recorded anywhere after a write error: named in the summary. */
  const lost: number[] = [];
  function writeFailed(error: unknown): void {
    const message = error instanceof WriteError ? error.message : `cannot write ${stateName()}: ${reasonOf(error)}`;
    if (!stop) say(`stopping: ${message}`);
    stopWith({ cause: 'write', message });
  }
  const stateName = (): string => options.invocation.statePath ?? '--state';

  /** Records a finished line in --state; a write error there stops the run (the line is sent again next time). */
  const commit = (record: DoneRecord): Promise<void> =>
    state ? state.commit(record).catch(writeFailed) : Promise.resolve();

  let echoed = 0;
  const echo = (line: number, reason: string): void => {
    if (!failedOut || echoed < MAX_ECHOED_FAILURES) say(`line ${line}: ${reason}`);
    else if (echoed === MAX_ECHOED_FAILURES) say(`… further lines not delivered are only in ${failedOut.lines.name}`);
    echoed++;
  };

  /**
   * A line not delivered: echoed, written to --failed-out and, with --state, recorded as done
   * (without --failed-out it is not done: the next run with the same --state tries it again).
   * Resolves once the line is written, with the promise of its durable record; a write error
   * stops the run and names the line.
   */
  const reject = async (raw: { line: number; end: number; bytes: Buffer }, why: Reason): Promise<Recorded> => {
    echo(raw.line, why.reason);
    const none = { after: Promise.resolve() };
    if (!failedOut) {
      keptNowhere(raw.line);
      return none;
    }
    if (stop?.cause === 'write') {
      lost.push(raw.line);
      return none;
    }
    const kind: DoneKind | undefined = why.kind === 'not sent' ? undefined : why.kind;
    const durable = (sizes: Sizes): Promise<void> =>
      kind && state ? commit({ kind, line: raw.line, end: raw.end, ...sizes }) : Promise.resolve();
    try {
      return await failedOut.record(raw.bytes, why, durable);
    } catch (error) {
      lost.push(raw.line);
      writeFailed(error);
      return none;
    }
  };

  /**
   * Without --failed-out, the first line not delivered and how many there are: a resume command
   * starts there (numbers only, not a list: a file may have millions of malformed lines).
   */
  const undelivered = { first: Infinity, count: 0 };
  function keptNowhere(line: number): void {
    undelivered.first = Math.min(undelivered.first, line);
    undelivered.count++;
  }

  /** A line in flight or waiting when the run stopped. */
  const notSent = async (job: LineJob): Promise<void> => {
    counts.notSent++;
    // With --state the line is simply not done: the next run sends it.
    if (state) return;
    if (!failedOut) {
      keptNowhere(job.line);
      return;
    }
    await (
      await reject(job, { line: job.line, kind: 'not sent', reason: `not sent: ${stopText()}` })
    ).after;
  };
  const stopText = (): string =>
    stop?.cause === 'SIGINT'
      ? 'interrupted'
      : stop?.cause === 'SIGTERM'
        ? 'terminated'
        : stop?.cause === 'endpoint'
          ? 'the endpoint was failing'
          : 'the run stopped on a write error';

  let failedInARow = 0;
  const deliver = async (job: LineJob, sent: () => void): Promise<void> => {
    const outcomes = await sendRequests(job.requests, sendOptions);
    sent();
    const failure = deliveryFailure(outcomes);
    const delivered = outcomes.filter((o) => o.result === 'delivered').length;
    counts.requests += delivered;
    if (!failure) {
      counts.sent++;
      failedInARow = 0;
      await commit({ kind: 'sent', line: job.line, end: job.end });
      return;
    }
    if (stopped() && halt.signal.aborted) {
      await notSent(job);
      return;
    }
    counts.failed++;
    const { outcome } = failure;
    if (!outcome.retryable) counts.notRetryable++;
    failedInARow++;
    const unreachable = outcome.error !== undefined && UNREACHABLE_ERRORS.has(outcome.error);
    if (!stopped() && (unreachable || failedInARow >= MAX_FAILED_LINES_IN_A_ROW)) {
      const message = unreachable
        ? `the endpoint cannot be reached (${outcome.error ?? ''} on line ${job.line}, after its retries)`
        : `the endpoint keeps failing: ${failedInARow} lines in a row were not delivered (the last: ${failure.reason})`;
      say(`stopping: ${message}`);
      stopWith({ cause: 'endpoint', message });
    }
    await (
      await reject(job, { line: job.line, kind: 'failed', reason: failure.reason })
    ).after;
  };

  const scheduler = new Scheduler<LineJob>({
    concurrency: options.concurrency,
    maxPendingJobs: options.concurrency * PENDING_LINES_PER_SLOT,
    maxPendingBytes: MAX_PENDING_BYTES,
    run: deliver,
  });

  if (options.signal?.aborted) interrupt();
  options.signal?.addEventListener('abort', interrupt, { once: true });

  // A resumed file is read from its first line not done; stdin, from its start, skipping what is done.
  const from: Position = state && input.seekable ? state.progress.done.firstGap() : START;
  const done = state?.progress.done;
  const pieces = splitLines(input.read(from), MAX_LINE_BYTES, from)[Symbol.asyncIterator]();
  /** The last line read whole: every line up to it is accounted for once the run ends. */
  let lastRead = from.line - 1;

  /** The bytes of a long line, from `first` to its last piece, whose end and size land in `last`. */
  async function* longBytes(first: LongLinePiece, last: { end: number; size: number }): AsyncGenerator<Buffer> {
    for (let piece = first; ;) {
      yield piece.bytes;
      if (piece.last) {
        last.end = piece.end;
        last.size = piece.size;
        return;
      }
      const next = await pieces.next();
      if (next.done || next.value.kind !== 'long') throw new Error(`line ${first.number} ended early`);
      piece = next.value;
    }
  }

  const tooLong = (line: number, size: number): Reason => ({
    line,
    kind: 'malformed',
    reason: `longer than the ${MAX_LINE_BYTES} bytes an event can be (${size} bytes): not read`,
  });

  /** A line longer than MAX_LINE_BYTES: malformed, and passed to --failed-out piece by piece, never held whole. */
  const longLine = async (first: LongLinePiece): Promise<void> => {
    const last = { end: 0, size: 0 };
    const skipped = done?.has(first.number) ?? false;
    if (!skipped) {
      counts.lines++;
      counts.malformed++;
    }
    if (skipped || !failedOut) {
      const rest = longBytes(first, last);
      while (!(await rest.next()).done) {
        // Read past it.
      }
      if (!skipped) echo(first.number, tooLong(first.number, last.size).reason);
      lastRead = first.number;
      return;
    }
    try {
      const recorded = await failedOut.recordPieces(
        first.number,
        longBytes(first, last),
        () => tooLong(first.number, last.size),
        (sizes) =>
          state ? commit({ kind: 'malformed', line: first.number, end: last.end, ...sizes }) : Promise.resolve(),
      );
      echo(first.number, tooLong(first.number, last.size).reason);
      chore(recorded.after);
      lastRead = first.number;
    } catch (error) {
      // Cut short by a stop (the input was closed): the line was not read, and is left for the resume.
      if (stopped()) return;
      lost.push(first.number);
      writeFailed(error);
    }
  };

  const take = async (raw: RawLine): Promise<void> => {
    const content = readLine(raw.bytes, raw.start === 0);
    const at = { line: raw.number, end: raw.end, bytes: raw.bytes };
    if (content.kind === 'blank') {
      if (state) chore(commit({ kind: 'blank', line: raw.number, end: raw.end }));
      return;
    }
    counts.lines++;
    if (content.kind === 'malformed') {
      counts.malformed++;
      chore((await reject(at, { line: raw.number, kind: 'malformed', reason: content.reason })).after);
      return;
    }
    let requests: KissmetricsRequest[];
    const budget = newBudget();
    try {
      requests = requestsFor(content.value, config, undefined, budget);
    } catch (error) {
      counts.untranslatable++;
      chore((await reject(at, { line: raw.number, kind: 'untranslatable', reason: reasonOf(error) })).after);
      return;
    }
    if (budget.omissions) {
      // Sent all the same: what Kissmetrics cannot store is said, never dropped silently.
      if (counts.trimmed++ < MAX_ECHOED_FAILURES) say(`line ${raw.number}: ${leftOut(budget)}; the rest sent`);
      else if (counts.trimmed === MAX_ECHOED_FAILURES + 1) say('… further lines trimmed are only counted');
    }
    if (!requests.length) {
      counts.nothingToSend++;
      if (state) chore(commit({ kind: 'nothing', line: raw.number, end: raw.end }));
      return;
    }
    if (options.dryRun) {
      counts.sent++;
      counts.requests += requests.length;
      await write(io.stdout, `${JSON.stringify({ line: raw.number, requests })}\n`);
      return;
    }
    const people = peopleOf(content.value);
    scheduler.add({ ...at, requests, people, sizeBytes: raw.bytes.length * 2 });
    await scheduler.room();
  };

  try {
    while (!stopped()) {
      let next: IteratorResult<RawLine | LongLinePiece>;
      try {
        next = await pieces.next();
      } catch (error) {
        // Closing the input on a stop may end a pending read with an error.
        if (stopped()) break;
        throw error;
      }
      if (next.done) break;
      const piece = next.value;
      progress.update(counts, 'end' in piece ? piece.end : piece.start);
      if (piece.kind === 'long') {
        await longLine(piece);
        continue;
      }
      if (!done?.has(piece.number)) await take(piece);
      lastRead = piece.number;
    }
  } finally {
    // A signal still stops the lines in flight after the last line is read.
    await scheduler.idle();
    while (chores.size) await Promise.all(chores);
    options.signal?.removeEventListener('abort', interrupt);
  }

  progress.update(counts, input.sizeBytes);
  progress.stop();
  input.close();
  await failedOut?.close().catch(() => undefined);
  await state?.close().catch(() => undefined);

  const report = summary(counts, earlier, options, stop, lost);
  const hint = stop || (state && notDelivered(counts) > 0 && !failedOut) ? resumeHint() : [];
  const text = [...report, ...hint].map((line) => escapeControls(redact(line, [options.apiKey])));
  await write(io.stderr, `${text.join('\n')}\n`);

  if (stop?.cause === 'SIGINT') return EXIT_SIGINT;
  if (stop?.cause === 'SIGTERM') return EXIT_SIGTERM;
  if (stop || lost.length) return EXIT_NOT_DELIVERED;
  return notDelivered(counts) + earlierNotDelivered(earlier) > 0 ? EXIT_NOT_DELIVERED : EXIT_OK;

  function resumeHint(): string[] {
    const inv = options.invocation;
    const key = inv.keyFromEnv ? [] : ['(with KISSMETRICS_API_KEY set to your API key: the key is never printed)'];
    const send = (extra: string[], source: string): string =>
      shellCommand([COMMAND_NAME, 'send', ...inv.options, ...extra, source]);
    if (state) {
      const failed = inv.failedOutPath ? ['--failed-out', inv.failedOutPath] : [];
      return [
        `resume: run the same command again (--state ${inv.statePath ?? ''} knows what was done):`,
        `  ${send([...failed, '--state', inv.statePath ?? ''], input.name)}`,
        ...key,
      ];
    }
    // Lines up to lastRead are delivered or in --failed-out, except those lost to a write error;
    // without --failed-out, the resume starts at the first line not delivered, whatever the reason.
    const pending = failedOut ? { first: Math.min(...lost), count: lost.length } : undelivered;
    const resumeAt = Math.min(pending.first, lastRead + 1);
    const failed = inv.failedOutPath ? ['--failed-out', inv.failedOutPath, '--append-failed-out'] : [];
    const command = send(failed, '-');
    const lines = [
      input.path === undefined
        ? `resume: send the input again from line ${resumeAt} on: … | tail -n +${resumeAt} | ${command}`
        : `resume: tail -n +${resumeAt} ${shellCommand([input.name])} | ${command}`,
    ];
    if (failedOut && counts.notSent > 0)
      lines.push(
        `  the ${plural(counts.notSent, 'line')} in flight or waiting when the run stopped are in ${failedOut.lines.name} ` +
          'with the other lines not delivered: replay that file once their causes are fixed',
      );
    const again = lastRead - resumeAt + 1 - pending.count;
    if (again > 0)
      lines.push(
        `  the ${plural(again, 'line')} after ${resumeAt - 1} already done will be sent again; --state FILE avoids that`,
      );
    return [...lines, ...key];
  }
};

const emptyDone = (): DoneCounts => ({ sent: 0, nothingToSend: 0, malformed: 0, untranslatable: 0, failed: 0 });

const summary = (
  c: Counts,
  earlier: DoneCounts,
  options: SendCommandOptions,
  stop: Stop | undefined,
  lost: number[],
): string[] => {
  const lines = [`summary: ${plural(c.lines, 'line')} read`];
  if (c.doneBefore) lines.push(row('done before', c.doneBefore, 'by earlier runs with this --state, skipped'));
  if (options.dryRun) {
    lines.push(
      row('translated', c.sent, `${plural(c.requests, 'request')} printed, none sent: dry run`),
      row('nothing to send', c.nothingToSend),
      row('malformed', c.malformed),
      row('untranslatable', c.untranslatable),
    );
  } else {
    const retried = c.failed - c.notRetryable;
    const failedNote = c.failed
      ? [retried ? `${retried} after retries` : '', c.notRetryable ? `${c.notRetryable} refused, not retryable` : '']
          .filter(Boolean)
          .join(', ')
      : undefined;
    lines.push(
      row('sent', c.sent, `${plural(c.requests, 'request')} delivered`),
      row('retried', c.retried, 'retries in all'),
      row('nothing to send', c.nothingToSend),
      row('malformed', c.malformed),
      row('untranslatable', c.untranslatable),
      row('failed', c.failed, failedNote),
    );
    if (c.notSent) lines.push(row('not sent', c.notSent, 'in flight or waiting when the run stopped'));
    if (c.trimmed) lines.push(row('trimmed', c.trimmed, 'sent without values Kissmetrics cannot store'));
  }
  if (stop) {
    lines.push(
      stop.cause === 'SIGINT'
        ? 'stopped: interrupted (Ctrl-C)'
        : stop.cause === 'SIGTERM'
          ? 'stopped: terminated (SIGTERM)'
          : `stopped: ${stop.message}`,
    );
  }
  // Lines not sent are left to the next run (--state) or to the resume command (no --failed-out).
  const lostHere = notDelivered(c) - (options.state || !options.failedOut ? c.notSent : 0);
  if (lostHere > 0) {
    const where = options.failedOut
      ? `, written to ${options.failedOut.lines.name}${options.failedOut.reasons ? ` (reasons in ${options.failedOut.reasons.name})` : ''}`
      : options.state
        ? ', listed above; the next run with this --state tries them again'
        : ', listed above (use --failed-out FILE to keep them)';
    const recorded = lostHere - (options.failedOut ? lost.length : 0);
    if (recorded > 0)
      lines.push(`${plural(recorded, 'line')} not ${options.dryRun ? 'translated' : 'delivered'}${where}`);
  }
  if (lost.length)
    lines.push(
      `${plural(lost.length, 'line')} not delivered and not recorded anywhere because of the write error: ` +
        `${lost.length === 1 ? 'line' : 'lines'} ${lineList(lost)}`,
    );
  const before = earlierNotDelivered(earlier);
  if (before) lines.push(`earlier runs with this --state: ${plural(before, 'line')} not delivered, in --failed-out`);
  return lines;
};
