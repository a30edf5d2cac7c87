import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
export const SDK_BUNDLE_PATH = join(
  ROOT,
  'node_modules/@rudderstack/analytics-js/dist/npm/modern/bundled/umd/index.js',
);
const DIST_DIR = join(ROOT, 'dist');

/** The legacy SDK (rudder-sdk-js 2.x, "v1.1"), its npm build: a UMD script that defines `window.rudderanalytics`. */
export const LEGACY_SDK_BUNDLE_PATH = join(ROOT, 'node_modules/rudder-sdk-js/dist/npm/index.js');

export const SDK_PATH = '/sdk/rudderanalytics.js';
export const LEGACY_SDK_PATH = '/sdk/rudder-sdk-js.js';
export const DIST_PATH = '/dist';
export const DESTINATION_ID = 'kissmetrics-e2e';

/** One request the server received, in arrival order. */
export interface Hit {
  method: string;
  path: string;
}

/** A body the SDK posted to the data plane. */
export interface DataPlanePost {
  path: string;
  body: unknown;
}

export interface E2eServer {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  baseUrl: string;
  hits: Hit[];
  posts: DataPlanePost[];
  close(): Promise<void>;
}

/**
 * What the RudderStack control plane would answer for a JS source with one device-mode Kissmetrics
 * destination. The destination settings come from the config URL's query, so that each test chooses them;
 * `extra` is added to the destination config (consent settings).
 */
export const sourceConfig = (
  writeKey: string,
  apiKey: string,
  prefixProperties: boolean,
  extra: Record<string, unknown> = {},
): object => ({
  isHosted: true,
  source: {
    id: 'e2e-source',
    name: 'e2e',
    writeKey,
    workspaceId: 'e2e-workspace',
    enabled: true,
    config: {},
    destinations: [
      {
        id: DESTINATION_ID,
        name: 'Kissmetrics (e2e)',
        enabled: true,
        config: { apiKey, prefixProperties, connectionMode: 'device', eventFilteringOption: 'disable', ...extra },
        destinationDefinitionId: 'kissmetrics-definition',
        destinationDefinition: { name: 'KISSMETRICS', displayName: 'Kiss Metrics' },
        shouldApplyDeviceModeTransformation: false,
        propagateEventsUntransformedOnError: false,
      },
    ],
  },
});

/**
 * The test page: no inline script; with `?scriptTag=1` it includes our bundle before the SDK; with
 * `?sdk=legacy` it loads the legacy SDK instead of v3.
 */
const testPage = (scriptTag: boolean, legacy: boolean): string =>
  [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><title>Kissmetrics e2e</title>',
    scriptTag ? `<script src="${DIST_PATH}/Kissmetrics.min.js"></script>` : '',
    `<script src="${legacy ? LEGACY_SDK_PATH : SDK_PATH}"></script>`,
    '</head><body><h1>Kissmetrics e2e</h1></body></html>',
  ].join('\n');

/**
 * The destination settings of a config URL: its query, or, for the legacy SDK (which replaces the query
 * of `configUrl` with its own), the path segment before `/sourceConfig/` of `<base>/settings/<query>`.
 */
const settingsOf = (url: URL): URLSearchParams => {
  const inPath = /\/settings\/([^/]*)\/sourceConfig\/$/.exec(url.pathname)?.[1];
  return inPath === undefined ? url.searchParams : new URLSearchParams(decodeURIComponent(inPath));
};

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

const send = (res: ServerResponse, status: number, type: string, body: string | Buffer): void => {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
};

const readBody = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
};

/**
 * A local stand-in for everything the SDK talks to: the page, the SDK bundle, our `dist/` (the
 * `destSDKBaseURL`), the source config and the data plane. Listens on 127.0.0.1, on a free port.
 */
export const startServer = async (): Promise<E2eServer> => {
  const hits: Hit[] = [];
  const posts: DataPlanePost[] = [];

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    hits.push({ method, path: url.pathname });
    if (method === 'OPTIONS') {
      res.writeHead(204, { 'access-control-allow-origin': '*', 'access-control-allow-headers': '*' });
      res.end();
    } else if (method === 'POST') {
      posts.push({ path: url.pathname, body: parseJson(await readBody(req)) });
      send(res, 200, 'text/plain', 'OK');
    } else if (url.pathname === '/') {
      const { searchParams } = url;
      send(
        res,
        200,
        'text/html; charset=utf-8',
        testPage(searchParams.get('scriptTag') === '1', searchParams.get('sdk') === 'legacy'),
      );
    } else if (url.pathname === SDK_PATH || url.pathname === LEGACY_SDK_PATH) {
      const bundle = url.pathname === SDK_PATH ? SDK_BUNDLE_PATH : LEGACY_SDK_BUNDLE_PATH;
      send(res, 200, CONTENT_TYPES['.js'] ?? '', await readFile(bundle));
    } else if (url.pathname.endsWith('/sourceConfig/')) {
      const settings = settingsOf(url);
      const config = sourceConfig(
        url.searchParams.get('writeKey') ?? '',
        settings.get('apiKey') ?? '',
        settings.get('prefixProperties') === 'true',
        JSON.parse(settings.get('destinationConfig') ?? '{}') as Record<string, unknown>,
      );
      send(res, 200, 'application/json', JSON.stringify(config));
    } else {
      const file = /^\/dist\/(Kissmetrics(?:\.min)?\.js(?:\.map)?)$/.exec(url.pathname)?.[1];
      if (file)
        send(
          res,
          200,
          CONTENT_TYPES[file.endsWith('.map') ? '.map' : '.js'] ?? '',
          await readFile(join(DIST_DIR, file)),
        );
      else send(res, 404, 'text/plain', 'Not found');
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      send(res, 500, 'text/plain', String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    hits,
    posts,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => {
          if (error) reject(error);
          else resolve();
        });
      }),
  };
};
