import { listOf, own } from './properties';

/**
 * Whether the visitor's consent lets this destination receive `message` (SPEC §2). The SDK checks consent
 * only when it loads destinations, so a visitor who withdraws it later (`rudderanalytics.consent(…)`, a
 * consent banner) would still be tracked; each event carries the consent as of when it was made
 * (`context.consentManagement`: `allowedConsentIds`, `provider`, `resolutionStrategy`), and the config
 * says which consent ids the destination needs: the `consentManagement` entry of that provider
 * (`consents: [{ consent }]`, its own `resolutionStrategy` or else the message's), else for OneTrust
 * `oneTrustCookieCategories` (every one needed) and for Ketch `ketchConsentPurposes` (any is enough).
 * `or` means any needed id allowed is enough, anything else that all must be. No consent data in the
 * message, or no settings for its provider: consented, as before.
 */
export const consented = (message: unknown, config: unknown): boolean => {
  const consent = own(own(message, 'context'), 'consentManagement');
  const allowed = own(consent, 'allowedConsentIds');
  const provider = own(consent, 'provider');
  const settings = listOf(own(config, 'consentManagement')).find((entry) => own(entry, 'provider') === provider);
  const consents = own(settings, 'consents');
  const [entries, field = '', strategy] = consents
    ? [consents, 'consent', own(settings, 'resolutionStrategy') ?? own(consent, 'resolutionStrategy')]
    : // The older, provider-specific settings.
      provider === 'oneTrust'
      ? [own(config, 'oneTrustCookieCategories'), 'oneTrustCookieCategory']
      : provider === 'ketch'
        ? [own(config, 'ketchConsentPurposes'), 'purpose', 'or']
        : // No settings for the provider: no entries, so nothing is needed.
          [];
  const needed = listOf(entries)
    .map((entry) => own(entry, field))
    .filter((id): id is string => typeof id === 'string' && !!id.trim());
  // `or`: any one is enough (and none needed, none asked); otherwise every one is needed.
  return (
    !Array.isArray(allowed) ||
    needed[strategy === 'or' && needed.length ? 'some' : 'every']((id) => allowed.includes(id.trim()))
  );
};
