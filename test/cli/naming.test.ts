import { KEY, TIMESTAMP, ndjson, run, tempDir, useTracker } from './runCli';

/** `--naming rudder-transformer`: the names of RudderStack's own cloud destination, from the built CLI. */

const T = 1709294400;
const messages = [
  {
    type: 'track',
    event: 'Order Completed',
    userId: 'u1',
    timestamp: TIMESTAMP,
    properties: { coupon: 'SPRING', revenue: '$1,299.99', products: [{ sku: 'a' }] },
  },
  { type: 'page', userId: 'u1', name: 'Pricing', timestamp: TIMESTAMP, properties: { category: 'Docs', url: '/p' } },
  { type: 'screen', userId: 'u1', name: 'Main', timestamp: TIMESTAMP, properties: { category: 'App', tab: 't' } },
];
const input = messages.map((message) => JSON.stringify(message)).join('\n') + '\n';

/** What the three messages are named, prefixed (params other than _k, _p, _t, _d). */
const COMPAT_NAMES = [
  [
    {
      _n: 'Order Completed',
      'Order Completed-coupon': 'SPRING',
      'Order Completed - revenue': 1299.99,
      'Billing Amount': 1299.99,
    },
    { 'Order Completed-sku': 'a' },
  ],
  [{ _n: 'Viewed Docs Pricing page', 'Page-category': 'Docs', 'Page-url': '/p' }],
  [{ _n: 'Viewed App Main page', category: 'App', tab: 't' }],
];

const base = { _k: KEY, _p: 'u1', _t: T, _d: 1 };

tempDir();
const tracker = useTracker();

describe('--naming rudder-transformer', () => {
  it('translate --mode cloud prints requests with its names and our values', async () => {
    const result = await run(
      ['translate', '--mode', 'cloud', '--api-key', KEY, '--prefix-properties', '--naming', 'rudder-transformer'],
      { stdin: input },
    );
    expect([result.code, result.stderr]).toEqual([0, '']);
    expect(ndjson(result.stdout)).toEqual(
      COMPAT_NAMES.map((requests, i) => ({
        line: i + 1,
        requests: requests.map((params, r) => ({
          method: 'GET',
          endpoint: `https://trk.kissmetrics.io/${'_n' in params ? 'e' : 's'}`,
          params: { ...base, ...(r > 0 ? { _t: T + r - 1 } : {}), ...params },
        })),
      })),
    );
  });

  it('send delivers them with its names', async () => {
    const server = await tracker();
    const result = await run(
      [
        'send',
        '--api-key',
        KEY,
        '--endpoint',
        server.url,
        '--concurrency',
        '1',
        '--prefix-properties',
        '--naming',
        'rudder-transformer',
        '-',
      ],
      { stdin: input },
    );
    expect(result.code).toBe(0);
    const strings = (params: Record<string, unknown>): Record<string, string> =>
      Object.fromEntries(Object.entries(params).map(([key, value]) => [key, String(value)]));
    expect(server.accepted.map((request) => request.params)).toEqual(
      COMPAT_NAMES.flatMap((requests) =>
        requests.map((params, r) => strings({ ...base, ...(r > 0 ? { _t: T + r - 1 } : {}), ...params })),
      ),
    );
  });

  it('send prints a resume command that keeps the naming', async () => {
    const result = await run(
      ['send', '--api-key', KEY, '--naming', 'rudder-transformer', '--failed-out', '/dev/full', '-'],
      { stdin: 'not json\n' },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^resume: .*rudderstack-kissmetrics send --naming rudder-transformer /m);
  });

  it('is refused in device mode, which has one naming', async () => {
    const result = await run(['translate', '--naming', 'rudder-transformer'], { stdin: input });
    expect([result.code, result.stdout, result.stderr]).toEqual([
      2,
      '',
      'rudderstack-kissmetrics: --naming rudder-transformer names cloud requests: add --mode cloud (device mode has one naming)\n',
    ]);
  });

  it.each([['translate', '--mode', 'cloud'], ['send', '--api-key', KEY, '--dry-run'], ['serve']])(
    '%s refuses an unknown naming, listing the allowed ones',
    async (...args) => {
      const result = await run([...args, '--naming', 'rudderstack'], { stdin: input });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        "error: option '--naming <naming>' argument 'rudderstack' is invalid. Allowed choices are default, rudder-transformer.",
      );
    },
  );
});
