import type { Readable, Writable } from 'node:stream';
import { requestsFor } from '../cloud/requests';
import { translateMessage } from '../rules/mapping';
import { bag } from '../rules/properties';
import { EXIT_NOT_DELIVERED, EXIT_OK, parseJson, readLines, reasonOf, write } from './io';

export interface TranslateOptions {
  mode: 'device' | 'cloud';
  apiKey: string;
  prefixProperties: boolean;
  endpoint?: string;
}

interface Io {
  stdout: Writable;
  stderr: Writable;
}

type Translation = { ok: true; value: unknown[] } | { ok: false; reason: string };

const translator = (options: TranslateOptions): ((message: unknown) => Translation) => {
  const config = {
    apiKey: options.apiKey,
    prefixProperties: options.prefixProperties,
    ...(options.endpoint === undefined ? {} : { trackingHost: options.endpoint }),
  };
  const run = (message: unknown): unknown[] =>
    options.mode === 'cloud' ? requestsFor(message, config) : translateMessage(bag(message).type, message, config);
  return (message) => {
    try {
      return { ok: true, value: run(message) };
    } catch (error) {
      return { ok: false, reason: reasonOf(error) };
    }
  };
};

/**
 * Prints what each message becomes. NDJSON is streamed, one output line per input line
 * (`{"line":N,"commands"|"requests":[…]}`); input whose first line is not JSON by itself is read as
 * one JSON document (a message, or an array of messages) and printed indented. Problems go to
 * stderr with their line (or message) number. Returns the exit status.
 */
export const runTranslate = async (input: Readable, options: TranslateOptions, io: Io): Promise<number> => {
  const translate = translator(options);
  const key = options.mode === 'cloud' ? 'requests' : 'commands';
  let problems = 0;
  const problem = async (where: string, reason: string): Promise<void> => {
    problems++;
    await write(io.stderr, `${where}: ${reason}\n`);
  };

  let document: string[] | undefined;
  let ndjson = false;
  for await (const { number, text } of readLines(input)) {
    if (document) {
      document.push(text);
      continue;
    }
    if (!text.trim()) continue;
    const parsed = parseJson(text);
    if (!parsed.ok) {
      // The first line is not a message by itself: the input is one (indented) JSON document.
      if (ndjson) await problem(`line ${number}`, parsed.reason);
      else document = [text];
      continue;
    }
    ndjson = true;
    const result = translate(parsed.value);
    if (result.ok) await write(io.stdout, `${JSON.stringify({ line: number, [key]: result.value })}\n`);
    else await problem(`line ${number}`, result.reason);
  }

  if (document) {
    const parsed = parseJson(document.join('\n'));
    if (!parsed.ok) {
      await problem('input', `neither NDJSON nor one JSON document (${parsed.reason})`);
    } else {
      const messages = Array.isArray(parsed.value) ? parsed.value : [parsed.value];
      for (const [i, message] of messages.entries()) {
        const result = translate(message);
        if (result.ok) await write(io.stdout, `${JSON.stringify(result.value, null, 2)}\n`);
        else await problem(`message ${i + 1}`, result.reason);
      }
    }
  }
  return problems ? EXIT_NOT_DELIVERED : EXIT_OK;
};
