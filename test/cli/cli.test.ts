import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { requestsFor as toKissmetricsRequests } from '../../src/cloud/requests';
import type { KissmetricsRequest } from '../../src/cloud/types';
import { translateMessage as translate } from '../../src/rules/mapping';
import { thrown } from '../thrown';
import { requestId } from '../../src/cli/send/translate';
import { CLI, KEY, filesIn, ndjson, run, summaryOf, tempDir, TIMESTAMP, useTracker } from './runCli';
import type { Run } from './runCli';

const T = 1709294400;

const dir = tempDir();
const startTracker = useTracker();

describe('send', () => {
  const signedUp = {
    type: 'track',
    event: 'Signed Up',
    userId: 'u1',
    timestamp: TIMESTAMP,
    properties: { plan: 'pro' },
  };
  const noEvent = { type: 'track', userId: 'u1', timestamp: TIMESTAMP };
  const identify = { type: 'identify', userId: 'u2', anonymousId: 'a2', timestamp: TIMESTAMP, traits: { name: 'T' } };
  const alwaysFails = { type: 'track', event: 'Always Fails', userId: 'u1', timestamp: TIMESTAMP };
  const home = { type: 'page', userId: 'u3', name: 'Home', timestamp: TIMESTAMP };
  const partial = {
    type: 'track',
    event: 'Partial',
    userId: 'u9',
    timestamp: TIMESTAMP,
    properties: { products: [{ sku: 'p' }] },
  };
  const malformed = '{"type":"track",';
  const partialRequests = toKissmetricsRequests(partial, { apiKey: KEY, trackingHost: 'http://127.0.0.1:1' }) as [
    KissmetricsRequest,
    ...KissmetricsRequest[],
  ];
  const lines = [signedUp, malformed, '', noEvent, identify, alwaysFails, home, [1, 2], partial].map((l) =>
    typeof l === 'string' ? l : JSON.stringify(l),
  );

  it('delivers what it can through a flaky tracker, writes the rest to --failed-out and exits 1', async () => {
    // 503 then 200 for Signed Up, 429 then 200 for the identify /s, always 500 for Always Fails and Partial's product.
    const tracker = await startTracker((r, attempt) => {
      if (r.params._n === 'Always Fails' || r.params.sku === 'p') return { status: 500 };
      if (attempt === 1 && r.params._n === 'Signed Up') return { status: 503 };
      if (attempt === 1 && r.path === '/s') return { status: 429 };
      return { status: 200 };
    });
    const input = join(dir(), 'mixed.ndjson');
    const failedOut = join(dir(), 'mixed.failed.ndjson');
    await writeFile(input, `${lines.join('\n')}\n`);

    const result = await run([
      'send',
      '--api-key',
      KEY,
      '--endpoint',
      tracker.url,
      '--concurrency',
      '4',
      '--max-attempts',
      '2',
      '--failed-out',
      failedOut,
      input,
    ]);

    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const options = `--endpoint ${tracker.url} --concurrency 4 --max-attempts 2`;
    expect(summaryOf(result.stderr)).toBe(
      [
        'summary: 8 lines read',
        '  sent:                    3  (5 requests delivered)',
        '  retried:                 4  (retries in all)',
        '  nothing to send:         0',
        '  malformed:               1',
        '  untranslatable:          2',
        '  failed:                  2  (2 after retries)',
        `5 lines not delivered, written to ${failedOut} (reasons in ${failedOut}.reasons.ndjson)`,
        `replay, once their causes are fixed: node ${CLI} send ${options} ` +
          `--failed-out ${join(dir(), 'mixed.failed.replay.ndjson')} ${failedOut}`,
        `  (the reasons next to ${failedOut} say which requests were delivered: a replay sends only the others)`,
        '(with KISSMETRICS_API_KEY set to your API key: the key is never printed)',
        '',
      ].join('\n'),
    );
    // Every line is accounted for: the journal send kept for the run is gone.
    expect((await filesIn(dir())).filter((name) => name.endsWith('.state') || name.endsWith('.checksums'))).toEqual([]);
    const parseError = thrown(() => JSON.parse(malformed));
    expect(result.stderr).toContain(`line 2: malformed JSON: ${parseError}\n`);
    // --failed-out holds the lines as they were; the k-th reason is about its k-th line.
    const failedLines = (await readFile(failedOut, 'utf8')).split('\n').slice(0, -1);
    const reasons = ndjson(await readFile(`${failedOut}.reasons.ndjson`, 'utf8')) as { line: number }[];
    expect(reasons).toHaveLength(failedLines.length);
    const byLine = reasons.map((reason, k) => ({ ...reason, text: failedLines[k] })).sort((a, b) => a.line - b.line);
    expect(byLine).toEqual([
      { line: 2, kind: 'malformed', reason: `malformed JSON: ${parseError}`, text: lines[1] },
      { line: 4, kind: 'untranslatable', reason: thrown(() => translate('track', noEvent, {})), text: lines[3] },
      {
        line: 6,
        kind: 'failed',
        reason: 'request 1 of 1 (GET /e) failed: HTTP 500, after 2 attempts',
        requests: 1,
        delivered: [],
        text: lines[5],
      },
      { line: 8, kind: 'untranslatable', reason: 'expected a RudderStack message object, got array', text: lines[7] },
      {
        line: 9,
        kind: 'failed',
        reason: 'request 2 of 2 (GET /s) failed: HTTP 500, after 2 attempts; request 1 was delivered',
        requests: 2,
        delivered: [{ request: 1, path: '/e', id: requestId(partialRequests[0], 0) }],
        text: lines[8],
      },
    ]);
    const accepted = tracker.accepted.map((r) => `${r.path} ${r.params._p} ${r.params._n ?? ''}`).sort();
    expect(accepted).toEqual(['/a a2 u2', '/e u1 Signed Up', '/e u3 Viewed Home page', '/e u9 Partial', '/s u2 ']);
    expect(tracker.accepted.find((r) => r.path === '/s')?.params).toEqual({
      _k: KEY,
      _p: 'u2',
      _t: String(T),
      _d: '1',
      name: 'T',
    });
  });

  it('reads stdin, exits 0 when every line is delivered, and leaves --failed-out empty', async () => {
    const tracker = await startTracker();
    const failedOut = join(dir(), 'ok.failed.ndjson');
    const result = await run(['send', '--api-key', KEY, '--endpoint', tracker.url, '--failed-out', failedOut, '-'], {
      stdin: `${JSON.stringify(signedUp)}\r\n${JSON.stringify(home)}\r\n\r\n`,
    });
    expect(result.code).toBe(0);
    expect(summaryOf(result.stderr)).toMatch(/^summary: 2 lines read\n {2}sent: +2 {2}\(2 requests delivered\)\n/);
    expect(result.stderr).not.toContain('not delivered');
    expect(await readFile(failedOut, 'utf8')).toBe('');
    expect(tracker.accepted).toHaveLength(2);
  });

  it('sends a line whose values Kissmetrics cannot store all the same, and says what it left out or cut', async () => {
    const tracker = await startTracker();
    const long = { ...signedUp, properties: { note: 'x'.repeat(600), _p: 'someone else', plan: 'pro' } };
    const result = await run(['send', '--api-key', KEY, '--endpoint', tracker.url], {
      stdin: `${JSON.stringify(signedUp)}\n${JSON.stringify(long)}\n`,
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('line 2: left out or cut note (cut), _p (reserved); the rest sent\n');
    expect(summaryOf(result.stderr)).toContain(
      '  trimmed:                 1  (sent without values Kissmetrics cannot store)\n',
    );
    expect(tracker.accepted.map((r) => r.params)).toEqual([
      expect.objectContaining({ _n: 'Signed Up', plan: 'pro' }),
      expect.objectContaining({ _n: 'Signed Up', _p: 'u1', note: 'x'.repeat(512), plan: 'pro' }),
    ]);
  });

  it('--dry-run prints the requests of each line and sends nothing', async () => {
    const tracker = await startTracker();
    const result = await run(['send', '--dry-run', '--api-key', KEY, '--endpoint', tracker.url], {
      stdin: `${JSON.stringify(signedUp)}\n`,
    });
    expect(result.code).toBe(0);
    expect(ndjson(result.stdout)).toEqual([
      { line: 1, requests: toKissmetricsRequests(signedUp, { apiKey: KEY, trackingHost: tracker.url }) },
    ]);
    expect(result.stderr).toContain('translated:              1  (1 request printed, none sent: dry run)');
    expect(tracker.attempts).toEqual([]);
    // A dry run sends nothing: it keeps no journal.
    expect(result.stderr).not.toContain('journal');
    expect((await filesIn(dir())).filter((name) => name.startsWith('send-'))).toEqual([]);
  });

  it('names KISSMETRICS_API_KEY, never its value, when the key from the environment is malformed', async () => {
    const result = await run(['send', '-'], { env: { KISSMETRICS_API_KEY: 'almost-a-key but not' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('KISSMETRICS_API_KEY: expected a Kissmetrics API key');
    expect(result.stderr).not.toContain('almost-a-key');
  });

  it('takes the api key from KISSMETRICS_API_KEY', async () => {
    const { url, accepted } = await startTracker();
    const result = await new Promise<Run>((done) => {
      const child = spawn(process.execPath, [CLI, 'send', '--endpoint', url], {
        env: { ...process.env, KISSMETRICS_API_KEY: KEY },
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('close', (code, signal) => {
        done({ code, signal, stdout: '', stderr });
      });
      child.stdin.end(`${JSON.stringify(home)}\n`);
    });
    expect(result.code).toBe(0);
    expect(accepted.map((r) => r.params._k)).toEqual([KEY]);
  });

  it.each<[string, string[], string]>([
    [
      'no api key, naming every place a key can come from',
      ['send', '-'],
      'send needs your Kissmetrics API key: give --api-key KEY or set KISSMETRICS_API_KEY (the key is in ' +
        "Kissmetrics under Product Settings; it is also the API Key of the Kissmetrics destination's settings in RudderStack)",
    ],
    [
      'a malformed api key, naming every place a key can come from',
      ['send', '--api-key', 'no spaces please', '-'],
      '--api-key: expected a Kissmetrics API key, 1-100 of A-Z a-z 0-9 _ - (the value is not repeated here); ' +
        'give --api-key KEY or set KISSMETRICS_API_KEY',
    ],
    [
      'an endpoint that is not a URL',
      ['send', '--api-key', KEY, '--endpoint', 'localhost:8080', '-'],
      '--endpoint: must be an http(s) URL without query (?), fragment (#) or credentials (user:password@), such as "https://trk.kissmetrics.io"; got a localhost: URL',
    ],
    [
      'an endpoint with a bare #',
      ['send', '--api-key', KEY, '--endpoint', 'http://127.0.0.1:8080/#', '-'],
      'got a URL with a fragment (#)',
    ],
    [
      '--state with --dry-run',
      ['send', '--api-key', KEY, '--dry-run', '--state', '/tmp/x.state', '-'],
      '--state records deliveries and --dry-run sends nothing: use one or the other',
    ],
    [
      '--append-failed-out without --failed-out',
      ['send', '--api-key', KEY, '--append-failed-out', '-'],
      '--append-failed-out adds to the --failed-out file: give --failed-out FILE too',
    ],
    [
      'a concurrency of 0',
      ['send', '--api-key', KEY, '--concurrency', '0', '-'],
      'expected a whole number from 1 to 256',
    ],
    [
      'a missing input file',
      ['send', '--api-key', KEY, '/nonexistent/events.ndjson'],
      'cannot read /nonexistent/events.ndjson: ENOENT',
    ],
    [
      'a folder where the journal cannot be kept',
      ['send', '--api-key', KEY, '--endpoint', 'http://127.0.0.1:9', '/dev/null'],
      'in the current folder (ENOENT: no such file or directory',
    ],
    [
      'an unwritable --failed-out',
      ['send', '--api-key', KEY, '--failed-out', '/nonexistent/dir/f.ndjson', '-'],
      'cannot write /nonexistent/dir/f.ndjson: ENOENT',
    ],
    ['an unknown command', ['sned'], "error: unknown command 'sned'"],
    [
      'an unknown mode',
      ['translate', '--mode', 'edge'],
      "argument 'edge' is invalid. Allowed choices are device, cloud.",
    ],
  ])('exits 2 with a clear message for %s', async (name, args, message) => {
    // /proc takes no new file, even from root.
    const result = await run(args, name.includes('journal') ? { cwd: '/proc' } : {});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stdout).toBe('');
  });
});

describe('translate', () => {
  const track = {
    type: 'track',
    event: 'Order Completed',
    userId: 'u1',
    timestamp: TIMESTAMP,
    properties: { total: 30, products: [{ sku: 'a' }, { sku: 'b' }] },
  };
  const page = { type: 'page', anonymousId: 'a1', name: 'Home', timestamp: TIMESTAMP, properties: { path: '/' } };

  it('prints the _kmq commands of each NDJSON line (device mode by default)', async () => {
    const result = await run(['translate', '--prefix-properties'], {
      stdin: `${JSON.stringify(track)}\n${JSON.stringify(page)}\n`,
    });
    expect(result.code).toBe(0);
    expect(ndjson(result.stdout)).toEqual([
      { line: 1, commands: translate('track', track, { prefixProperties: true }) },
      { line: 2, commands: translate('page', page, { prefixProperties: true }) },
    ]);
  });

  it('prints the HTTP requests in cloud mode', async () => {
    const result = await run(['translate', '--mode', 'cloud', '--api-key', KEY], {
      stdin: `${JSON.stringify(track)}\n`,
    });
    expect(result.code).toBe(0);
    expect(ndjson(result.stdout)).toEqual([{ line: 1, requests: toKissmetricsRequests(track, { apiKey: KEY }) }]);
  });

  it('reads one indented JSON message and prints its commands indented', async () => {
    const result = await run(['translate'], { stdin: JSON.stringify(page, null, 2) });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${JSON.stringify(translate('page', page, {}), null, 2)}\n`);
  });

  it('says on stderr what a message had to leave out or cut, and still exits 0', async () => {
    const trimmed = { ...page, properties: { path: '/', title: 't'.repeat(513) } };
    const result = await run(['translate', '--mode', 'cloud', '--api-key', KEY], {
      stdin: `${JSON.stringify(trimmed)}\n`,
    });
    expect(result.code).toBe(0);
    expect(ndjson(result.stdout)).toEqual([{ line: 1, requests: toKissmetricsRequests(trimmed, { apiKey: KEY }) }]);
    expect(result.stderr).toBe('line 1: left out or cut title (cut); the rest translated\n');
  });

  it('reports malformed and untranslatable lines with their numbers on stderr and exits 1', async () => {
    const result = await run(['translate'], {
      stdin: `${JSON.stringify(page)}\n{oops\n${JSON.stringify({ type: 'fly' })}\n`,
    });
    expect(result.code).toBe(1);
    expect(ndjson(result.stdout)).toEqual([{ line: 1, commands: translate('page', page, {}) }]);
    expect(result.stderr).toBe(
      `line 2: malformed JSON: ${thrown(() => JSON.parse('{oops'))}\nline 3: ${thrown(() => translate('fly', { type: 'fly' }, {}))}\n`,
    );
  });
});
