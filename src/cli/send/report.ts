import type { Writable } from 'node:stream';
import { redact } from '../../cloud/sender';
import type { KissmetricsRequest } from '../../cloud/types';
import { COMMAND_NAME, MAX_ECHOED_FAILURES } from '../constants';
import { write } from '../files';
import { escapeControls, plural, shellCommand } from '../text';
import type { DoneCounts } from './journal';
import { notDelivered, progressOn } from './progress';
import type { Counts, Progress } from './progress';
import type { RunState, Stop } from './run';

/*
 * Stage 6, report: what the person at the terminal sees. Progress while the run goes, each line not
 * delivered (or trimmed) as it happens, then the summary and, when something is left to do, the
 * command that does it. Every text goes through `escapeControls` and never shows the API key.
 */

/** How this run was started, to print the command that resumes it (never with the API key). */
export interface Invocation {
  /** Options of this run, without the API key, the input, --failed-out, --append-failed-out and --state. */
  options: string[];
  /** The key came from KISSMETRICS_API_KEY, which a resumed run finds again. */
  keyFromEnv: boolean;
  failedOutPath?: string;
  statePath?: string;
}

export interface Io {
  stdout: Writable;
  stderr: NodeJS.WriteStream;
}

export class Reporter {
  private echoed = 0;
  private readonly progress: Progress;

  constructor(
    private readonly io: Io,
    private readonly apiKey: string,
    sizeBytes: number | undefined,
    /** Where lines not delivered are kept, if anywhere: past MAX_ECHOED_FAILURES they are only there. */
    private readonly failedOutName: string | undefined,
  ) {
    this.progress = progressOn(io.stderr, sizeBytes);
  }

  /** Every text for the terminal: control characters escaped, the API key never shown. */
  say(text: string): void {
    this.progress.log(this.clean(text));
  }

  private clean(text: string): string {
    return escapeControls(redact(text, [this.apiKey]));
  }

  /** A line not delivered; with --failed-out, only the first MAX_ECHOED_FAILURES are shown. */
  echo(line: number, reason: string): void {
    if (this.failedOutName === undefined || this.echoed < MAX_ECHOED_FAILURES) this.say(`line ${line}: ${reason}`);
    else if (this.echoed === MAX_ECHOED_FAILURES)
      this.say(`… further lines not delivered are only in ${this.failedOutName}`);
    this.echoed++;
  }

  /** A line sent without what Kissmetrics cannot store: said, never dropped silently. */
  trimmed(counts: Counts, line: number, what: string): void {
    if (counts.trimmed++ < MAX_ECHOED_FAILURES) this.say(`line ${line}: ${what}; the rest sent`);
    else if (counts.trimmed === MAX_ECHOED_FAILURES + 1) this.say('… further lines trimmed are only counted');
  }

  /** `--dry-run`: what a line would send, on stdout. */
  async printRequests(line: number, requests: KissmetricsRequest[]): Promise<void> {
    await write(this.io.stdout, `${JSON.stringify({ line, requests })}\n`);
  }

  update(counts: Counts, bytesDone: number | undefined): void {
    this.progress.update(counts, bytesDone);
  }

  /** Ends the progress display and prints `lines` (the summary and what to do next). */
  async finish(counts: Counts, bytesDone: number | undefined, lines: string[]): Promise<void> {
    this.progress.update(counts, bytesDone);
    this.progress.stop();
    await write(this.io.stderr, `${lines.map((line) => this.clean(line)).join('\n')}\n`);
  }
}

const row = (name: string, n: number, note?: string): string =>
  `  ${`${name}:`.padEnd(17)}${String(n).padStart(9)}${note ? `  (${note})` : ''}`;

export const earlierNotDelivered = (c: DoneCounts): number => c.malformed + c.untranslatable + c.failed;

/** A short list of line numbers: `3, 7, 12 and 40 more`. */
const lineList = (lines: number[]): string => {
  const shown = lines.slice(0, MAX_ECHOED_FAILURES).join(', ');
  return lines.length > MAX_ECHOED_FAILURES ? `${shown} and ${lines.length - MAX_ECHOED_FAILURES} more` : shown;
};

/** What the summary needs to know about the run's set-up. */
export interface SummaryFacts {
  dryRun: boolean;
  journal: boolean;
  failedOut?: { name: string; reasonsName?: string };
  earlier: DoneCounts;
}

const countRows = (c: Counts, dryRun: boolean): string[] => {
  if (dryRun)
    return [
      row('translated', c.sent, `${plural(c.requests, 'request')} printed, none sent: dry run`),
      row('nothing to send', c.nothingToSend),
      row('malformed', c.malformed),
      row('untranslatable', c.untranslatable),
    ];
  const retried = c.failed - c.notRetryable;
  const failedNote = c.failed
    ? [retried ? `${retried} after retries` : '', c.notRetryable ? `${c.notRetryable} refused, not retryable` : '']
        .filter(Boolean)
        .join(', ')
    : undefined;
  return [
    row('sent', c.sent, `${plural(c.requests, 'request')} delivered`),
    row('retried', c.retried, 'retries in all'),
    row('nothing to send', c.nothingToSend),
    row('malformed', c.malformed),
    row('untranslatable', c.untranslatable),
    row('failed', c.failed, failedNote),
    ...(c.notSent ? [row('not sent', c.notSent, 'in flight or waiting when the run stopped')] : []),
    ...(c.trimmed ? [row('trimmed', c.trimmed, 'sent without values Kissmetrics cannot store')] : []),
  ];
};

