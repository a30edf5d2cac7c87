// The local stand-in for everything the RudderStack SDK talks to during the browser benchmark: the
// page, the SDK bundle, our dist/ scripts, the source config and the data plane. 127.0.0.1 only.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';

export const SDK_BUNDLE = 'node_modules/@rudderstack/analytics-js/dist/npm/modern/bundled/umd/index.js';
export const API_KEY = '0123456789abcdef0123456789abcdef01234567';
export const WRITE_KEY = 'bench-write-key';

/** The destination config the control plane would send, and the one the benchmark instances get. */
export const destinationConfig = (prefixProperties) => ({
  apiKey: API_KEY,
  prefixProperties,
  connectionMode: 'device',
  eventFilteringOption: 'disable',
});

/** A JS source with one device-mode "Kiss Metrics" destination, as the control plane answers it. */
const sourceConfig = () => ({
  isHosted: true,
  source: {
    id: 'bench-source',
    name: 'bench',
    writeKey: WRITE_KEY,
    workspaceId: 'bench-workspace',
    enabled: true,
    config: {},
    destinations: [
      {
        id: 'bench-kissmetrics',
        name: 'Kissmetrics (bench)',
        enabled: true,
        config: destinationConfig(false),
        destinationDefinitionId: 'kissmetrics-definition',
        destinationDefinition: { name: 'KISSMETRICS', displayName: 'Kiss Metrics' },
        shouldApplyDeviceModeTransformation: false,
        propagateEventsUntransformedOnError: false,
      },
    ],
  },
});

// Our bundle is included with a plain <script> tag before the SDK, so the SDK uses it without loading
// anything, and the benchmark can wrap its prototype before the SDK makes the first call.
const BUNDLES = ['Kissmetrics.min.js', 'Kissmetrics.js'];
const page = (bundle) =>
  [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><title>Kissmetrics track() benchmark</title>',
    `<script src="/dist/${bundle}"></script>`,
    '<script src="/sdk/rudderanalytics.js"></script>',
    '</head><body><h1>Kissmetrics track() benchmark</h1></body></html>',
  ].join('\n');

const JS = 'text/javascript; charset=utf-8';

/**
 * Serves `/?bundle=Kissmetrics.min.js|Kissmetrics.js` and what the page needs, from `root` (the
 * package folder). Resolves with the base URL and `close()`.
 */
export const startServer = async (root) => {
  const send = (res, status, type, body) => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(body);
  };
  const handle = async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'POST') {
      // The data plane: acknowledged, not kept.
      req.resume();
      return send(res, 200, 'text/plain', 'OK');
    }
    if (url.pathname === '/') {
      const bundle = url.searchParams.get('bundle') ?? '';
      if (!BUNDLES.includes(bundle)) return send(res, 400, 'text/plain', `bundle must be one of ${BUNDLES.join(', ')}`);
      return send(res, 200, 'text/html; charset=utf-8', page(bundle));
    }
    if (url.pathname === '/sdk/rudderanalytics.js') return send(res, 200, JS, await readFile(join(root, SDK_BUNDLE)));
    if (url.pathname.endsWith('/sourceConfig/'))
      return send(res, 200, 'application/json', JSON.stringify(sourceConfig()));
    const file = /^\/dist\/(Kissmetrics(?:\.min)?\.js(?:\.map)?)$/.exec(url.pathname)?.[1];
    if (file)
      return send(res, 200, file.endsWith('.map') ? 'application/json' : JS, await readFile(join(root, 'dist', file)));
    return send(res, 404, 'text/plain', 'Not found');
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((error) => send(res, 500, 'text/plain', String(error)));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    baseUrl: `http://127.0.0.1:${server.address().port}`,
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
};
