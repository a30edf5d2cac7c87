/** The SDK's type name for this destination: it loads `Kissmetrics.min.js` and reads `window.Kissmetrics_RS`. */
export const SDK_TYPE_NAME = 'Kissmetrics';
export const SDK_GLOBAL = `${SDK_TYPE_NAME}_RS`;
/**
 * The legacy SDK's name for this destination (rudder-sdk-js 2.x, "v1.1"): it finds a destination's
 * settings, and applies the `integrations` option, by the instance's `name`.
 */
export const DESTINATION_NAME = 'KISSMETRICS';

/** The Kissmetrics library and the account's script, without a scheme: the loader adds `https:`. */
export const KM_LIBRARY = '//i.kissmetrics.io/i.js';
// The key needs no encoding: init() accepts only keys of API_KEY_PATTERN, whose characters are all URL-safe.
export const KM_KEY_SCRIPT = (apiKey: string): string => `//scripts.kissmetrics.io/${apiKey}.2.js`;

/** Android, BlackBerry, IEMobile, Opera Mini, iPhone, iPod, iPad. */
export const MOBILE_USER_AGENT = /Android|BlackBerry|IEMobile|Opera Mini|iP(hone|od|ad)/i;

/** The SDK's levels are LOG < INFO < DEBUG < WARN < ERROR < NONE: these two hide warnings. */
export const QUIET_LOG_LEVELS = /^(error|none)$/i;

/**
 * What init() translates once, untimed and unsent, so that built-ins a page has broken (a patched
 * `Array.isArray` or `Object.keys` that throws) make init() fail with a clear error, instead of every
 * event failing later.
 */
export const PROBE_MESSAGE = { event: 'init', properties: { list: [1, {}] } };
