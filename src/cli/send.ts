import type { Writable } from 'node:stream';
import { requestsFor } from '../cloud/requests';
import { sendRequests } from '../cloud/sender';
import type { CloudConfig, KissmetricsRequest, SendOptions, SendOutcome } from '../cloud/types';
import { EXIT_INTERRUPTED, EXIT_NOT_DELIVERED, EXIT_OK, close, parseJson, readLines, reasonOf, write } from './io';
import type { Input } from './io';
import { emptyCounts, notDelivered, progressOn } from './progress';
import type { Counts } from './progress';

/** Failures echoed on stderr when they are also written to `--failed-out`; all are echoed otherwise. */
const MAX_ECHOED_FAILURES = 20;

export interface SendCommandOptions {
  apiKey: string;
  endpoint?: string;
  concurrency: number;
  prefixProperties: boolean;
  dryRun: boolean;
  /** Where unsent lines go, already open; `failedOutName` is its name for messages. */
  failedOut?: Writable;
  failedOutName?: string;
  maxAttempts?: number;
  timeoutMs?: number;
  /** Aborted on Ctrl-C: reading stops, waits end, what is in flight is reported. */
  signal?: AbortSignal;
}

interface Io {
  stdout: Writable;
  stderr: NodeJS.WriteStream;
}

/** One `--failed-out` record: the line number, why, and the event (or the raw text of a malformed line). */
type FailedLine = { line: number; reason: string } & ({ event: unknown } | { raw: string });

const deliveryFailure = (outcomes: SendOutcome[]): string | undefined => {
  const index = outcomes.findIndex((o) => o.result === 'failed');
  const failed = outcomes[index];
  if (failed?.result !== 'failed') return undefined;
  const path = new URL(failed.request.endpoint).pathname;
  // A replay of the line re-sends these: say so, as Kissmetrics would count a recorded event twice.
  const before = index === 0 ? '' : index === 1 ? '; request 1 was delivered' : `; requests 1-${index} were delivered`;
  return `request ${index + 1} of ${outcomes.length} (${failed.request.method} ${path}) failed: ${failed.reason}${before}`;
};

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

const summary = (c: Counts, options: SendCommandOptions, interruptedAfter: number | undefined): string => {
  const rows: [string, number, string?][] = options.dryRun
    ? [
        ['translated', c.sent, `${plural(c.requests, 'request')} printed, none sent: dry run`],
        ['nothing to send', c.nothingToSend],
        ['malformed', c.malformed],
        ['untranslatable', c.untranslatable],
      ]
    : [
        ['sent', c.sent, `${plural(c.requests, 'request')} delivered`],
        ['retried', c.retried, 'retries in all'],
        ['nothing to send', c.nothingToSend],
        ['malformed', c.malformed],
        ['untranslatable', c.untranslatable],
        ['failed', c.failed, 'after retries'],
      ];
  const lines = [`summary: ${c.lines} lines read`];
  for (const [name, n, note] of rows)
    lines.push(`  ${`${name}:`.padEnd(17)}${String(n).padStart(9)}${note ? `  (${note})` : ''}`);
  if (interruptedAfter !== undefined) lines.push(`interrupted: lines after ${interruptedAfter} were not read`);
  const lost = notDelivered(c);
  if (lost) {
    lines.push(
      `${plural(lost, 'line')} not ${options.dryRun ? 'translated' : 'delivered'}` +
        (options.failedOutName
          ? `, written to ${options.failedOutName}`
          : ', listed above (use --failed-out FILE to keep them)'),
    );
  }
  return `${lines.join('\n')}\n`;
};

/**
 * Streams NDJSON RudderStack events to Kissmetrics: each line is parsed, translated and sent with at
 * most `concurrency` lines in flight; reading waits while that many are, so memory stays flat
 * whatever the input size. Every line that is not delivered goes to `--failed-out`. Returns the
 * exit status: 0 when every line was delivered (or had nothing to send), 1 otherwise, 130 when interrupted.
 */
export const runSend = async (input: Input, options: SendCommandOptions, io: Io): Promise<number> => {
  const config: CloudConfig = {
    apiKey: options.apiKey,
    prefixProperties: options.prefixProperties,
    ...(options.endpoint === undefined ? {} : { trackingHost: options.endpoint }),
  };
  const counts = emptyCounts();
  const progress = progressOn(io.stderr, input.sizeBytes);
  const sendOptions: SendOptions = {
    onRetry: () => {
      counts.retried++;
    },
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
    ...(options.timeoutMs === undefined ? {} : { requestTimeoutMs: options.timeoutMs }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };

  let echoed = 0;
  const reject = async (record: FailedLine, kind: 'malformed' | 'untranslatable' | 'failed'): Promise<void> => {
    counts[kind]++;
    if (!options.failedOut || echoed < MAX_ECHOED_FAILURES) progress.log(`line ${record.line}: ${record.reason}`);
    else if (echoed === MAX_ECHOED_FAILURES)
      progress.log(`… further lines not delivered are only in ${options.failedOutName ?? ''}`);
    echoed++;
    if (options.failedOut) await write(options.failedOut, `${JSON.stringify(record)}\n`);
  };

  const deliver = async (line: number, event: unknown, requests: KissmetricsRequest[]): Promise<void> => {
    const outcomes = await sendRequests(requests, sendOptions);
    const failure = deliveryFailure(outcomes);
    if (failure === undefined) {
      counts.sent++;
      counts.requests += outcomes.length;
    } else {
      counts.requests += outcomes.filter((o) => o.result === 'delivered').length;
      await reject({ line, reason: failure, event }, 'failed');
    }
  };

  const inFlight = new Set<Promise<void>>();
  let lastLine = 0;
  // Bytes of the lines taken up, not of the file read: the stream reads ahead of the work.
  let bytesDone = 0;
  for await (const { number, text } of readLines(input.stream)) {
    if (options.signal?.aborted) break;
    lastLine = number;
    bytesDone += Buffer.byteLength(text) + 1;
    progress.update(counts, bytesDone);
    if (!text.trim()) continue;
    counts.lines++;
    const parsed = parseJson(text);
    if (!parsed.ok) {
      await reject({ line: number, reason: parsed.reason, raw: text }, 'malformed');
      continue;
    }
    let requests: KissmetricsRequest[];
    try {
      requests = requestsFor(parsed.value, config);
    } catch (error) {
      await reject({ line: number, reason: reasonOf(error), event: parsed.value }, 'untranslatable');
      continue;
    }
    if (!requests.length) {
      counts.nothingToSend++;
      continue;
    }
    if (options.dryRun) {
      counts.sent++;
      counts.requests += requests.length;
      await write(io.stdout, `${JSON.stringify({ line: number, requests })}\n`);
      continue;
    }
    const sending: Promise<void> = deliver(number, parsed.value, requests).finally(() => inFlight.delete(sending));
    inFlight.add(sending);
    // Backpressure: no more lines are read while `concurrency` lines are in flight.
    if (inFlight.size >= options.concurrency) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  const interruptedAfter = options.signal?.aborted ? lastLine : undefined;

  progress.update(counts, input.sizeBytes);
  progress.stop();
  if (options.failedOut) await close(options.failedOut);
  await write(io.stderr, summary(counts, options, interruptedAfter));
  if (interruptedAfter !== undefined) return EXIT_INTERRUPTED;
  return notDelivered(counts) ? EXIT_NOT_DELIVERED : EXIT_OK;
};
