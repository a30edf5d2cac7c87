import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import {
  DEFAULT_CONCURRENCY,
  DEFAULT_TRACKING_HOST,
  MAX_ATTEMPTS,
  MAX_CONCURRENCY,
  PLACEHOLDER_API_KEY,
  REQUEST_TIMEOUT_MS,
} from '../cloud/constants';
import { trackingHostOf } from '../cloud/requests';
import { redact } from '../cloud/sender';
import { API_KEY_PATTERN } from '../rules/constants';
import { DEFAULT_NAMING, NAMINGS } from '../rules/naming';
import type { Naming } from '../rules/naming';
import {
  COMMAND_NAME,
  EXIT_NOT_DELIVERED,
  EXIT_SIGINT,
  EXIT_SIGTERM,
  EXIT_USAGE,
  MAX_FAILED_LINES_IN_A_ROW,
  REASONS_SUFFIX,
} from './constants';
import { UsageError, openInput } from './files';
import { commandPrefix } from './invocation';
import { reasonOf } from './lines';
import { runSend } from './send';
import { addServeCommand } from './serve';
import type { Invocation } from './send';
import { openSendFiles, ownJournalName } from './send/setup';
import { escapeControls } from './text';
import { runTranslate } from './translate';

const version = (): string => {
  try {
    const pkg: unknown = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    return typeof pkg === 'object' && pkg !== null && 'version' in pkg ? String(pkg.version) : 'unknown';
  } catch {
    return 'unknown';
  }
};

// The key and the endpoint are checked here, not by commander: its error would repeat the value,
// which may be a key with a typo or a URL with a password.

/** Every place `send` and `translate` take a key from, and where a key comes from in the first place. */
const KEY_PLACES =
  'give --api-key KEY or set KISSMETRICS_API_KEY (the key is in Kissmetrics under Product Settings; ' +
  "it is also the API Key of the Kissmetrics destination's settings in RudderStack)";

const checkedApiKey = (value: string | undefined, source: string | undefined): string => {
  if (value === undefined) throw new UsageError(`send needs your Kissmetrics API key: ${KEY_PLACES}`);
  if (!API_KEY_PATTERN.test(value)) {
    const where = source === 'env' ? 'KISSMETRICS_API_KEY' : '--api-key';
    throw new UsageError(
      `${where}: expected a Kissmetrics API key, 1-100 of A-Z a-z 0-9 _ - (the value is not repeated here); ${KEY_PLACES}`,
    );
  }
  secrets.push(value);
  return value;
};

/** Texts never printed, even in an unexpected error: the API key of this run. */
const secrets: string[] = [];

const checkedEndpoint = (value: string | undefined): string | undefined => {
  if (value === undefined) return undefined;
  try {
    return trackingHostOf(value);
  } catch (error) {
    throw new UsageError(`--endpoint: ${reasonOf(error).replace(/^config\.trackingHost /, '')}`);
  }
};

const integer =
  (min: number, max: number) =>
  (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || n < min || n > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}.`);
    }
    return n;
  };

interface TranslateFlags {
  mode: 'device' | 'cloud';
  apiKey?: string;
  prefixProperties: boolean;
  endpoint?: string;
  naming: Naming;
}

interface SendFlags {
  apiKey?: string;
  endpoint?: string;
  concurrency: number;
  failedOut?: string;
  appendFailedOut: boolean;
  state?: string;
  dryRun: boolean;
  prefixProperties: boolean;
  naming: Naming;
  maxAttempts?: number;
  timeoutMs?: number;
}

const apiKeyOption = (description: string): Option =>
  new Option('--api-key <key>', `${description}; or the KISSMETRICS_API_KEY variable`).env('KISSMETRICS_API_KEY');
const endpointOption = (): Option =>
  new Option(
    '--endpoint <url>',
    `tracking host to send to, an http(s) URL without ?, # or user:password@ (default: ${DEFAULT_TRACKING_HOST})`,
  );
const prefixOption = (): Option =>
  new Option(
    '--prefix-properties',
    'prefix track, page and product properties, as the destination setting does',
  ).default(false);

const namingOption = (): Option =>
  new Option(
    '--naming <naming>',
    "event and property names: ours, or those of RudderStack's own cloud destination (to keep its reports)",
  )
    .choices(NAMINGS)
    .default(DEFAULT_NAMING);

const EXIT_STATUS_HELP = `
Exit status:
  0    every line delivered (or with nothing to send); translate: every message translated
  1    some lines were not delivered (see --failed-out), or send stopped early because the
       endpoint kept failing or a file could not be written
  2    usage error: unknown or invalid option, unreadable input, --failed-out or --state refused
  ${EXIT_SIGINT}  interrupted (Ctrl-C, SIGINT)
  ${EXIT_SIGTERM}  terminated (SIGTERM)`;

