// Your JavaScript source's write key and your data plane URL (RudderStack dashboard).
var WRITE_KEY = 'YOUR_WRITE_KEY';
var DATA_PLANE_URL = 'https://your-data-plane.example.com';
// Where Kissmetrics.min.js is served from: a copy of this package's dist/ on your own CDN, or an npm CDN.
// The SDK requests <destSDKBaseURL>/Kissmetrics.min.js for the "Kiss Metrics" destination.
var DEST_SDK_BASE_URL = 'https://cdn.jsdelivr.net/npm/rudderstack-kissmetrics@0.1.0/dist';

var analytics = new window.rudderanalytics.RudderAnalytics();
analytics.load(WRITE_KEY, DATA_PLANE_URL, { destSDKBaseURL: DEST_SDK_BASE_URL });
// Calls made before the destination is ready are kept by the SDK and delivered in order.
analytics.page();

document.getElementById('signup').addEventListener('click', function () {
  analytics.track('Signed Up', { plan: 'pro', source: { campaign: 'spring' } });
});
