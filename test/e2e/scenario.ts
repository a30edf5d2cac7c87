import type { LoadOptions, RudderAnalytics } from '@rudderstack/analytics-js';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { PAGE_WAIT_MS, routeKissmetrics } from './browser';
import type { LibraryArrival, Traffic } from './browser';
import { DESTINATION_ID } from './server';
import type { E2eServer } from './server';

export const WRITE_KEY = 'e2e-write-key';
export const API_KEY = '0123456789abcdef0123456789abcdef01234567';

/** The SDK's READY_CHECK_TIMEOUT_MS: it polls `isReady()` every 100 ms for this long, then gives up. */
export const SDK_READY_LIMIT_MS = 11_000;

/** A `_kmq` command or a Kissmetrics library call, as JSON sees it. */
export type KmCall = [string, ...unknown[]];

/** What the page saw going wrong: uncaught errors and console errors or warnings. */
export interface Problems {
  pageErrors: string[];
  console: string[];
}

export interface Scenario {
  context: BrowserContext;
  page: Page;
  traffic: Traffic;
  problems: Problems;
  /** The test page's address, as the SDK reports it in page properties. */
  pageUrl: URL;
}

export interface ScenarioOptions {
  arrival: LibraryArrival;
  /** Include `dist/Kissmetrics.min.js` with a `<script>` tag before the SDK. */
  scriptTag?: boolean;
  /** The page loads the legacy SDK (rudder-sdk-js 2.x, "v1.1") instead of v3. */
  legacy?: boolean;
  /** Install Playwright's fake clock in the page before it opens, so that a test can move the page's time. */
  clock?: boolean;
}

/** A fresh browser context (no cookies or storage from other tests) on the test page. */
export const openScenario = async (
  browser: Browser,
  server: E2eServer,
  options: ScenarioOptions,
): Promise<Scenario> => {
  const context = await browser.newContext();
  context.setDefaultTimeout(PAGE_WAIT_MS);
  const page = await context.newPage();
  const problems: Problems = { pageErrors: [], console: [] };
  page.on('pageerror', (error) => problems.pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') {
      problems.console.push(`${message.type()}: ${message.text()} (${message.location().url})`);
    }
  });
  const traffic = await routeKissmetrics(page, options.arrival);
  if (options.clock) await page.clock.install();
  const query = [options.scriptTag ? 'scriptTag=1' : '', options.legacy ? 'sdk=legacy' : ''].filter(Boolean);
  const pageUrl = new URL(query.length ? `/?${query.join('&')}` : '/', server.baseUrl);
  await page.goto(pageUrl.href);
  return { context, page, traffic, problems, pageUrl };
};

export interface LoadSettings {
  baseUrl: string;
  prefixProperties: boolean;
  /** Where the SDK would fetch `Kissmetrics.min.js` from. */
  destSDKBaseURL: string;
  /** Added to the destination config the control plane answers (consent settings). */
  destinationConfig?: Record<string, unknown>;
  /** Added to the SDK's load options (consent management, `integrations`, plugins). */
  loadOptions?: Record<string, unknown>;
}

/** The destination settings as the test server reads them from a config URL (see `settingsOf` there). */
const settingsQuery = (settings: LoadSettings, apiKey: string): string =>
  new URLSearchParams({
    apiKey,
    prefixProperties: String(settings.prefixProperties),
    destinationConfig: JSON.stringify(settings.destinationConfig ?? {}),
  }).toString();

/** RudderStack calls to make in the page, as `[method, ...arguments]`. */
export type SdkCall =
  | ['identify', string, object]
  | ['identify', object]
  | ['track', string, object, object?]
  | ['page', string?, string?, object?]
  | ['alias', string]
  | ['group', string, object];

/** The SDK's own types: type-only, so nothing of the package is evaluated in Node or sent to the page. */
type InPageSdk = Pick<RudderAnalytics, 'load'>;

