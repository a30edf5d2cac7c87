// Your JavaScript source's write key and your data plane URL (RudderStack dashboard).
var WRITE_KEY = 'YOUR_WRITE_KEY';
var DATA_PLANE_URL = 'https://your-data-plane.example.com';
// The folder that holds Kissmetrics.min.js: this package's dist/, on jsDelivr once the version is on npm,
// or a copy on your own host. The SDK requests <DEST_SDK_BASE_URL>/Kissmetrics.min.js for the
// "Kiss Metrics" destination, and never anything from RudderStack's CDN for it.
// Write "@" as "%40": the SDK accepts only [-a-zA-Z0-9%_.~+] in the path, and with an "@" it stops entirely.
var DEST_SDK_BASE_URL = 'https://cdn.jsdelivr.net/npm/rudderstack-kissmetrics%400.1.0/dist';

var analytics = new window.rudderanalytics.RudderAnalytics();
analytics.load(WRITE_KEY, DATA_PLANE_URL, { destSDKBaseURL: DEST_SDK_BASE_URL });
// Calls made before the destination is ready are kept by the SDK and delivered in order.
analytics.page();

document.getElementById('signup').addEventListener('click', function () {
  analytics.track('Signed Up', { plan: 'pro', source: { campaign: 'spring' } });
});
