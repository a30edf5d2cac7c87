import { consented } from '../../src/rules/consent';

/** A message as the SDK makes it when consent management is on. */
const withConsent = (consentManagement: Record<string, unknown>): Record<string, unknown> => ({
  event: 'E',
  context: { consentManagement },
});
const custom = (allowed: string[], resolutionStrategy?: string): Record<string, unknown> =>
  withConsent({ allowedConsentIds: allowed, deniedConsentIds: [], provider: 'custom', resolutionStrategy });
const oneTrust = (allowed: string[], resolutionStrategy = 'and'): Record<string, unknown> =>
  withConsent({ allowedConsentIds: allowed, deniedConsentIds: ['C0004'], provider: 'oneTrust', resolutionStrategy });
const ketch = (allowed: string[]): Record<string, unknown> =>
  withConsent({ allowedConsentIds: allowed, deniedConsentIds: [], provider: 'ketch', resolutionStrategy: 'or' });

const entry = (provider: string, ids: string[], resolutionStrategy?: string): Record<string, unknown> => ({
  provider,
  ...(resolutionStrategy === undefined ? {} : { resolutionStrategy }),
  consents: ids.map((consent) => ({ consent })),
});
const settings = (...entries: Record<string, unknown>[]): Record<string, unknown> => ({
  apiKey: 'k',
  consentManagement: entries,
});
const oneTrustCategories = (...ids: string[]): Record<string, unknown> => ({
  apiKey: 'k',
  oneTrustCookieCategories: ids.map((oneTrustCookieCategory) => ({ oneTrustCookieCategory })),
});
const ketchPurposes = (...ids: string[]): Record<string, unknown> => ({
  apiKey: 'k',
  ketchConsentPurposes: ids.map((purpose) => ({ purpose })),
});

