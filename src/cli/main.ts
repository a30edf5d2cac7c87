import { readFileSync } from 'node:fs';
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
import { API_KEY_PATTERN } from '../rules/constants';
import { EXIT_INTERRUPTED, EXIT_NOT_DELIVERED, EXIT_USAGE, UsageError, openInput, openOutput, reasonOf } from './io';
import { runSend } from './send';
import { addServeCommand } from './serve';
import { runTranslate } from './translate';

const NAME = 'rudderstack-kissmetrics';

const version = (): string => {
  try {
    const pkg: unknown = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    return typeof pkg === 'object' && pkg !== null && 'version' in pkg ? String(pkg.version) : 'unknown';
  } catch {
    return 'unknown';
  }
};

const apiKey = (value: string): string => {
  if (!API_KEY_PATTERN.test(value))
    throw new InvalidArgumentError('expected a Kissmetrics API key (1-100 of A-Z a-z 0-9 _ -).');
  return value;
};

const endpoint = (value: string): string => {
  try {
    return trackingHostOf(value);
  } catch {
    throw new InvalidArgumentError('expected an http(s) URL without query, e.g. http://127.0.0.1:8080.');
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
}

interface SendFlags {
  apiKey: string;
  endpoint?: string;
  concurrency: number;
  failedOut?: string;
  dryRun: boolean;
  prefixProperties: boolean;
  maxAttempts?: number;
  timeoutMs?: number;
}

const apiKeyOption = (description: string): Option =>
  new Option('--api-key <key>', description).env('KISSMETRICS_API_KEY').argParser(apiKey);
const endpointOption = (): Option =>
  new Option('--endpoint <url>', `tracking host to send to (default: ${DEFAULT_TRACKING_HOST})`).argParser(endpoint);
const prefixOption = (): Option =>
  new Option(
    '--prefix-properties',
    'prefix track, page and product properties, as the destination setting does',
  ).default(false);

/** Ctrl-C once: stop reading, abort what is in flight (reported, written to --failed-out); twice: quit at once. */
const interruptible = (): AbortSignal => {
  const controller = new AbortController();
  process.on('SIGINT', () => {
    if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
    process.stderr.write('\ninterrupted: stopping, the lines in flight are reported as not delivered\n');
    controller.abort();
  });
  return controller.signal;
};

const program = new Command(NAME)
  .description('Translate RudderStack events for Kissmetrics, and send them server to server.')
  .version(version())
  .exitOverride()
  .showHelpAfterError('(run with --help for usage)')
  .addHelpText(
    'after',
    '\nExit status: 0 every line delivered (or translated), 1 some lines were not, 2 usage error, 130 interrupted.',
  );

program
  .command('translate')
  .description('print the _kmq commands (device mode) or the HTTP requests (cloud mode) each message becomes')
  .argument('[file]', 'one JSON message, or NDJSON; - or nothing for stdin')
  .addOption(new Option('--mode <mode>', 'what to print').choices(['device', 'cloud']).default('device'))
  .addOption(apiKeyOption(`API key shown in cloud requests (default: ${PLACEHOLDER_API_KEY})`))
  .addOption(prefixOption())
  .addOption(endpointOption())
  .action(async (file: string | undefined, _options: unknown, command: Command) => {
    const flags = command.opts<TranslateFlags>();
    const input = await openInput(file, process.stdin);
    process.exitCode = await runTranslate(
      input.stream,
      {
        mode: flags.mode,
        apiKey: flags.apiKey ?? PLACEHOLDER_API_KEY,
        prefixProperties: flags.prefixProperties,
        ...(flags.endpoint === undefined ? {} : { endpoint: flags.endpoint }),
      },
      process,
    );
  });

program
  .command('send')
  .description('send NDJSON RudderStack events (a warehouse export, a replay) to Kissmetrics')
  .argument('[file]', 'NDJSON, one event per line; - or nothing for stdin')
  .addOption(apiKeyOption('Kissmetrics API key').makeOptionMandatory())
  .addOption(endpointOption())
  .addOption(
    new Option('--concurrency <n>', `events in flight at once (1-${MAX_CONCURRENCY})`)
      .argParser(integer(1, MAX_CONCURRENCY))
      .default(DEFAULT_CONCURRENCY),
  )
  .addOption(
    new Option('--failed-out <file>', 'write every line not delivered here, as NDJSON {line, reason, event|raw}'),
  )
  .addOption(new Option('--dry-run', 'print the requests instead of sending them').default(false))
  .addOption(prefixOption())
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
  .action(async (file: string | undefined, _options: unknown, command: Command) => {
    const flags = command.opts<SendFlags>();
    const input = await openInput(file, process.stdin);
    const failedOut = flags.failedOut === undefined ? undefined : await openOutput(flags.failedOut);
    const signal = interruptible();
    signal.addEventListener('abort', () => input.stream.destroy(), { once: true });
    process.exitCode = await runSend(
      input,
      {
        apiKey: flags.apiKey,
        concurrency: flags.concurrency,
        prefixProperties: flags.prefixProperties,
        dryRun: flags.dryRun,
        signal,
        ...(flags.endpoint === undefined ? {} : { endpoint: flags.endpoint }),
        ...(failedOut === undefined ? {} : { failedOut, failedOutName: flags.failedOut }),
        ...(flags.maxAttempts === undefined ? {} : { maxAttempts: flags.maxAttempts }),
        ...(flags.timeoutMs === undefined ? {} : { timeoutMs: flags.timeoutMs }),
      },
      process,
    );
  });

addServeCommand(program);

try {
  await program.parseAsync();
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version end with code 0; every other parse error is a usage error.
    process.exitCode = error.exitCode === 0 ? 0 : EXIT_USAGE;
  } else if (error instanceof UsageError) {
    process.stderr.write(`${NAME}: ${error.message}\n`);
    process.exitCode = EXIT_USAGE;
  } else {
    process.stderr.write(`${NAME}: ${reasonOf(error)}\n`);
    process.exitCode = EXIT_NOT_DELIVERED;
  }
}
