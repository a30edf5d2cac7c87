import type { Browser } from 'playwright-core';
import { launchChromium } from './browser';
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
