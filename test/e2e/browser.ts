import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Page, Route } from 'playwright-core';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain JavaScript, shared with bench/browser.mjs
const { CHROMIUM_ARGS, chromiumPath } = require('./chromium.cjs') as {
  CHROMIUM_ARGS: string[];
  chromiumPath: () => string;
};

/** Debian's Chromium, or `CHROMIUM_PATH`; undefined when neither exists. Nothing is ever downloaded. */
export const findChromium = (): string | undefined => {
  const path = chromiumPath();
  return existsSync(path) ? path : undefined;
};

export const MISSING_CHROMIUM_MESSAGE =
  `The browser end-to-end tests need Chromium, not found at ${chromiumPath()}. ` +
  'Install it with `apt-get install -y chromium`, or set CHROMIUM_PATH to a Chromium or Chrome executable.';

/*
 * Limits of the browser tests. Several engineers run tests at once on two shared cores, so every wait
 * is generous: a healthy run needs a small fraction of each, and a test must never fail only because
 * the machine was busy. Nothing asserts how long anything took.
 */
/** One wait for something to happen in a page (a call to arrive, a request to be made). */
export const PAGE_WAIT_MS = 30_000;
/** One browser test or hook (starting Chromium, opening a page and a few waits): Jest's limit. */
export const BROWSER_TEST_MS = 120_000;

/** Starts Chromium (Playwright gives it a fresh temporary profile); each test then opens its own context. */
export const launchChromium = (executablePath: string): Promise<Browser> =>
  chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });

export const FAKE_KISSMETRICS_PATH = join(__dirname, 'fakeKissmetrics.js');
export const KM_LIBRARY_URL = 'https://i.kissmetrics.io/i.js';
export const KM_KEY_SCRIPT_URL = (apiKey: string): string => `https://scripts.kissmetrics.io/${apiKey}.2.js`;
const KM_TRACKING_ORIGIN = 'https://trk.kissmetrics.io';

/**
 * How the (fake) Kissmetrics library reaches the page: at once, after a real wait, never, or on a page
 * timer. `page timer` answers `i.js` at once with a script that defines the library only when a page
 * `setTimeout` of `delayMs` fires: until then the page, the SDK and the integration see exactly what a
 * slow download shows them (no `window.KM`, `_kmq` an array), and a test drives the page's clock
 * (`page.clock`) instead of waiting for real.
 */
export type LibraryArrival =
  | { kind: 'at once' }
  | { kind: 'after'; delayMs: number }
  | { kind: 'page timer'; delayMs: number }
  | { kind: 'blocked' };

/** Everything that left the page for the outside world, as the routes saw it. */
export interface Traffic {
  /** Kissmetrics script URLs requested, in order. */
  scripts: string[];
  /** Tracking requests the fake library made to trk.kissmetrics.io (path and query). */
  tracking: string[];
  /** Any other outside request: aborted, and expected to stay empty. */
  outside: string[];
}

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export const emptyTraffic = (): Traffic => ({ scripts: [], tracking: [], outside: [] });

/**
 * Answers `route` when it is for a Kissmetrics host: the two scripts get the fake library (at once,
 * late or never), tracking calls a pixel. Resolves false, leaving the route alone, for any other host.
 */
export const answerKissmetrics = async (
  route: Route,
  arrival: LibraryArrival,
  traffic: Traffic,
  library: string,
): Promise<boolean> => {
  const url = new URL(route.request().url());
  const deliver = async (body: string): Promise<void> => {
    traffic.scripts.push(url.href);
    if (arrival.kind === 'blocked') return route.abort('blockedbyclient');
    if (arrival.kind === 'after') await wait(arrival.delayMs);
    await route.fulfill({ status: 200, contentType: 'text/javascript', body });
  };
  if (url.href === KM_LIBRARY_URL)
    await deliver(
      arrival.kind === 'page timer' ? `setTimeout(function () {\n${library}\n}, ${arrival.delayMs});` : library,
    );
  else if (url.origin === 'https://scripts.kissmetrics.io')
    await deliver('/* the account script: settings only, no behaviour the tests rely on */');
  else if (url.origin === KM_TRACKING_ORIGIN) {
    traffic.tracking.push(url.pathname + url.search);
    await route.fulfill({ status: 200, contentType: 'image/gif', body: Buffer.from('R0lGODlhAQABAAAAACw=', 'base64') });
  } else return false;
  return true;
};

/** The stand-in Kissmetrics library's source. */
export const fakeKissmetricsLibrary = (): string => readFileSync(FAKE_KISSMETRICS_PATH, 'utf8');

/**
 * Routes every request of `page`: 127.0.0.1 goes through, the Kissmetrics hosts are answered by
 * `answerKissmetrics`, anything else is aborted and recorded.
 */
export const routeKissmetrics = async (page: Page, arrival: LibraryArrival): Promise<Traffic> => {
  const library = fakeKissmetricsLibrary();
  const traffic = emptyTraffic();
  await page.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === '127.0.0.1') return route.continue();
    if (await answerKissmetrics(route, arrival, traffic, library)) return;
    traffic.outside.push(url.href);
    return route.abort('blockedbyclient');
  });
  return traffic;
};

/**
 * `describe` when Chromium is there. Without it the block fails, saying how to install Chromium: a
 * browser test that did not run has not passed, on a laptop as in CI. Sets the file's Jest limit for
 * each test and hook to BROWSER_TEST_MS.
 */
export const describeWithChromium = (name: string, body: (chromiumPath: string) => void): void => {
  jest.setTimeout(BROWSER_TEST_MS);
  const chromiumPath = findChromium();
  describe(name, () => {
    if (chromiumPath) body(chromiumPath);
    else
      it('runs in Chromium', () => {
        throw new Error(MISSING_CHROMIUM_MESSAGE);
      });
  });
};
