import { RudderAnalytics } from '@rudderstack/analytics-js';
import { register } from 'rudderstack-kissmetrics';

// Your JavaScript source's write key and your data plane URL (RudderStack dashboard).
const WRITE_KEY = 'YOUR_WRITE_KEY';
const DATA_PLANE_URL = 'https://your-data-plane.example.com';

// Mounts window.Kissmetrics_RS = { Kissmetrics } before load(): the SDK uses this copy, bundled with
// the app, and fetches no Kissmetrics.min.js.
register();

export const analytics = new RudderAnalytics();
analytics.load(WRITE_KEY, DATA_PLANE_URL);
analytics.page();

document.getElementById('signup')?.addEventListener('click', () => {
  analytics.track('Signed Up', { plan: 'pro', source: { campaign: 'spring' } });
});