interface LoadArguments {
  settings: LoadSettings;
  calls: SdkCall[];
  writeKey: string;
  /** `settingsQuery` of the settings. */
  query: string;
}

/**
 * Runs in the page: `load()` with the options a page needs so that the bundled SDK runs device mode
 * offline (source config and data plane from our server, our bundle from `destSDKBaseURL`, bundled
 * plugins only), then `calls`, all in the same task, as a page that calls the SDK right away does.
 */
const loadAndCallInPage = ({ settings, calls, writeKey, query }: LoadArguments): void => {
  const w = window as unknown as { rudderanalytics: { RudderAnalytics: new () => InPageSdk }; e2eSdk: InPageSdk };
  const sdk = new w.rudderanalytics.RudderAnalytics();
  w.e2eSdk = sdk;
  const options: Partial<LoadOptions> = {
    configUrl: `${settings.baseUrl}/?${query}`,
    destSDKBaseURL: settings.destSDKBaseURL,
    plugins: ['DeviceModeDestinations', 'NativeDestinationQueue', 'XhrQueue', 'StorageEncryption'],
    polyfillIfRequired: false,
    storage: { migrate: false },
    ...settings.loadOptions,
  };
  sdk.load(writeKey, settings.baseUrl, options);
  const methods = sdk as unknown as Record<string, (...args: unknown[]) => void>;
  for (const [method, ...args] of calls) methods[method]?.(...args);
};

/** Runs in the page: more calls on the SDK loaded by `loadAndCallInPage`. */
const callInPage = (calls: SdkCall[]): void => {
  const sdk = (window as unknown as { e2eSdk: Record<string, (...args: unknown[]) => void> }).e2eSdk;
  for (const [method, ...args] of calls) sdk[method]?.(...args);
};

/** `rudderanalytics.load(...)` immediately followed by `calls`, in one page task. */
export const loadAndCall = (page: Page, settings: LoadSettings, calls: SdkCall[]): Promise<void> =>
  page.evaluate(loadAndCallInPage, { settings, calls, writeKey: WRITE_KEY, query: settingsQuery(settings, API_KEY) });

export const callSdk = (page: Page, calls: SdkCall[]): Promise<void> => page.evaluate(callInPage, calls);

/** The legacy SDK's global: its npm build is a UMD script that defines `window.rudderanalytics`. */
interface LegacySdk {
  load(writeKey: string, dataPlaneUrl: string, options: Record<string, unknown>): void;
  ready(callback: () => void): void;
}

/**
 * Runs in the page: the legacy SDK's `load()`, offline (source config and data plane from our server, our
 * bundle from `destSDKBaseURL`), a `ready()` callback that sets `window.e2eLegacyReady`, then `calls`, all
 * in the same task. The legacy SDK replaces the query of `configUrl` with its own, so the destination
 * settings travel in the path (`/settings/<query>`).
 */
const loadAndCallLegacyInPage = ({ settings, calls, writeKey, query }: LoadArguments): void => {
  const w = window as unknown as { rudderanalytics: LegacySdk; e2eLegacyReady?: boolean };
  const sdk = w.rudderanalytics;
  sdk.load(writeKey, settings.baseUrl, {
    configUrl: `${settings.baseUrl}/settings/${encodeURIComponent(query)}`,
    destSDKBaseURL: settings.destSDKBaseURL,
    ...settings.loadOptions,
  });
  sdk.ready(() => {
    w.e2eLegacyReady = true;
  });
  const methods = sdk as unknown as Record<string, (...args: unknown[]) => void>;
  for (const [method, ...args] of calls) methods[method]?.(...args);
};

/** `rudderanalytics.load(...)` of the legacy SDK immediately followed by `calls`, in one page task. */
export const loadAndCallLegacy = (page: Page, settings: LoadSettings, calls: SdkCall[]): Promise<void> =>
  page.evaluate(loadAndCallLegacyInPage, {
    settings,
    calls,
    writeKey: WRITE_KEY,
    query: settingsQuery(settings, API_KEY),
  });

