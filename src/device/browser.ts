// Entry of dist/Kissmetrics(.min).js: the script the RudderStack SDK loads from destSDKBaseURL.
import { SDK_GLOBAL } from './constants';
import { Kissmetrics } from './kissmetrics';

// A script tag always runs with a `window`: mounted without register()'s guard for server-side rendering.
(window as unknown as Record<string, unknown>)[SDK_GLOBAL] = { Kissmetrics };
