import { startService } from '../../src/service/server';
import type { RunningService, ServiceOptions } from '../../src/service/server';
import { NOW_MS } from './fixtures';
import type { Reply } from './http';

/** The processor's path, where rudder-server posts a batch of events. */
export const PROCESSOR = '/v0/destinations/kissmetrics';

/**
 * Starts the service of a test file on port 0 with the fixtures' clock, collecting its log lines in `lines`
 * (emptied at each start); the service a test started is closed after it.
 */
export const serviceUnderTest = (): {
  start: (options?: ServiceOptions) => Promise<RunningService>;
  lines: string[];
} => {
  const lines: string[] = [];
  let service: RunningService | undefined;
  afterEach(async () => {
    await service?.close();
    service = undefined;
  });
  const start = async (options: ServiceOptions = {}): Promise<RunningService> => {
    lines.length = 0;
    service = await startService({ port: 0, clock: () => NOW_MS, log: (line) => lines.push(line), ...options });
    return service;
  };
  return { start, lines };
};

/** Every 200 must carry `apiVersion: 2`, or rudder-server stops. */
export const ok = (reply: Reply): unknown => {
  expect([reply.status, reply.headers.apiversion]).toEqual([200, '2']);
  return reply.json;
};
