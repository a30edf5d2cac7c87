// The bundled build of the SDK has its plugins inside: the default build would fetch them from
// RudderStack's CDN at run time, which fails offline or under a strict Content-Security-Policy.
import { RudderAnalytics } from '@rudderstack/analytics-js/bundled';
import { register } from 'rudderstack-kissmetrics';

// Your JavaScript source's write key and your data plane URL (RudderStack dashboard).
const WRITE_KEY = 'YOUR_WRITE_KEY';
const DATA_PLANE_URL = 'https://your-data-plane.example.com';

// Mounts window.Kissmetrics_RS = { Kissmetrics } before load(): the SDK uses this copy, bundled with
// the app, and fetches nothing for the "Kiss Metrics" destination. It cannot fail to load on its own.
register();

const analytics = new RudderAnalytics();
analytics.load(WRITE_KEY, DATA_PLANE_URL);
analytics.page();

document.getElementById('signup').addEventListener('click', () => {
  analytics.track('Signed Up', { plan: 'pro', source: { campaign: 'spring' } });
});
