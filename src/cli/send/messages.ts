import { CHECKSUMS_SUFFIX, MAX_RESUME_HELD_BYTES } from '../constants';
import { UsageError } from '../files';

/** Texts of `send` that refuse a run (exit 2): what was wrong, and what to do. */

const startOver = (journal: string): string =>
  `To send this input as it is now, start over: remove ${journal} and ${journal}${CHECKSUMS_SUFFIX} ` +
  '(what the journal recorded as delivered was delivered: a new run sends it again).';

/** A line the journal recorded is not what it was; `elsewhere` says when the journal was written reading another file. */
export const changedLine = (journal: string, line: number, elsewhere = ''): UsageError =>
  new UsageError(
    `the input changed since the journal ${journal} was written${elsewhere}: line ${line} is not the line it ` +
      'recorded (the first that differs); nothing was sent. Resuming would skip or repeat changed lines. ' +
      `Restore the input it was written for, or ${startOver(journal).replace(/^To send/, 'to send')}`,
  );

/** The input ends before the last line the journal recorded. */
export const endedEarly = (journal: string, lines: number, recorded: number, elsewhere = ''): UsageError =>
  new UsageError(
    `the input changed since the journal ${journal} was written${elsewhere}: it has ${lines} lines, and the journal ` +
      `recorded line ${recorded}; nothing was sent. Restore the input it was written for, or ${startOver(journal).replace(/^To send/, 'to send')}`,
  );

/** A resume from stdin would have to hold too much before it can check the input. */
export const tooMuchHeld = (journal: string, line: number): UsageError =>
  new UsageError(
    `resuming from stdin with ${journal}: line ${line} and those before it that are not done cannot be held ` +
      `(at most ${MAX_RESUME_HELD_BYTES} bytes, no line longer than an event) until every line the journal ` +
      'recorded is checked; nothing was sent. Give the input as a file instead of stdin.',
  );

/** The checksums file of a journal is missing or shorter than its checkpoint says. */
export const checksumsMissing = (journal: string): UsageError =>
  new UsageError(
    `the journal ${journal} has lost its checksums (${journal}${CHECKSUMS_SUFFIX} is missing or cut short): ` +
      `it cannot tell whether the input changed; nothing was sent. ${startOver(journal)}`,
  );

/** Said when a journal was written reading another file than this run's input (the content decides, not the name). */
export const readingElsewhere = (was: string | null, now: string | null): string =>
  was === now ? '' : ` (it was written reading ${was ?? 'stdin'}; this run reads ${now ?? 'stdin'})`;
