/**
 * A small run of bench/serve-load.mjs (the benchmark itself posts 64 connections' worth for minutes):
 * concurrent clients posting realistic 100-event batches to the built service, every answer checked.
 * What is asserted is that none failed, never how fast it went.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const CLI = resolve(__dirname, '../../dist/cli.mjs');
const BENCH = resolve(__dirname, '../../bench/serve-load.mjs');

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first (npm test does)`);
});

interface Result {
  calls: number;
  failed: number;
  problems: Record<string, number>;
  samples: [number, number][];
}

const load = (args: string[]): Result =>
  JSON.parse(
    execFileSync(process.execPath, [BENCH, '--duration-s', '2', '--sample-s', '1', '--json', ...args], {
      encoding: 'utf8',
    }),
  ) as Result;

describe('under load (bench/serve-load.mjs, 2 s)', () => {
  it.each([
    ['16 connections, a new one per call (as rudder-server)', ['--connections', '16']],
    [
      '16 kept-alive connections, compacted calls (as through the proxy)',
      ['--connections', '16', '--keep-alive', '--compacted'],
    ],
  ])('answers every call of %s', (_name, args) => {
    const result = load(args);
    expect({ failed: result.failed, problems: result.problems }).toEqual({ failed: 0, problems: {} });
    expect(result.calls).toBeGreaterThanOrEqual(16);
    expect(result.samples.length).toBeGreaterThanOrEqual(2);
  });
});
