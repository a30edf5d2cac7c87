import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dripping, endless, huge, redirecting, rssOf, useEndpoints } from './endpoints';
import { KEY, ndjson, run, start, summaryOf, tempDir, trackLine, useTracker } from './runCli';

/*
 * What `send` does with answers that are not Kissmetrics': a redirect is never followed (the API key
 * would go to another host), and no answer can grow the process, whatever its body.
 */

const dir = tempDir();
const tracker = useTracker();
const endpoint = useEndpoints();

const hostOf = (url: string): string => new URL(url).host;
const lines = (count: number): string => `${Array.from({ length: count }, (_, i) => trackLine(i + 1)).join('\n')}\n`;

describe('send never follows a redirect: the API key stays with --endpoint', () => {
  it('302 to a second server: each line fails at once, not retried, saying where it pointed; the second server gets nothing', async () => {
    const elsewhere = await tracker();
    const home = await endpoint(redirecting(elsewhere.url));
    const failedOut = join(dir(), 'redirected.failed.ndjson');
    const result = await run(['send', '--api-key', KEY, '--endpoint', home.url, '--failed-out', failedOut, '-'], {
      stdin: lines(3),
    });
    expect(result.code).toBe(1);
    const reason =
      `request 1 of 1 (GET /e) failed: endpoint answered 302 redirect to ${hostOf(elsewhere.url)}; not followed, ` +
      `the API key stays with ${hostOf(home.url)}, after 1 attempt`;
    expect(result.stderr).toContain(`line 2: ${reason}\n`);
    expect(summaryOf(result.stderr)).toContain('  failed:                  3  (3 refused, not retryable)\n');
    expect(home.received).toHaveLength(3);
    expect(elsewhere.attempts).toEqual([]);
    expect(ndjson(await readFile(`${failedOut}.reasons.ndjson`, 'utf8'))).toContainEqual({
      line: 1,
      kind: 'failed',
      reason,
      requests: 1,
      delivered: [],
    });
    expect(result.stderr).not.toContain(KEY);
  });
});

/** The CLI's resident memory is sampled while it runs; past this it is killed (what the old code did). */
const KILL_AT_BYTES = 400 * 1024 * 1024;
/** What the CLI needs whatever the answers (about 100 MB measured): flat, far below any body it was offered. */
const FLAT_BYTES = 200 * 1024 * 1024;

describe('send reads a bounded part of any answer: memory stays flat', () => {
  it.each([
    ['a body that never ends', endless(4 * 1024 ** 3)],
    ['a 500 MB body', huge(500 * 1024 * 1024)],
  ])('%s: the line is delivered, the rest of the body discarded', async (_name, handler) => {
    const hostile = await endpoint(handler);
    const child = start(['send', '--api-key', KEY, '--endpoint', hostile.url, '--concurrency', '8', '-'], {
      stdin: lines(40),
    });
    let peak = 0;
    const sampler = setInterval(() => {
      const rss = rssOf(child.process.pid ?? 0) ?? 0;
      peak = Math.max(peak, rss);
      if (rss > KILL_AT_BYTES) child.process.kill('SIGKILL');
    }, 20);
    const result = await child.exited.finally(() => {
      clearInterval(sampler);
    });
    expect([result.code, peak < FLAT_BYTES]).toEqual([0, true]);
    expect(summaryOf(result.stderr)).toMatch(/^summary: 40 lines read\n {2}sent: +40 /);
    // 40 answers of 4 GiB or 500 MB were offered; what the sockets took before they were closed is tiny.
    expect(hostile.written()).toBeLessThan(40 * 16 * 1024 * 1024);
  });

  it('a body of one byte a second never ends: a timeout, retried like one', async () => {
    const slow = await endpoint(dripping(1000));
    const result = await run(
      ['send', '--api-key', KEY, '--endpoint', slow.url, '--timeout-ms', '1500', '--max-attempts', '2', '-'],
      { stdin: lines(1) },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'line 1: request 1 of 1 (GET /e) failed: timed out after 1500 ms, after 2 attempts\n',
    );
    expect(summaryOf(result.stderr)).toContain('  retried:                 1  (retries in all)\n');
    expect(slow.received).toHaveLength(2);
  });
});
