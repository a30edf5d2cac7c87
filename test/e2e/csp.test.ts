/**
 * The Content-Security-Policy a strict page needs for the plain-HTML examples, measured in Chromium: the
 * examples work under exactly the policy below, and each of its sources is needed (without it, the browser
 * reports a violation for that host). The stand-in Kissmetrics library sends its tracking requests as
 * images, as Kissmetrics' own browser clients have done; `img-src` is measured with it.
 */
import type { Page } from 'playwright-core';
import { describeWithChromium } from './browser';
import { useExampleSites } from './exampleSite';
import { eventually } from './scenario';
import { DATA_PLANE_URL, kissmetricsCallsOf, SDK_VERSION, SITE_ORIGIN } from './world';
import type { ExamplePage } from './world';

type Directive = 'script-src' | 'connect-src' | 'img-src';

/** Every source the examples need, per directive; everything else falls back to `default-src 'none'`. */
const NEEDED: Record<Directive, string[]> = {
  'script-src': ["'self'", 'https://cdn.jsdelivr.net', 'https://i.kissmetrics.io', 'https://scripts.kissmetrics.io'],
  'connect-src': ['https://api.rudderstack.com', DATA_PLANE_URL],
  'img-src': ['https://trk.kissmetrics.io'],
};

const policy = (without?: { directive: Directive; source: string }): string =>
  [
    "default-src 'none'",
    ...Object.entries(NEEDED).map(([directive, sources]) =>
      [directive, ...sources.filter((source) => directive !== without?.directive || source !== without.source)].join(
        ' ',
      ),
    ),
  ].join('; ');

interface Violation {
  directive: string;
  /** The blocked address without its query. */
  blocked: string;
}

/** Runs in the page before anything else: records every CSP violation the browser reports. */
const recordViolations = async (page: Page): Promise<void> => {
  await page.addInitScript(() => {
    const seen: { directive: string; blocked: string }[] = [];
    (window as unknown as { __cspViolations: typeof seen }).__cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (event) => {
      seen.push({ directive: event.effectiveDirective, blocked: event.blockedURI.split('?')[0] ?? '' });
    });
  });
};

const violations = (page: Page): Promise<Violation[]> =>
  page.evaluate(() => (window as unknown as { __cspViolations: Violation[] }).__cspViolations);

const SIGNED_UP = ['record', 'Signed Up', { plan: 'pro', 'source.campaign': 'spring' }];

describeWithChromium('The Content-Security-Policy the examples need, measured', (chromiumPath) => {
  const openExample = useExampleSites(chromiumPath, ['cdn', 'script-tag', 'fail-closed']);
  const open = (name: string, csp: string): Promise<ExamplePage> =>
    openExample(name, { pageHeaders: { 'content-security-policy': csp } }, recordViolations);

  it.each(['cdn', 'script-tag', 'fail-closed'])(`examples/%s works under "${policy()}"`, async (name) => {
    const example = await open(name, policy());
    const { page, traffic, problems } = example;

    expect(await kissmetricsCallsOf(example, 1)).toHaveLength(1);
    await page.getByRole('button', { name: 'Sign up' }).click();
    expect((await kissmetricsCallsOf(example, 2))[1]).toEqual(SIGNED_UP);
    // The stand-in library's two tracking requests (page and track) went out as images.
    expect(
      await eventually('two tracking requests', () => (traffic.tracking.length >= 2 ? traffic.tracking : undefined)),
    ).toEqual([expect.stringMatching(/^\/e\?.*_n=Loaded%20a%20Page/), expect.stringMatching(/^\/e\?.*_n=Signed%20Up/)]);
    expect(await violations(page)).toEqual([]);
    expect(problems).toEqual({ pageErrors: [], console: [] });
  });

  const SDK_URL = `https://cdn.jsdelivr.net/npm/@rudderstack/analytics-js@${SDK_VERSION}/dist/npm/modern/bundled/umd/index.js`;
  it.each<[Directive, string, Violation]>([
    ['script-src', "'self'", { directive: 'script-src-elem', blocked: `${SITE_ORIGIN}/app.js` }],
    ['script-src', 'https://cdn.jsdelivr.net', { directive: 'script-src-elem', blocked: SDK_URL }],
    [
      'script-src',
      'https://i.kissmetrics.io',
      { directive: 'script-src-elem', blocked: 'https://i.kissmetrics.io/i.js' },
    ],
    [
      'script-src',
      'https://scripts.kissmetrics.io',
      {
        directive: 'script-src-elem',
        blocked: 'https://scripts.kissmetrics.io/0123456789abcdef0123456789abcdef01234567.2.js',
      },
    ],
    [
      'connect-src',
      'https://api.rudderstack.com',
      { directive: 'connect-src', blocked: 'https://api.rudderstack.com/sourceConfig/' },
    ],
    ['connect-src', DATA_PLANE_URL, { directive: 'connect-src', blocked: `${DATA_PLANE_URL}/v1/page` }],
    ['img-src', 'https://trk.kissmetrics.io', { directive: 'img-src', blocked: 'https://trk.kissmetrics.io/e' }],
  ])('examples/cdn needs %s %s: without it the browser blocks %j', async (directive, source, expected) => {
    const { page } = await open('cdn', policy({ directive, source }));

    await page.waitForFunction(() => (window as unknown as { __cspViolations: unknown[] }).__cspViolations.length > 0);
    const seen = await violations(page);
    expect(seen).toContainEqual(expected);
    // Only the host taken out of the policy is blocked.
    const origin = new URL(expected.blocked).origin;
    expect(seen.filter((violation) => new URL(violation.blocked).origin !== origin)).toEqual([]);
  });
});
