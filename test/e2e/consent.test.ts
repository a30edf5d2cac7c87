/**
 * Consent withdrawn after load, with the real v3 SDK in Chromium: the SDK checks consent only when it
 * loads destinations, so after `rudderanalytics.consent(…)` (or a OneTrust banner) revokes a category,
 * events still reach the integration; each carries the consent as of when it was made, and the
 * integration honours it. Also the v3 `integrations` keys that turn the destination off for one call.
 */
import { describeWithChromium } from './browser';
import { sdkPageWorld } from './sdkPage';
import { callSdk, eventually, integrationLive, kissmetricsCalls, loadAndCall, openScenario } from './scenario';
import type { SdkCall } from './scenario';

const PLUGINS = ['DeviceModeDestinations', 'NativeDestinationQueue', 'XhrQueue', 'StorageEncryption'];

/** Runs in the page before anything else: a stand-in for OneTrust's banner script and its data layer. */
const stubOneTrust = (): void => {
  const w = window as unknown as { OneTrust: unknown; OnetrustActiveGroups: string };
  w.OneTrust = {
    GetDomainData: () => ({
      Groups: [
        { CustomGroupId: 'C0001', GroupName: 'Strictly Necessary' },
        { CustomGroupId: 'C0002', GroupName: 'Performance' },
      ],
    }),
  };
  w.OnetrustActiveGroups = ',C0001,C0002,';
};

/** The Kissmetrics calls made by tracks named `names`, in order. */
const records = (...names: string[]): [string, string, Record<string, never>][] =>
  names.map((name) => ['record', name, {}]);

const track = (event: string): SdkCall => ['track', event, {}];

describeWithChromium('Kissmetrics and consent withdrawn after load (v3 SDK), in Chromium', (chromiumPath) => {
  const world = sdkPageWorld(chromiumPath);

  /** The events the SDK sent to the data plane, by name: the SDK made every call, whatever reached Kissmetrics. */
  const atDataPlane = (count: number): Promise<string[]> =>
    eventually(`${count} tracks at the data plane`, () => {
      const events = world.server.posts.flatMap((post) => {
        const event = (post.body as { event?: unknown }).event;
        return typeof event === 'string' ? [event] : [];
      });
      return events.length >= count ? events : undefined;
    });

  it('custom provider: the events before consent(…) revokes the category arrive, none after until it is given again', async () => {
    world.scenario = await openScenario(world.browser, world.server, { arrival: { kind: 'at once' } });
    const { page, problems } = world.scenario;
    await loadAndCall(
      page,
      world.settings({
        destinationConfig: {
          consentManagement: [{ provider: 'custom', resolutionStrategy: 'and', consents: [{ consent: 'analytics' }] }],
        },
        loadOptions: {
          plugins: [...PLUGINS, 'CustomConsentManager'],
          consentManagement: {
            enabled: true,
            provider: 'custom',
            allowedConsentIds: ['analytics'],
            deniedConsentIds: [],
          },
        },
      }),
      [track('Granted 1')],
    );
    await integrationLive(page);
    await callSdk(page, [track('Granted 2')]);
    expect(await kissmetricsCalls(page, 2)).toEqual(records('Granted 1', 'Granted 2'));

    await page.evaluate(() => {
      const sdk = (window as unknown as { e2eSdk: { consent: (options: object) => void } }).e2eSdk;
      sdk.consent({ consentManagement: { allowedConsentIds: [], deniedConsentIds: ['analytics'] } });
    });
    await callSdk(page, [track('Revoked 1'), track('Revoked 2')]);
    await page.evaluate(() => {
      const sdk = (window as unknown as { e2eSdk: { consent: (options: object) => void } }).e2eSdk;
      sdk.consent({ consentManagement: { allowedConsentIds: ['analytics'], deniedConsentIds: [] } });
    });
    await callSdk(page, [track('Granted again')]);

    // The calls reach the integration in order: once the last one has arrived, the revoked ones were dropped.
    expect(await kissmetricsCalls(page, 3)).toEqual(records('Granted 1', 'Granted 2', 'Granted again'));
    expect(await atDataPlane(5)).toEqual(['Granted 1', 'Granted 2', 'Revoked 1', 'Revoked 2', 'Granted again']);
    expect(problems).toEqual({ pageErrors: [], console: [] });
  });

  it('OneTrust: the events before the visitor turns a category off in the banner arrive, none after', async () => {
    world.scenario = await openScenario(world.browser, world.server, { arrival: { kind: 'at once' } });
    const { page, problems } = world.scenario;
    await page.evaluate(stubOneTrust);
    await loadAndCall(
      page,
      world.settings({
        destinationConfig: { consentManagement: [{ provider: 'oneTrust', consents: [{ consent: 'C0002' }] }] },
        loadOptions: {
          plugins: [...PLUGINS, 'OneTrustConsentManager'],
          consentManagement: { enabled: true, provider: 'oneTrust' },
        },
      }),
      [track('Granted 1')],
    );
    await integrationLive(page);
    await callSdk(page, [track('Granted 2')]);
    expect(await kissmetricsCalls(page, 2)).toEqual(records('Granted 1', 'Granted 2'));

    // What OneTrust does when the visitor turns Performance (C0002) off, and what a site then calls.
    await page.evaluate(() => {
      const w = window as unknown as { OnetrustActiveGroups: string; e2eSdk: { consent: () => void } };
      w.OnetrustActiveGroups = ',C0001,';
      w.e2eSdk.consent();
    });
    await callSdk(page, [track('Revoked 1'), track('Revoked 2')]);
    await page.evaluate(() => {
      const w = window as unknown as { OnetrustActiveGroups: string; e2eSdk: { consent: () => void } };
      w.OnetrustActiveGroups = ',C0001,C0002,';
      w.e2eSdk.consent();
    });
    await callSdk(page, [track('Granted again')]);

    expect(await kissmetricsCalls(page, 3)).toEqual(records('Granted 1', 'Granted 2', 'Granted again'));
    expect(await atDataPlane(5)).toEqual(['Granted 1', 'Granted 2', 'Revoked 1', 'Revoked 2', 'Granted again']);
    expect(problems).toEqual({ pageErrors: [], console: [] });
  });

  // v3 knows the destination by its display name: `{ KISSMETRICS: false }` is the legacy SDK's key.
  it.each(['Kiss Metrics'])(
    'a call with integrations: { %s: false } reaches nothing, the calls around it arrive',
    async (key) => {
      world.scenario = await openScenario(world.browser, world.server, { arrival: { kind: 'at once' } });
      const { page } = world.scenario;
      await loadAndCall(page, world.settings({}), [track('Before')]);
      await integrationLive(page);
      await callSdk(page, [['track', 'Hidden', {}, { integrations: { All: true, [key]: false } }], track('After')]);
      expect(await kissmetricsCalls(page, 2)).toEqual(records('Before', 'After'));
      expect(await atDataPlane(3)).toEqual(['Before', 'Hidden', 'After']);
    },
  );
});
