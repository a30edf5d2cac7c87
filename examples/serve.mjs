// The live demo behind `npm start`: one local server for the page, the RudderStack SDK, our bundle,
// a source config, a data plane and a stand-in Kissmetrics library. It works offline and needs no
// Kissmetrics or RudderStack account.
//   node examples/serve.mjs [--port N]     (or PORT=N; default 3000, 0 picks a free port)
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_PORT = 3000;
export const DEMO_API_KEY = 'demo-api-key';

// Each served path and the file behind it. The stand-in library is the one the e2e tests use.
const FILES = {
  '/': ['examples/demo/index.html', 'text/html; charset=utf-8'],
  '/demo.js': ['examples/demo/demo.js', 'text/javascript; charset=utf-8'],
  '/demo.css': ['examples/demo/demo.css', 'text/css; charset=utf-8'],
  '/sdk/rudderanalytics.js': [
    'node_modules/@rudderstack/analytics-js/dist/npm/modern/bundled/umd/index.js',
    'text/javascript; charset=utf-8',
  ],
  '/dist/Kissmetrics.min.js': ['dist/Kissmetrics.min.js', 'text/javascript; charset=utf-8'],
  '/dist/Kissmetrics.min.js.map': ['dist/Kissmetrics.min.js.map', 'application/json; charset=utf-8'],
  '/stand-in/kissmetrics.js': ['test/e2e/fakeKissmetrics.js', 'text/javascript; charset=utf-8'],
};

// Only this server may provide scripts, styles, images and connections. The integration's own
// <script> tags for i.kissmetrics.io and scripts.kissmetrics.io are therefore refused, as an ad
// blocker would refuse them, and nothing reaches Kissmetrics from the demo.
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'";

// A 1x1 transparent GIF: what a tracking pixel answers.
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/** What the RudderStack control plane would send for a JS source with one device-mode Kissmetrics destination. */
const sourceConfig = (writeKey, prefixProperties) => ({
  isHosted: true,
  source: {
    id: 'demo-source',
    name: 'Kissmetrics demo',
    writeKey,
    workspaceId: 'demo-workspace',
    enabled: true,
    config: {},
    destinations: [
      {
        id: 'demo-kissmetrics',
        name: 'Kissmetrics (demo)',
        enabled: true,
        config: { apiKey: DEMO_API_KEY, prefixProperties, connectionMode: 'device', eventFilteringOption: 'disable' },
        destinationDefinitionId: 'kissmetrics-definition',
        destinationDefinition: { name: 'KISSMETRICS', displayName: 'Kiss Metrics' },
        shouldApplyDeviceModeTransformation: false,
        propagateEventsUntransformedOnError: false,
      },
    ],
  },
});

const send = (res, status, type, body, headers = {}) => {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...headers });
  res.end(body);
};

const handle = async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (req.method === 'POST') {
    // The data plane: the SDK posts every event here; the demo only acknowledges them.
    req.resume();
    return send(res, 200, 'text/plain', 'OK');
  }
  if (url.pathname.endsWith('/sourceConfig/')) {
    const config = sourceConfig(
      url.searchParams.get('writeKey') ?? '',
      url.searchParams.get('prefixProperties') === 'true',
    );
    return send(res, 200, 'application/json', JSON.stringify(config));
  }
  if (url.pathname.startsWith('/trk/')) return send(res, 200, 'image/gif', PIXEL);
  const file = FILES[url.pathname];
  if (!file) return send(res, 404, 'text/plain', 'Not found');
  const [path, type] = file;
  const headers = url.pathname === '/' ? { 'content-security-policy': CONTENT_SECURITY_POLICY } : {};
  return send(res, 200, type, await readFile(join(ROOT, path)), headers);
};

/**
 * Starts the demo server on 127.0.0.1. Resolves with its address and a `close()`.
 * @param {{ port?: number }} [options]
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
export const start = async ({ port = DEFAULT_PORT } = {}) => {
  const server = createServer((req, res) => {
    handle(req, res).catch((error) => send(res, 500, 'text/plain', String(error)));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}/`,
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
};

/** `--port N`, `--port=N`, else `PORT`, else the default. */
const portFromCommandLine = (args, env) => {
  const index = args.findIndex((arg) => arg === '--port' || arg.startsWith('--port='));
  const text = index < 0 ? env.PORT : args[index].includes('=') ? args[index].split('=')[1] : args[index + 1];
  if (text === undefined || text === '') return DEFAULT_PORT;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`Invalid port ${JSON.stringify(text)}: expected 0-65535`);
  return port;
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const { url } = await start({ port: portFromCommandLine(process.argv.slice(2), process.env) });
    console.log(`Kissmetrics demo running at ${url}  (Ctrl+C to stop)`);
  } catch (error) {
    console.error(`Could not start the demo: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
