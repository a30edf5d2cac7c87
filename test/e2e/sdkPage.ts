import type { Browser } from 'playwright-core';
import { launchChromium } from './browser';
import { eventually } from './scenario';
import type { LoadSettings, Scenario } from './scenario';
import { startServer } from './server';
import type { E2eServer } from './server';

/** What a describe block of SDK page tests shares: one Chromium, one local server, the scenario open now. */
export interface SdkPageWorld {
  browser: Browser;
  server: E2eServer;
  /** The page a test opened; closed after each test, with the server's records cleared. */
  scenario: Scenario | undefined;
  /** Load settings pointing the SDK at the local server and our built script, with the given overrides. */
  settings: (overrides?: Partial<LoadSettings>) => LoadSettings;
}

/** Registers the block's set-up and tear-down hooks; read `browser` and `server` inside tests only. */
export const sdkPageWorld = (chromiumPath: string): SdkPageWorld => {
  const world: SdkPageWorld = {
    browser: undefined as unknown as Browser,
    server: undefined as unknown as E2eServer,
    scenario: undefined,
    settings: (overrides = {}) => ({
      baseUrl: world.server.baseUrl,
      prefixProperties: false,
      destSDKBaseURL: `${world.server.baseUrl}/dist`,
      ...overrides,
    }),
  };

  beforeAll(async () => {
    [world.browser, world.server] = await Promise.all([launchChromium(chromiumPath), startServer()]);
  });

  afterEach(async () => {
    await world.scenario?.context.close();
    world.scenario = undefined;
    world.server.hits.length = 0;
    world.server.posts.length = 0;
  });

  afterAll(async () => {
    await Promise.all([world.browser.close(), world.server.close()]);
  });

  return world;
};

/** The properties either SDK (v3 and legacy) adds to every page call on the test page. */
export const sdkPageProperties = (pageUrl: URL): Record<string, string> => ({
  path: pageUrl.pathname,
  referrer: '$direct',
  referring_domain: '',
  search: pageUrl.search,
  title: 'Kissmetrics e2e',
  url: pageUrl.href,
  tab_url: pageUrl.href,
  initial_referrer: '$direct',
  initial_referring_domain: '',
});

/** Unix seconds of the `originalTimestamp` the SDK gave the track event `event` (from its data-plane copy). */
export const dataPlaneSeconds = (server: E2eServer, event: string): Promise<number> =>
  eventually(`the data plane to receive "${event}"`, () => {
    for (const { body } of server.posts) {
      const message = body as { event?: unknown; originalTimestamp?: unknown };
      if (message.event === event && typeof message.originalTimestamp === 'string') {
        return Math.floor(Date.parse(message.originalTimestamp) / 1000);
      }
    }
    return undefined;
  });