const SEND_HELP = `
--failed-out FILE gets every line not delivered, byte for byte; why each line is there, and which
of its requests were delivered, goes in the same order to FILE${REASONS_SUFFIX}. Replay it with
send FILE: what was delivered is not sent again. An existing non-empty FILE is
refused unless --append-failed-out (or --state, for the run it belongs to).

Every run keeps a journal of each request the endpoint acknowledged, durably: --state FILE, or
one send names on stderr in the current folder (removed once every line is done). After any stop
(Ctrl-C, SIGTERM, a crash) the resume command printed (the same command with --state) sends
exactly what was not acknowledged; only after a crash may the requests then in flight (at most
--concurrency) be sent again. A resume refuses an input that changed since.

Lines of the same person (userId, else anonymousId; alias and identify: both ids) are sent in
input order at any concurrency. send stops after ${MAX_FAILED_LINES_IN_A_ROW} lines in a row fail, or when the endpoint
refuses connections. Ctrl-C (SIGINT) and SIGTERM stop reading, give the requests in flight a few
seconds to be answered, print the summary and how to resume; a second signal quits at once.
Redirects are never followed: the API key only goes to --endpoint.
${EXIT_STATUS_HELP}`;

/**
 * SIGINT and SIGTERM, once: an AbortSignal aborted with the signal's name (send stops cleanly);
 * twice: quit at once (a --state file is safe at any instant; without one, the summary is lost).
 */
const stopSignals = (): AbortSignal => {
  const controller = new AbortController();
  for (const [name, code] of [
    ['SIGINT', EXIT_SIGINT],
    ['SIGTERM', EXIT_SIGTERM],
  ] as const) {
    process.on(name, () => {
      if (controller.signal.aborted) {
        process.stderr.write(`${name} again: quitting now\n`);
        process.exit(code);
      }
      controller.abort(name);
    });
  }
  return controller.signal;
};

/** How this run was started, for the commands it prints: never with the API key. */
const invocationOf = (flags: SendFlags, keyFromEnv: boolean): Invocation => ({
  command: commandPrefix({
    modulePath: realpathSync(fileURLToPath(import.meta.url)),
    argv1: process.argv[1],
    cwd: process.cwd(),
  }),
  options: [
    ...(flags.endpoint === undefined ? [] : ['--endpoint', flags.endpoint]),
    ...(flags.concurrency === DEFAULT_CONCURRENCY ? [] : ['--concurrency', String(flags.concurrency)]),
    ...(flags.prefixProperties ? ['--prefix-properties'] : []),
    ...(flags.naming === DEFAULT_NAMING ? [] : ['--naming', flags.naming]),
    ...(flags.maxAttempts === undefined ? [] : ['--max-attempts', String(flags.maxAttempts)]),
    ...(flags.timeoutMs === undefined ? [] : ['--timeout-ms', String(flags.timeoutMs)]),
  ],
  keyFromEnv,
  ...(flags.failedOut === undefined ? {} : { failedOutPath: flags.failedOut }),
});

const program = new Command(COMMAND_NAME)
  .description('Translate RudderStack events for Kissmetrics, and send them server to server.')
  .version(version())
  .exitOverride()
  .showHelpAfterError('(run with --help for usage)')
  .addHelpText('after', EXIT_STATUS_HELP);

program
  .command('translate')
  .description('print the _kmq commands (device mode) or the HTTP requests (cloud mode) each message becomes')
  .argument('[file]', 'one JSON message, or NDJSON; - or nothing for stdin')
  .addOption(new Option('--mode <mode>', 'what to print').choices(['device', 'cloud']).default('device'))
  .addOption(apiKeyOption(`API key shown in cloud requests (default: ${PLACEHOLDER_API_KEY})`))
  .addOption(prefixOption())
  .addOption(namingOption())
  .addOption(endpointOption())
  .addHelpText('after', EXIT_STATUS_HELP)
  .action(async (file: string | undefined, _options: unknown, command: Command) => {
    const flags = command.opts<TranslateFlags>();
    if (flags.naming !== DEFAULT_NAMING && flags.mode !== 'cloud')
      throw new UsageError(
        `--naming ${flags.naming} names cloud requests: add --mode cloud (device mode has one naming)`,
      );
    const apiKey =
      flags.apiKey === undefined
        ? PLACEHOLDER_API_KEY
        : checkedApiKey(flags.apiKey, command.getOptionValueSource('apiKey'));
    const endpoint = checkedEndpoint(flags.endpoint);
    const input = await openInput(file, process.stdin);
    process.exitCode = await runTranslate(
      input,
      {
        mode: flags.mode,
        apiKey,
        prefixProperties: flags.prefixProperties,
        naming: flags.naming,
        ...(endpoint === undefined ? {} : { endpoint }),
      },
      process,
    );
  });

