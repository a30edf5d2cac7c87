/**
 * The outside world of an example page, answered inside Playwright so that nothing leaves the machine:
 * the page's own site (a local folder), jsDelivr (the SDK from node_modules, this package from dist/),
 * RudderStack's control plane and a data plane, and the Kissmetrics hosts (the stand-in library).
 * Requests to RudderStack's CDNs are recorded and answered 404; anything else is recorded and aborted.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, resolve } from 'node:path';
import type { Browser, BrowserContext, Page, Route } from 'playwright-core';
import { answerKissmetrics, emptyTraffic, fakeKissmetricsLibrary, PAGE_WAIT_MS } from './browser';
import type { LibraryArrival, Traffic } from './browser';
import { API_KEY, kissmetricsCalls, WRITE_KEY } from './scenario';
import type { KmCall, Problems } from './scenario';
import { sourceConfig } from './server';

const ROOT = join(__dirname, '..', '..');
const DIST_DIR = join(ROOT, 'dist');
const SDK_DIR = join(ROOT, 'node_modules', '@rudderstack', 'analytics-js');

const versionOf = (packageJson: string): string => {
  const { version } = JSON.parse(readFileSync(packageJson, 'utf8')) as { version?: unknown };
  if (typeof version !== 'string') throw new Error(`${packageJson}: expected a "version" string`);
  return version;
};

export const PACKAGE_VERSION = versionOf(join(ROOT, 'package.json'));
export const SDK_VERSION = versionOf(join(SDK_DIR, 'package.json'));

/** Where the example pages are served from: an https origin, as on a real site. */
export const SITE_ORIGIN = 'https://shop.example';
/** What the tests write in place of the examples' data plane placeholder. */
export const DATA_PLANE_URL = 'https://dataplane.e2e.example';

const JSDELIVR_SDK_PREFIX = `https://cdn.jsdelivr.net/npm/@rudderstack/analytics-js@${SDK_VERSION}/`;
/** This package's dist/ on jsDelivr, as a script tag may write it (`@`) and as `destSDKBaseURL` must (`%40`). */
export const JSDELIVR_TAG_FOLDER = `https://cdn.jsdelivr.net/npm/rudderstack-kissmetrics@${PACKAGE_VERSION}/dist`;
export const JSDELIVR_BASE_URL = `https://cdn.jsdelivr.net/npm/rudderstack-kissmetrics%40${PACKAGE_VERSION}/dist`;
export const SCRIPT_NAME = 'Kissmetrics.min.js';

const RUDDERSTACK_CDN_HOSTS = new Set(['cdn.rudderlabs.com', 'cdn.rudderstack.com']);
const CONTROL_PLANE_HOSTS = new Set(['api.rudderstack.com', 'api.rudderlabs.com']);

/** What a request for this package's script got. */
export type ScriptOutcome = 'served' | 'not found' | 'blocked';

export interface WorldOptions {
  /** The folder served at SITE_ORIGIN (`/` is its index.html). */
  site: string;
  /** Headers added to the site's HTML pages, e.g. a Content-Security-Policy. */
  pageHeaders?: Record<string, string>;
  arrival?: LibraryArrival;
  /** Folders whose `Kissmetrics.min.js` is this package's built script (default: both jsDelivr spellings). */
  packageFolders?: string[];
  /** What the first request for this package's script gets (a failed `<script>` tag); later ones are served. */
  firstPackageRequest?: ScriptOutcome;
}

export interface DataPlaneRequest {
  path: string;
  body: unknown;
}

export interface WorldTraffic extends Traffic {
  /** Requests for the RudderStack SDK on jsDelivr. */
  sdk: string[];
  /** Requests for this package's script, in order, and what each got. */
  packageScripts: { url: string; outcome: ScriptOutcome }[];
  controlPlane: string[];
  dataPlane: DataPlaneRequest[];
  /** Requests to RudderStack's CDNs (where its own integrations live): answered 404, expected to stay empty. */
  rudderstackCdn: string[];
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
};

const notFound = (route: Route): Promise<void> =>
  route.fulfill({ status: 404, contentType: 'text/plain', body: 'Not found' });

/** Serves `file` when it is a file inside `folder`, else 404. */
const serveFile = async (route: Route, folder: string, file: string, headers: Record<string, string> = {}) => {
  const path = resolve(folder, file);
  const inside = !relative(folder, path).startsWith('..');
  if (!inside || !existsSync(path) || !statSync(path).isFile()) return notFound(route);
  await route.fulfill({
    status: 200,
    headers: { 'content-type': CONTENT_TYPES[extname(path)] ?? 'application/octet-stream', ...headers },
    body: readFileSync(path),
  });
};

const parseBody = (text: string | null): unknown => {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
};

const CORS = { 'access-control-allow-origin': '*' };