/** More calls on the legacy SDK. */
export const callLegacySdk = (page: Page, calls: SdkCall[]): Promise<void> =>
  page.evaluate((more) => {
    const sdk = (window as unknown as { rudderanalytics: Record<string, (...args: unknown[]) => void> })
      .rudderanalytics;
    for (const [method, ...args] of more) sdk[method]?.(...args);
  }, calls);

/** Resolves once the legacy SDK calls `ready()` callbacks: its device-mode destinations are settled. */
export const legacyReady = async (page: Page): Promise<void> => {
  await page.waitForFunction(
    () => (window as unknown as { e2eLegacyReady?: boolean }).e2eLegacyReady === true,
    undefined,
    { timeout: PAGE_WAIT_MS },
  );
};

interface DestinationsState {
  initialized: string[];
  failed: string[];
}

/** The SDK's own view of the device-mode destinations (it exposes its state on `RudderStackGlobals`). */
export const destinationsState = (page: Page): Promise<DestinationsState> =>
  page.evaluate((writeKey) => {
    interface Dest {
      id: string;
    }
    const { state } = (
      window as unknown as {
        RudderStackGlobals: Record<
          string,
          { state: { nativeDestinations: Record<'initializedDestinations' | 'failedDestinations', { value: Dest[] }> } }
        >;
      }
    ).RudderStackGlobals[writeKey] ?? { state: undefined };
    return {
      initialized: state?.nativeDestinations.initializedDestinations.value.map((d) => d.id) ?? [],
      failed: state?.nativeDestinations.failedDestinations.value.map((d) => d.id) ?? [],
    };
  }, WRITE_KEY);

/** Resolves once the SDK has our destination initialised, i.e. it forwards events to it directly. */
export const integrationLive = async (page: Page): Promise<void> => {
  await page.waitForFunction(
    ({ writeKey, id }) =>
      (
        window as unknown as {
          RudderStackGlobals?: Record<
            string,
            { state?: { nativeDestinations: { initializedDestinations: { value: { id: string }[] } } } } | undefined
          >;
        }
      ).RudderStackGlobals?.[writeKey]?.state?.nativeDestinations.initializedDestinations.value.some(
        (d) => d.id === id,
      ) === true,
    { writeKey: WRITE_KEY, id: DESTINATION_ID },
    { timeout: PAGE_WAIT_MS },
  );
};

/** Waits until the Kissmetrics library has made `count` calls, then returns all of them. */
export const kissmetricsCalls = async (page: Page, count: number, timeoutMs = PAGE_WAIT_MS): Promise<KmCall[]> => {
  await page.waitForFunction(
    (n) => ((window as unknown as { __kmCalls?: unknown[] }).__kmCalls?.length ?? 0) >= n,
    count,
    { timeout: timeoutMs },
  );
  return page.evaluate(() => (window as unknown as { __kmCalls: KmCall[] }).__kmCalls);
};

/** Waits until `_kmq` is an array holding `count` commands, then returns them. */
export const waitingCommands = async (page: Page, count: number): Promise<KmCall[]> => {
  await page.waitForFunction(
    (n) => {
      const queue = (window as unknown as { _kmq?: unknown })._kmq;
      return Array.isArray(queue) && queue.length >= n;
    },
    count,
    { timeout: PAGE_WAIT_MS },
  );
  return page.evaluate(() => (window as unknown as { _kmq: KmCall[] })._kmq);
};

const POLL_INTERVAL_MS = 25;

/** Waits (at most PAGE_WAIT_MS) until `read` returns something, for facts observed outside the page. */
export const eventually = async <T>(what: string, read: () => T | undefined): Promise<T> => {
  const deadline = Date.now() + PAGE_WAIT_MS;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
};