const stopLine = (stop: Stop): string =>
  stop.cause === 'SIGINT'
    ? 'stopped: interrupted (Ctrl-C)'
    : stop.cause === 'SIGTERM'
      ? 'stopped: terminated (SIGTERM)'
      : `stopped: ${stop.message}`;

/** Where the lines not delivered went, and those lost to a write error. */
const undeliveredLines = (c: Counts, facts: SummaryFacts, lost: number[]): string[] => {
  const lines: string[] = [];
  // Lines not sent are left to the next run (journal) or to the resume command (no --failed-out).
  const lostHere = notDelivered(c) - (facts.journal || !facts.failedOut ? c.notSent : 0);
  const where = facts.failedOut
    ? `, written to ${facts.failedOut.name}${facts.failedOut.reasonsName ? ` (reasons in ${facts.failedOut.reasonsName})` : ''}`
    : facts.journal
      ? ', listed above; the next run with this --state tries them again'
      : ', listed above (use --failed-out FILE to keep them)';
  const recorded = lostHere - (facts.failedOut ? lost.length : 0);
  if (lostHere > 0 && recorded > 0)
    lines.push(`${plural(recorded, 'line')} not ${facts.dryRun ? 'translated' : 'delivered'}${where}`);
  if (lost.length)
    lines.push(
      `${plural(lost.length, 'line')} not delivered and not recorded anywhere because of the write error: ` +
        `${lost.length === 1 ? 'line' : 'lines'} ${lineList(lost)}`,
    );
  return lines;
};

export const summary = (c: Counts, facts: SummaryFacts, stop: Stop | undefined, lost: number[]): string[] => {
  const lines = [`summary: ${plural(c.lines, 'line')} read`];
  if (c.doneBefore) lines.push(row('done before', c.doneBefore, 'by earlier runs with this --state, skipped'));
  lines.push(...countRows(c, facts.dryRun));
  if (stop) lines.push(stopLine(stop));
  lines.push(...undeliveredLines(c, facts, lost));
  const before = earlierNotDelivered(facts.earlier);
  if (before) lines.push(`earlier runs with this --state: ${plural(before, 'line')} not delivered, in --failed-out`);
  return lines;
};

/** What the resume command needs to know about the run. */
export interface HintFacts {
  invocation: Invocation;
  input: { name: string; path?: string };
  journal: boolean;
  failedOutName?: string;
}

const KEY_NOTE = '(with KISSMETRICS_API_KEY set to your API key: the key is never printed)';

/** The command that sends what this run left, and what it will and will not do. */
export const resumeHint = (facts: HintFacts, run: RunState): string[] => {
  const inv = facts.invocation;
  const key = inv.keyFromEnv ? [] : [KEY_NOTE];
  const send = (extra: string[], source: string): string =>
    shellCommand([COMMAND_NAME, 'send', ...inv.options, ...extra, source]);
  if (facts.journal) {
    const failed = inv.failedOutPath ? ['--failed-out', inv.failedOutPath] : [];
    return [
      `resume: run the same command again (--state ${inv.statePath ?? ''} knows what was done):`,
      `  ${send([...failed, '--state', inv.statePath ?? ''], facts.input.name)}`,
      ...key,
    ];
  }
  // Lines up to lastRead are delivered or in --failed-out, except those lost to a write error;
  // without --failed-out, the resume starts at the first line not delivered, whatever the reason.
  const pending = facts.failedOutName ? { first: Math.min(...run.lost), count: run.lost.length } : run.undelivered;
  const resumeAt = Math.min(pending.first, run.lastRead + 1);
  const failed = inv.failedOutPath ? ['--failed-out', inv.failedOutPath, '--append-failed-out'] : [];
  const command = send(failed, '-');
  const lines = [
    facts.input.path === undefined
      ? `resume: send the input again from line ${resumeAt} on: … | tail -n +${resumeAt} | ${command}`
      : `resume: tail -n +${resumeAt} ${shellCommand([facts.input.name])} | ${command}`,
  ];
  const { notSent } = run.counts;
  if (facts.failedOutName && notSent > 0)
    lines.push(
      `  the ${plural(notSent, 'line')} in flight or waiting when the run stopped are in ${facts.failedOutName} ` +
        'with the other lines not delivered: replay that file once their causes are fixed',
    );
  const again = run.lastRead - resumeAt + 1 - pending.count;
  if (again > 0)
    lines.push(
      `  the ${plural(again, 'line')} after ${resumeAt - 1} already done will be sent again; --state FILE avoids that`,
    );
  return [...lines, ...key];
};
