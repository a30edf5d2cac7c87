// Your JavaScript source's write key and your data plane URL (RudderStack dashboard).
var WRITE_KEY = 'YOUR_WRITE_KEY';
var DATA_PLANE_URL = 'https://your-data-plane.example.com';
// The folder the <script> tag in index.html loads Kissmetrics.min.js from. When that tag did not load,
// the SDK fetches <DEST_SDK_BASE_URL>/Kissmetrics.min.js: this package again, never RudderStack's own
// Kissmetrics integration. Write "@" as "%40": the SDK rejects an "@" in this URL and stops entirely.
var DEST_SDK_BASE_URL = 'https://cdn.jsdelivr.net/npm/rudderstack-kissmetrics%400.1.0/dist';

var analytics = new window.rudderanalytics.RudderAnalytics();
analytics.load(WRITE_KEY, DATA_PLANE_URL, { destSDKBaseURL: DEST_SDK_BASE_URL });
analytics.page();

document.getElementById('signup').addEventListener('click', function () {
  analytics.track('Signed Up', { plan: 'pro', source: { campaign: 'spring' } });
});
