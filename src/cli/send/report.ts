import type { Writable } from 'node:stream';
import { redact } from '../../cloud/sender';
import type { KissmetricsRequest } from '../../cloud/types';
import {
  EXIT_NOT_DELIVERED,
  EXIT_OK,
  EXIT_SIGINT,
  EXIT_SIGTERM,
  MAX_ECHOED_FAILURES,
  REASONS_SUFFIX,
} from '../constants';
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

/** How this run was started, to print the commands that go on from it (never with the API key). */
export interface Invocation {
  /** What runs this command from the folder it was started in: `npx rudderstack-kissmetrics`, `node dist/cli.mjs`… */
  command: string[];
  /** Options of this run, without the API key, the input, --failed-out, --append-failed-out and --state. */
  options: string[];
  /** The key came from KISSMETRICS_API_KEY, which a resumed run finds again. */
  keyFromEnv: boolean;
  failedOutPath?: string;
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

  /** Ends the progress display without a summary (the run was refused). */
  abandon(): void {
    this.progress.stop();
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
    ...(c.notSent
      ? [row('not sent', c.notSent, 'in flight or waiting when the run stopped: left for the resume')]
      : []),
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
  // Lines not sent are left to the resume; lines lost to a write error are named apart.
  const kept = notDelivered(c) - c.notSent - (facts.failedOut ? lost.length : 0);
  const where = facts.failedOut
    ? `, written to ${facts.failedOut.name}${facts.failedOut.reasonsName ? ` (reasons in ${facts.failedOut.reasonsName})` : ''}`
    : facts.dryRun
      ? ', listed above'
      : ', listed above; the resume tries them again (with --failed-out FILE they are kept there instead)';
  if (kept > 0) lines.push(`${plural(kept, 'line')} not ${facts.dryRun ? 'translated' : 'delivered'}${where}`);
  if (lost.length)
    lines.push(
      `${plural(lost.length, 'line')} not delivered and not recorded anywhere because of the write error: ` +
        `${lost.length === 1 ? 'line' : 'lines'} ${lineList(lost)}; the resume tries them again`,
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

/** What the commands that go on from this run need to know. */
export interface HintFacts {
  invocation: Invocation;
  input: { name: string; path?: string };
  /** The journal, as the person at the terminal names it. */
  journal: string;
}

const KEY_NOTE = '(with KISSMETRICS_API_KEY set to your API key: the key is never printed)';

const sendCommand = (inv: Invocation, extra: string[], source: string): string =>
  shellCommand([...inv.command, 'send', ...inv.options, ...extra, source]);

/** The command that sends exactly what this run left: the same input, with its journal (`… |` for stdin). */
export const resumeCommand = (facts: HintFacts): string => {
  const inv = facts.invocation;
  const failedOut = inv.failedOutPath === undefined ? [] : ['--failed-out', inv.failedOutPath];
  const extra = [...failedOut, '--state', facts.journal];
  const fromFile = facts.input.path !== undefined;
  const command = sendCommand(inv, extra, fromFile ? facts.input.name : '-');
  return fromFile ? command : `… | ${command}`;
};

export const resumeHint = (facts: HintFacts): string[] => [
  `resume: ${resumeCommand(facts)}`,
  ...(facts.input.path === undefined ? ['  (… is the same input as before, on stdin)'] : []),
  `  (${facts.journal} knows every request acknowledged: none is sent again, a line partly sent goes on ` +
    'from its first request not acknowledged)',
  ...(facts.invocation.keyFromEnv ? [] : [KEY_NOTE]),
];

/** A name for the --failed-out of a replay that does not exist yet: `failed.ndjson` → `failed.replay.ndjson`. */
export const replayTarget = (failedOut: string, exists: (path: string) => boolean): string => {
  const dot = failedOut.endsWith('.ndjson') ? failedOut.length - '.ndjson'.length : failedOut.length;
  const name = (n: number): string =>
    `${failedOut.slice(0, dot)}.replay${n === 1 ? '' : `-${n}`}${failedOut.slice(dot)}`;
  let n = 1;
  while (exists(name(n)) || exists(name(n) + REASONS_SUFFIX)) n++;
  return name(n);
};

/** The command that replays --failed-out once the causes are fixed; a request delivered is never sent again. */
export const replayHint = (inv: Invocation, failedOut: string, target: string): string[] => [
  `replay, once their causes are fixed: ${sendCommand(inv, ['--failed-out', target], failedOut)}`,
  `  (the reasons next to ${failedOut} say which requests were delivered: a replay sends only the others)`,
  ...(inv.keyFromEnv ? [] : [KEY_NOTE]),
];

/** The exit status of a run: how it stopped, and whether every line (of every run of its journal) was delivered. */
export const exitStatus = (run: RunState, earlier: DoneCounts): number => {
  if (run.stop?.cause === 'SIGINT') return EXIT_SIGINT;
  if (run.stop?.cause === 'SIGTERM') return EXIT_SIGTERM;
  if (run.stop || run.lost.length) return EXIT_NOT_DELIVERED;
  return notDelivered(run.counts) + earlierNotDelivered(earlier) > 0 ? EXIT_NOT_DELIVERED : EXIT_OK;
};