program
  .command('send')
  .description('send NDJSON RudderStack events (a warehouse export, a replay) to Kissmetrics')
  .argument('[file]', 'NDJSON, one event per line; - or nothing for stdin')
  .addOption(apiKeyOption('Kissmetrics API key (required)'))
  .addOption(endpointOption())
  .addOption(
    new Option('--concurrency <n>', `lines in flight at once (1-${MAX_CONCURRENCY})`)
      .argParser(integer(1, MAX_CONCURRENCY))
      .default(DEFAULT_CONCURRENCY),
  )
  .addOption(new Option('--failed-out <file>', 'write every line not delivered here, byte for byte (see below)'))
  .addOption(
    new Option('--append-failed-out', 'add to an existing --failed-out file instead of refusing it').default(false),
  )
  .addOption(new Option('--state <file>', 'remember progress here, to resume after any stop (see below)'))
  .addOption(new Option('--dry-run', 'print the requests instead of sending them').default(false))
  .addOption(prefixOption())
  .addOption(namingOption())
  .addOption(
    new Option('--max-attempts <n>', `attempts per request, retries included (default: ${MAX_ATTEMPTS})`).argParser(
      integer(1, 100),
    ),
  )
  .addOption(
    new Option('--timeout-ms <ms>', `timeout of one attempt (default: ${REQUEST_TIMEOUT_MS})`).argParser(
      integer(1, 600_000),
    ),
  )
  .addHelpText('after', SEND_HELP)
  .action(async (file: string | undefined, _options: unknown, command: Command) => {
    const flags = command.opts<SendFlags>();
    const apiKey = checkedApiKey(flags.apiKey, command.getOptionValueSource('apiKey'));
    const endpoint = checkedEndpoint(flags.endpoint);
    if (flags.dryRun && flags.state !== undefined)
      throw new UsageError('--state records deliveries and --dry-run sends nothing: use one or the other');
    if (flags.appendFailedOut && flags.failedOut === undefined)
      throw new UsageError('--append-failed-out adds to the --failed-out file: give --failed-out FILE too');
    const signal = stopSignals();
    const input = await openInput(file, process.stdin);
    const opened = await openSendFiles(input, {
      apiKey,
      prefixProperties: flags.prefixProperties,
      naming: flags.naming,
      appendFailedOut: flags.appendFailedOut,
      dryRun: flags.dryRun,
      ownJournal: () => ownJournalName(new Date(), process.pid),
      ...(endpoint === undefined ? {} : { endpoint }),
      ...(flags.failedOut === undefined ? {} : { failedOut: flags.failedOut }),
      ...(flags.state === undefined ? {} : { state: flags.state }),
    }).catch((error: unknown) => {
      input.close();
      throw error;
    });
    const invocation = invocationOf(flags, command.getOptionValueSource('apiKey') === 'env');
    process.exitCode = await runSend(
      input,
      {
        apiKey,
        concurrency: flags.concurrency,
        prefixProperties: flags.prefixProperties,
        naming: flags.naming,
        dryRun: flags.dryRun,
        signal,
        invocation,
        ...(endpoint === undefined ? {} : { endpoint }),
        ...(opened.failedOut ? { failedOut: opened.failedOut } : {}),
        ...(opened.journal ? { journal: opened.journal } : {}),
        ...(flags.maxAttempts === undefined ? {} : { maxAttempts: flags.maxAttempts }),
        ...(flags.timeoutMs === undefined ? {} : { timeoutMs: flags.timeoutMs }),
      },
      process,
    );
  });

addServeCommand(program);

/** One line on stderr: control characters escaped, no API key. */
const complain = (text: string): void => {
  process.stderr.write(`${escapeControls(redact(text, secrets))}\n`);
};

try {
  await program.parseAsync();
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version end with code 0; every other parse error is a usage error.
    process.exitCode = error.exitCode === 0 ? 0 : EXIT_USAGE;
  } else if (error instanceof UsageError) {
    complain(`${COMMAND_NAME}: ${error.message}`);
    process.exitCode = EXIT_USAGE;
  } else {
    complain(`${COMMAND_NAME}: ${reasonOf(error)}`);
    process.exitCode = EXIT_NOT_DELIVERED;
  }
}