/** Routes every request of `page` to the world described by `options`; returns what it records. */
export const routeWorld = async (page: Page, options: WorldOptions): Promise<WorldTraffic> => {
  const library = fakeKissmetricsLibrary();
  const traffic: WorldTraffic = {
    ...emptyTraffic(),
    sdk: [],
    packageScripts: [],
    controlPlane: [],
    dataPlane: [],
    rudderstackCdn: [],
  };
  const packageScripts = new Set(
    (options.packageFolders ?? [JSDELIVR_TAG_FOLDER, JSDELIVR_BASE_URL]).map(
      (folder) => `${folder.replace(/\/+$/, '')}/${SCRIPT_NAME}`,
    ),
  );
  const arrival = options.arrival ?? { kind: 'at once' };

  await page.route('**/*', async (route) => {
    const request = route.request();
    const url = new URL(request.url());
    if (url.origin === SITE_ORIGIN) {
      const file = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname.slice(1));
      return serveFile(route, options.site, file, file.endsWith('.html') ? options.pageHeaders : {});
    }
    if (url.href.startsWith(JSDELIVR_SDK_PREFIX)) {
      traffic.sdk.push(url.href);
      return serveFile(route, SDK_DIR, url.pathname.slice(new URL(JSDELIVR_SDK_PREFIX).pathname.length));
    }
    if (packageScripts.has(url.href)) {
      const outcome = traffic.packageScripts.length === 0 ? (options.firstPackageRequest ?? 'served') : 'served';
      traffic.packageScripts.push({ url: url.href, outcome });
      if (outcome === 'blocked') return route.abort('blockedbyclient');
      if (outcome === 'not found') return notFound(route);
      return serveFile(route, DIST_DIR, SCRIPT_NAME);
    }
    if (CONTROL_PLANE_HOSTS.has(url.hostname) && url.pathname === '/sourceConfig/') {
      traffic.controlPlane.push(url.href);
      // Like the real control plane, only the source's own write key gets its config.
      if (url.searchParams.get('writeKey') !== WRITE_KEY)
        return route.fulfill({ status: 401, headers: CORS, contentType: 'text/plain', body: 'Invalid write key' });
      return route.fulfill({
        status: 200,
        headers: CORS,
        contentType: 'application/json',
        body: JSON.stringify(sourceConfig(WRITE_KEY, API_KEY, false)),
      });
    }
    if (url.origin === DATA_PLANE_URL) {
      traffic.dataPlane.push({ path: url.pathname, body: parseBody(request.postData()) });
      return route.fulfill({ status: 200, headers: CORS, contentType: 'text/plain', body: 'OK' });
    }
    if (RUDDERSTACK_CDN_HOSTS.has(url.hostname)) {
      traffic.rudderstackCdn.push(url.href);
      return notFound(route);
    }
    if (await answerKissmetrics(route, arrival, traffic, library)) return;
    traffic.outside.push(url.href);
    return route.abort('blockedbyclient');
  });
  return traffic;
};

export interface ExamplePage {
  context: BrowserContext;
  page: Page;
  traffic: WorldTraffic;
  problems: Problems;
}

/**
 * A fresh browser context on SITE_ORIGIN/, with the world routed and the page's problems recorded;
 * `prepare` runs before the page is opened (e.g. to add an init script).
 */
export const openSite = async (
  browser: Browser,
  options: WorldOptions,
  prepare?: (page: Page) => Promise<void>,
): Promise<ExamplePage> => {
  const context = await browser.newContext();
  context.setDefaultTimeout(PAGE_WAIT_MS);
  const page = await context.newPage();
  await prepare?.(page);
  const problems: Problems = { pageErrors: [], console: [] };
  page.on('pageerror', (error) => problems.pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') {
      problems.console.push(`${message.type()}: ${message.text()} (${message.location().url})`);
    }
  });
  const traffic = await routeWorld(page, options);
  await page.goto(`${SITE_ORIGIN}/`);
  return { context, page, traffic, problems };
};

/** `kissmetricsCalls`, failing with what the page and its traffic show, which says why the calls are missing. */
export const kissmetricsCallsOf = async (
  { page, problems, traffic }: ExamplePage,
  count: number,
): Promise<KmCall[]> => {
  try {
    return await kissmetricsCalls(page, count);
  } catch (error) {
    const details = JSON.stringify({ problems, traffic }, null, 2);
    throw new Error(`expected ${count} Kissmetrics calls: ${String(error)}\n${details}`, { cause: error });
  }
};

/** The properties the SDK adds to a `page()` call without arguments on SITE_ORIGIN/. */
export const sitePageProperties = (title: string): Record<string, string> => ({
  path: '/',
  referrer: '$direct',
  referring_domain: '',
  search: '',
  title,
  url: `${SITE_ORIGIN}/`,
  tab_url: `${SITE_ORIGIN}/`,
  initial_referrer: '$direct',
  initial_referring_domain: '',
});
