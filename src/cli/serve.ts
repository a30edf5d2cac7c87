import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import { DEFAULT_NAMING, NAMINGS } from '../rules/naming';
import type { Naming } from '../rules/naming';
import { DEFAULT_HOST, DEFAULT_PORT, SHUTDOWN_DEADLINE_MS, SHUTDOWN_UPLOAD_GRACE_MS } from '../service/constants';
import type { StopReport } from '../service/shutdown';
import { startService } from '../service/server';
import { UsageError } from './files';

const MAX_PORT = 65_535;

interface ServeFlags {
  port: number;
  host: string;
  naming: Naming;
}

const port = (value: string): number => {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > MAX_PORT)
    throw new InvalidArgumentError(`expected a port from 0 to ${MAX_PORT} (0 picks a free one).`);
  return n;
};

const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/**
 * Starts the service, then waits for SIGTERM or SIGINT: stops accepting, answers the calls it has read,
 * cuts uploads that stall, exits 0 (1 only when a call it had read was cut at the deadline).
 * Each line is printed only once what it announces is done, so whoever reads it can rely on it.
 */
const serve = async (flags: ServeFlags): Promise<number> => {
  // Listening for signals before the service (and its start-up line) exists: a signal sent as soon as
  // the line appears must find the handler in place, not Node's default (exit at once).
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  const service = await startService(flags).catch((cause: unknown) => {
    const code = (cause as NodeJS.ErrnoException | undefined)?.code ?? String(cause);
    throw new UsageError(`cannot listen on ${flags.host}:${flags.port} (${code}): choose another --port or --host`);
  });
  say(
    `rudderstack-kissmetrics serve: listening on ${service.url} ` +
      '(POST /v0/destinations/kissmetrics, POST /routerTransform, GET /features, GET /health)',
  );

  const signal = await stopSignal;
  const again = (): void => {
    say('second signal: stopping now, calls in flight are cut');
    process.exit(1);
  };
  process.once('SIGTERM', again);
  process.once('SIGINT', again);
  const inFlight = service.inFlight();
  const stopped = service.close();
  say(
    `${signal}: stopping; no new connections, ${inFlight} call(s) in flight are answered, uploads still arriving ` +
      `after ${SHUTDOWN_UPLOAD_GRACE_MS / 1000} s are cut, anything left after ${SHUTDOWN_DEADLINE_MS / 1000} s ` +
      '(a second signal stops at once)',
  );
  const report = await stopped;
  say(stoppedLine(report));
  return report.callsCut ? 1 : 0;
};

/** The last line: what was answered while stopping, and what was cut. */
const stoppedLine = ({ answered, uploadsCut, callsCut }: StopReport): string =>
  (callsCut
    ? `stopped: ${callsCut} call(s) read were cut at the ${SHUTDOWN_DEADLINE_MS / 1000} s deadline`
    : `stopped: every call read was answered (${answered} while stopping)`) +
  (uploadsCut
    ? `; ${uploadsCut} upload${uploadsCut === 1 ? '' : 's'} still arriving after ${SHUTDOWN_UPLOAD_GRACE_MS / 1000} s ${uploadsCut === 1 ? 'was' : 'were'} cut`
    : '');

/** Adds `serve` to the program: a transformer service for rudder-server (SPEC §5.2). */
export const addServeCommand = (program: Command): void => {
  program
    .command('serve')
    .description(
      'run a transformer service for rudder-server (DEST_TRANSFORM_URL): Kissmetrics events in, tracking requests out',
    )
    .addOption(
      new Option('--port <n>', 'port to listen on; 0 picks a free one')
        .env('PORT')
        .argParser(port)
        .default(DEFAULT_PORT),
    )
    .addOption(
      new Option('--host <address>', 'address to listen on; 0.0.0.0 for every interface (in a container)').default(
        DEFAULT_HOST,
      ),
    )
    .addOption(
      new Option(
        '--naming <naming>',
        "event and property names, unless a destination's config has a naming: ours, or those of RudderStack's own cloud destination",
      )
        .choices(NAMINGS)
        .default(DEFAULT_NAMING),
    )
    .action(async (_options: unknown, command: Command) => {
      process.exitCode = await serve(command.opts<ServeFlags>());
    });
};