describe('consented: the consent the message carries, against the consent the destination needs', () => {
  it.each<[string, unknown, unknown, boolean]>([
    // No settings, or no consent data: sent as before.
    ['no consent settings', custom([]), { apiKey: 'k' }, true],
    ['no config at all', custom([]), undefined, true],
    ['no consent data in the message', { event: 'E', context: {} }, settings(entry('custom', ['analytics'])), true],
    ['no context', { event: 'E' }, settings(entry('custom', ['analytics'])), true],
    ['a message that is not an object', null, settings(entry('custom', ['analytics'])), true],
    [
      'consent data without allowed ids (the legacy SDK sends only denied ids)',
      withConsent({ deniedConsentIds: ['analytics'] }),
      settings(entry('custom', ['analytics'])),
      true,
    ],
    // The custom provider, each strategy.
    [
      'custom, and: every needed id allowed',
      custom(['analytics', 'ads']),
      settings(entry('custom', ['analytics', 'ads'], 'and')),
      true,
    ],
    [
      'custom, and: one needed id missing',
      custom(['analytics']),
      settings(entry('custom', ['analytics', 'ads'], 'and')),
      false,
    ],
    ['custom, or: one needed id allowed', custom(['ads']), settings(entry('custom', ['analytics', 'ads'], 'or')), true],
    [
      'custom, or: no needed id allowed',
      custom(['other']),
      settings(entry('custom', ['analytics', 'ads'], 'or')),
      false,
    ],
    [
      'custom, no strategy anywhere: every one needed',
      custom(['ads']),
      settings(entry('custom', ['analytics', 'ads'])),
      false,
    ],
    [
      'custom, an unknown strategy: every one needed',
      custom(['ads']),
      settings(entry('custom', ['analytics', 'ads'], 'xor')),
      false,
    ],
    [
      'custom, the message strategy when the entry has none',
      custom(['ads'], 'or'),
      settings(entry('custom', ['analytics', 'ads'])),
      true,
    ],
    [
      'custom, the entry strategy before the message one',
      custom(['ads'], 'or'),
      settings(entry('custom', ['analytics', 'ads'], 'and')),
      false,
    ],
    ['custom, nothing allowed any more (revoked)', custom([]), settings(entry('custom', ['analytics'])), false],
    ['custom, an entry that needs nothing', custom([]), settings(entry('custom', [])), true],
    ['custom, or, an entry that needs nothing', custom([]), settings(entry('custom', [], 'or')), true],
    [
      'custom, empty and blank ids are not needed',
      custom(['analytics']),
      settings(entry('custom', ['', ' ', 'analytics'])),
      true,
    ],
    ['custom, needed ids are trimmed', custom(['analytics']), settings(entry('custom', [' analytics '])), true],
    [
      'custom, ids that are not strings are not needed',
      custom(['analytics']),
      settings({
        provider: 'custom',
        consents: [{ consent: 7 }, { consent: null }, 'analytics', { consent: 'analytics' }],
      }),
      true,
    ],
    // OneTrust and Ketch through consentManagement.
    ['oneTrust entry, allowed', oneTrust(['C0001', 'C0002']), settings(entry('oneTrust', ['C0002'])), true],
    ['oneTrust entry, denied', oneTrust(['C0001']), settings(entry('oneTrust', ['C0002'])), false],
    [
      'oneTrust entry, or from the message',
      oneTrust(['C0003'], 'or'),
      settings(entry('oneTrust', ['C0002', 'C0003'])),
      true,
    ],
    ['ketch entry, allowed', ketch(['analytics']), settings(entry('ketch', ['analytics'])), true],
    [
      'ketch entry, or from the message, denied',
      ketch(['ads']),
      settings(entry('ketch', ['analytics', 'behavioral'])),
      false,
    ],
    // Only the entry of the message's provider counts.
    ["another provider's entry only", custom([]), settings(entry('oneTrust', ['C0002'])), true],
    [
      'the entry of the message provider among others',
      custom(['a']),
      settings(entry('oneTrust', ['C0002']), entry('custom', ['a'])),
      true,
    ],
    [
      'an unknown provider',
      withConsent({ allowedConsentIds: [], provider: 'iubenda' }),
      settings(entry('custom', ['a'])),
      true,
    ],
    // The older settings, when consentManagement has no entry for the provider.
    ['oneTrustCookieCategories, all allowed', oneTrust(['C0002', 'C0003']), oneTrustCategories('C0002', 'C0003'), true],
    ['oneTrustCookieCategories, one denied', oneTrust(['C0002']), oneTrustCategories('C0002', 'C0003'), false],
    [
      'oneTrustCookieCategories, all needed even when the message says or',
      oneTrust(['C0002'], 'or'),
      oneTrustCategories('C0002', 'C0003'),
      false,
    ],
    ['oneTrustCookieCategories with one empty row', oneTrust([]), oneTrustCategories(''), true],
    ['ketchConsentPurposes, any allowed', ketch(['behavioral']), ketchPurposes('analytics', 'behavioral'), true],
    ['ketchConsentPurposes, none allowed', ketch(['ads']), ketchPurposes('analytics', 'behavioral'), false],
    ['oneTrustCookieCategories do not apply to another provider', custom([]), oneTrustCategories('C0002'), true],
    ['ketchConsentPurposes do not apply to OneTrust', oneTrust([]), ketchPurposes('analytics'), true],
    [
      'the consentManagement entry before the older settings',
      oneTrust(['C0002']),
      { ...settings(entry('oneTrust', ['C0002'])), ...oneTrustCategories('C0009') },
      true,
    ],
    [
      'the older settings when consentManagement has no entry for the provider',
      oneTrust(['C0002']),
      { ...settings(entry('custom', ['a'])), ...oneTrustCategories('C0009') },
      false,
    ],
    // Malformed settings never throw.
    ['consentManagement that is not a list', custom([]), { consentManagement: { provider: 'custom' } }, true],
    ['consents that are not a list', custom([]), settings({ provider: 'custom', consents: 'analytics' }), true],
  ])('%s → %p', (_name, message, config, expected) => {
    expect(consented(message, config)).toBe(expected);
  });

  describe('with values a page put on Object.prototype', () => {
    afterEach(() => {
      for (const name of ['consentManagement', 'consents', 'oneTrustCookieCategories'])
        Reflect.deleteProperty(Object.prototype, name);
    });

    it("reads only the message's and the config's own fields", () => {
      for (const name of ['consentManagement', 'consents', 'oneTrustCookieCategories'])
        Object.defineProperty(Object.prototype, name, {
          configurable: true,
          get: () => (name === 'consentManagement' ? { allowedConsentIds: [], provider: 'custom' } : [{}]),
        });
      expect(consented({ event: 'E', context: {} }, { apiKey: 'k' })).toBe(true);
      expect(consented(custom([]), { apiKey: 'k' })).toBe(true);
    });
  });
});
