// Your JavaScript source's write key and your data plane URL (RudderStack dashboard).
var WRITE_KEY = 'YOUR_WRITE_KEY';
var DATA_PLANE_URL = 'https://your-data-plane.example.com';

var analytics = new window.rudderanalytics.RudderAnalytics();
// No destSDKBaseURL: Kissmetrics.min.js is already on the page; other device-mode destinations,
// if any, still come from the SDK's default location.
analytics.load(WRITE_KEY, DATA_PLANE_URL);
analytics.page();

document.getElementById('signup').addEventListener('click', function () {
  analytics.track('Signed Up', { plan: 'pro', source: { campaign: 'spring' } });
});
