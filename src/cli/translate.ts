import type { Writable } from 'node:stream';
import { requestsFor } from '../cloud/requests';
import { redact } from '../cloud/sender';
import { translateMessage } from '../rules/mapping';
import { leftOut } from '../rules/messages';
import type { Naming } from '../rules/naming';
import { bag, newBudget } from '../rules/properties';
import { EXIT_NOT_DELIVERED, EXIT_OK, MAX_DOCUMENT_BYTES, MAX_LINE_BYTES } from './constants';
import { write } from './files';
import type { Input } from './files';
import { readLine, reasonOf, splitLines } from './lines';
import { escapeControls } from './text';

export interface TranslateOptions {
  mode: 'device' | 'cloud';
  apiKey: string;
  prefixProperties: boolean;
  endpoint?: string;
  /** Cloud mode's naming (default: ours). */
  naming?: Naming;
}

interface Io {
  stdout: Writable;
  stderr: Writable;
}

/** What a message becomes, and what it had to leave out or cut (`trimmed`), if anything. */
type Translation = { ok: true; value: unknown[]; trimmed?: string } | { ok: false; reason: string };

const translator = (options: TranslateOptions): ((message: unknown) => Translation) => {
  const config = {
    apiKey: options.apiKey,
    prefixProperties: options.prefixProperties,
    ...(options.endpoint === undefined ? {} : { trackingHost: options.endpoint }),
    ...(options.naming === undefined ? {} : { naming: options.naming }),
  };
  return (message) => {
    const budget = newBudget();
    try {
      const value: unknown[] =
        options.mode === 'cloud'
          ? requestsFor(message, config, undefined, budget)
          : translateMessage(bag(message).type, message, config, undefined, budget);
      return budget.omissions ? { ok: true, value, trimmed: leftOut(budget) } : { ok: true, value };
    } catch (error) {
      return { ok: false, reason: reasonOf(error) };
    }
  };
};

/**
 * Prints what each message becomes. NDJSON is streamed, one output line per input line
 * (`{"line":N,"commands"|"requests":[…]}`); input whose first line is not JSON by itself is read as
 * one JSON document (a message, or an array of messages) of at most MAX_DOCUMENT_BYTES and printed
 * indented. Problems go to stderr with their line (or message) number. Returns the exit status.
 */
export const runTranslate = async (input: Input, options: TranslateOptions, io: Io): Promise<number> => {
  const translate = translator(options);
  const key = options.mode === 'cloud' ? 'requests' : 'commands';
  let problems = 0;
  const note = async (where: string, text: string): Promise<void> => {
    await write(io.stderr, `${escapeControls(redact(`${where}: ${text}`, [options.apiKey]))}\n`);
  };
  const problem = async (where: string, reason: string): Promise<void> => {
    problems++;
    await note(where, reason);
  };
  /** Prints a translation, and on stderr what it left out or cut: that is said, not a failure. */
  const print = async (where: string, result: Translation, text: (value: unknown[]) => string): Promise<void> => {
    if (!result.ok) return problem(where, result.reason);
    await write(io.stdout, text(result.value));
    if (result.trimmed) await note(where, `${result.trimmed}; the rest translated`);
  };

  let document: Buffer[] | undefined;
  let documentBytes = 0;
  let ndjson = false;
  for await (const piece of splitLines(input.read(), MAX_LINE_BYTES)) {
    if (document) {
      documentBytes += piece.bytes.length + 1;
      if (documentBytes > MAX_DOCUMENT_BYTES) {
        await problem(
          'input',
          `line 1 is not JSON by itself and the input is longer than ${MAX_DOCUMENT_BYTES} bytes: ` +
            `expected NDJSON (one message per line) or one JSON document of at most ${MAX_DOCUMENT_BYTES} bytes`,
        );
        input.close();
        return EXIT_NOT_DELIVERED;
      }
      document.push(piece.bytes);
      continue;
    }
    if (piece.kind === 'long') {
      if (piece.last)
        await problem(`line ${piece.number}`, `longer than ${MAX_LINE_BYTES} bytes (${piece.size}): not read`);
      continue;
    }
    const content = readLine(piece.bytes, piece.start === 0);
    if (content.kind === 'blank') continue;
    if (content.kind === 'malformed') {
      // The first line is not a message by itself: the input is one (indented) JSON document.
      if (ndjson) await problem(`line ${piece.number}`, content.reason);
      else {
        document = [piece.bytes];
        documentBytes = piece.bytes.length;
      }
      continue;
    }
    ndjson = true;
    await print(
      `line ${piece.number}`,
      translate(content.value),
      (value) => `${JSON.stringify({ line: piece.number, [key]: value })}\n`,
    );
  }

  if (document) {
    const parsed = readLine(Buffer.concat(document.flatMap((bytes) => [bytes, Buffer.from('\n')])), true);
    if (parsed.kind !== 'json') {
      await problem(
        'input',
        `neither NDJSON nor one JSON document (${parsed.kind === 'malformed' ? parsed.reason : 'empty'})`,
      );
    } else {
      const messages = Array.isArray(parsed.value) ? parsed.value : [parsed.value];
      for (const [i, message] of messages.entries()) {
        await print(`message ${i + 1}`, translate(message), (value) => `${JSON.stringify(value, null, 2)}\n`);
      }
    }
  }
  return problems ? EXIT_NOT_DELIVERED : EXIT_OK;
};
