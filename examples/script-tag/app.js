// Your JavaScript source's write key and your data plane URL (RudderStack dashboard).
var WRITE_KEY = 'YOUR_WRITE_KEY';
var DATA_PLANE_URL = 'https://your-data-plane.example.com';

var loadOptions = {};
// When the Kissmetrics.min.js tag did not load (a 404, an ad blocker), the SDK would silently fetch
// RudderStack's own Kissmetrics integration from its CDN instead: a different mapping of your events.
// Turn the destination off for this page view instead; other device-mode destinations load as usual.
if (!(window.Kissmetrics_RS && window.Kissmetrics_RS.Kissmetrics)) {
  console.warn('Kissmetrics.min.js did not load: the Kissmetrics destination is off on this page.');
  loadOptions.integrations = { All: true, 'Kiss Metrics': false };
}

var analytics = new window.rudderanalytics.RudderAnalytics();
analytics.load(WRITE_KEY, DATA_PLANE_URL, loadOptions);
analytics.page();

document.getElementById('signup').addEventListener('click', function () {
  analytics.track('Signed Up', { plan: 'pro', source: { campaign: 'spring' } });
});
