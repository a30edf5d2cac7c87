/**
 * @jest-environment jsdom
 */
import type { RSAEvent } from '@rudderstack/analytics-js';
import { Kissmetrics, register } from '../../src/device/kissmetrics';
import type { KissmetricsGlobals } from '../../src/device/types';
import type { KissmetricsConfig, KmqCommand } from '../../src/rules/types';

const KEY = 'a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2';
const LIBRARY = 'https://i.kissmetrics.io/i.js';
const KEY_SCRIPT = `https://scripts.kissmetrics.io/${KEY}.2.js`;
const DESKTOP_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

const g = window as unknown as KissmetricsGlobals;
const queued = (): unknown => g._kmq;
const scriptSources = (): string[] => Array.from(document.scripts).map((s) => s.src);

const setDevice = (userAgent: string, maxTouchPoints = 0): void => {
  Object.defineProperty(window.navigator, 'userAgent', { value: userAgent, configurable: true });
  Object.defineProperty(window.navigator, 'maxTouchPoints', { value: maxTouchPoints, configurable: true });
};

let warn: jest.SpyInstance;

beforeEach(() => {
  setDevice(DESKTOP_UA);
  warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});

afterEach(() => {
  warn.mockRestore();
  document.head.innerHTML = '';
  document.body.innerHTML = '';
  delete g._kmq;
  delete g._kmk;
  delete g.KM;
  delete g.Kissmetrics_RS;
});

const started = (config: Record<string, unknown> = { apiKey: KEY }, logLevel = 'WARN'): Kissmetrics => {
  // Typed callers must pass a KissmetricsConfig; at run time anything is accepted and checked.
  const integration = new Kissmetrics(config as unknown as KissmetricsConfig, { logLevel }, { destinationId: 'd1' });
  integration.init();
  return integration;
};

describe('init', () => {
  it('creates the _kmq queue, sets _kmk and injects both scripts over https, async', () => {
    started();
    expect(queued()).toEqual([]);
    expect(g._kmk).toBe(KEY);
    expect(scriptSources()).toEqual([LIBRARY, KEY_SCRIPT]);
    expect(Array.from(document.scripts).every((s) => s.async)).toBe(true);
  });

  it('injects the scripts only once, however often init runs and however many instances exist', () => {
    const first = started();
    first.init();
    started();
    expect(scriptSources()).toEqual([LIBRARY, KEY_SCRIPT]);
  });

  it.each([
    ['protocol-relative', `//i.kissmetrics.io/i.js`, `//scripts.kissmetrics.io/${KEY}.2.js`],
    ['http', 'http://i.kissmetrics.io/i.js', `http://scripts.kissmetrics.io/${KEY}.2.js`],
    ['https', LIBRARY, KEY_SCRIPT],
  ])('does not inject scripts the page already has (%s)', (_kind, library, keyScript) => {
    document.head.innerHTML = `<script src="${library}"></script><script src="${keyScript}"></script>`;
    started();
    expect(document.scripts).toHaveLength(2);
  });

  it('keeps an existing _kmq queue and what the page queued in it, and an existing _kmk', () => {
    const pageQueue: unknown[] = [['record', 'Page Queued', {}]];
    g._kmq = pageQueue;
    g._kmk = 'page-key';
    const integration = started();
    integration.track({ message: { event: 'Ours', properties: {} } });
    expect(g._kmq).toBe(pageQueue);
    expect(pageQueue).toEqual([
      ['record', 'Page Queued', {}],
      ['record', 'Ours', {}],
    ]);
    expect(g._kmk).toBe('page-key');
  });

  it('URL-encodes the key into the account script address', () => {
    started({ apiKey: 'key_with-dash' });
    expect(scriptSources()).toEqual([LIBRARY, 'https://scripts.kissmetrics.io/key_with-dash.2.js']);
  });

  it.each<[string, unknown]>([
    ['no config', undefined],
    ['no apiKey', {}],
    ['an empty apiKey', { apiKey: '' }],
    ['a numeric apiKey', { apiKey: 123 }],
    ['an apiKey with spaces', { apiKey: 'abc def' }],
    ['an apiKey with markup', { apiKey: '"><script>' }],
    ['an apiKey of 101 characters', { apiKey: 'a'.repeat(101) }],
  ])('throws a clear Error for %s and injects and pushes nothing', (_name, config) => {
    const integration = new Kissmetrics(config as KissmetricsConfig, { logLevel: 'WARN' });
    expect(() => {
      integration.init();
    }).toThrow(/^Kissmetrics: config\.apiKey: expected a Kissmetrics API key matching \^\[\\w-\]\{1,100\}\$, got /);
    expect(document.scripts).toHaveLength(0);
    expect(queued()).toBeUndefined();
    integration.track({ message: { event: 'E' } });
    expect(queued()).toBeUndefined();
    expect(warn).toHaveBeenCalledWith('Kissmetrics track: init() has not succeeded; nothing sent');
  });

  it('says what type it got for a bad key, never the key', () => {
    expect(() => {
      new Kissmetrics({ apiKey: 'abc def' }).init();
    }).toThrow(/, got string$/);
  });
});

describe('Mobile Session', () => {
  it.each([
    ['an iPhone', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148', 5],
    [
      'an Android phone',
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36',
      5,
    ],
    ['an old iPad', 'Mozilla/5.0 (iPad; CPU OS 12_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148', 5],
    [
      'iPadOS 13+ (Macintosh with touch)',
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 Version/17.0 Safari/605.1.15',
      5,
    ],
    ['an iPod', 'Mozilla/5.0 (iPod touch; CPU iPhone OS 12_0 like Mac OS X)', 5],
    ['BlackBerry', 'Mozilla/5.0 (BlackBerry; U; BlackBerry 9900; en)', 0],
    ['IEMobile', 'Mozilla/5.0 (compatible; MSIE 10.0; Windows Phone 8.0; IEMobile/10.0)', 0],
    ['Opera Mini', 'Opera/9.80 (J2ME/MIDP; Opera Mini/9.80)', 0],
  ])('is set once at init on %s', (_name, ua, touch) => {
    setDevice(ua, touch);
    const integration = started();
    integration.init();
    expect(queued()).toEqual([['set', { 'Mobile Session': 'Yes' }]]);
  });

  it.each([
    ['a desktop Mac (no touch)', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Safari/605.1.15', 0],
    ['a touch-screen Mac reporting one touch point', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)', 1],
    ['Linux desktop', DESKTOP_UA, 0],
    ['Windows with touch', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/126.0', 10],
  ])('is not set on %s', (_name, ua, touch) => {
    setDevice(ua, touch);
    started();
    expect(queued()).toEqual([]);
  });
});

describe('readiness', () => {
  it('isReady is false without a queue and true as soon as init created one, before the library loads', () => {
    const integration = new Kissmetrics({ apiKey: KEY });
    expect(integration.isReady()).toBe(false);
    integration.init();
    expect(integration.isReady()).toBe(true);
    expect('KM' in window).toBe(false);
  });

  it('isLoaded answers like isReady, whether the Kissmetrics library has arrived or not (the legacy SDK polls it)', () => {
    const integration = new Kissmetrics({ apiKey: KEY });
    expect(integration.isLoaded()).toBe(false);
    integration.init();
    expect(integration.isLoaded()).toBe(true);
    g.KM = { record: jest.fn() };
    expect(integration.isLoaded()).toBe(true);
  });

  it('is named KISSMETRICS, the name the legacy SDK finds the destination by', () => {
    expect(new Kissmetrics({ apiKey: KEY }).name).toBe('KISSMETRICS');
  });
});

describe('event methods', () => {
  it('push the translated commands in order', () => {
    const integration = started();
    integration.identify({ message: { userId: 'u1', context: { traits: { plan: 'pro' } } } });
    integration.track({ message: { event: 'Bought', properties: { revenue: '$5', x: null } } });
    integration.page({ message: { name: 'Home', properties: { url: 'u' } } });
    integration.screen({ message: { name: 'Main' } });
    integration.alias({ message: { userId: 'u2', previousId: 'u1' } });
    integration.group({ message: { groupId: 'g1', traits: { name: 'Acme' } } });
    integration.reset();
    expect(queued()).toEqual([
      ['identify', 'u1'],
      ['set', { plan: 'pro' }],
      ['record', 'Bought', { revenue: 5, 'Billing Amount': 5 }],
      ['record', 'Viewed Home page', { url: 'u' }],
      ['record', 'Viewed Main screen', {}],
      ['alias', 'u2', 'u1'],
      ['set', { 'Group - name': 'Acme', 'Group - id': 'g1' }],
      ['clearIdentity'],
    ]);
    expect(warn).not.toHaveBeenCalled();
  });

  it('honour prefixProperties from the destination config', () => {
    const integration = started({ apiKey: KEY, prefixProperties: true });
    integration.track({ message: { event: 'E', properties: { a: 1 } } });
    integration.page({ message: { name: 'P', properties: { b: 2 } } });
    expect(queued()).toEqual([
      ['record', 'E', { 'E - a': 1 }],
      ['record', 'Viewed P page', { 'Page - b': 2 }],
    ]);
  });

  it('use the method, not the message type, to choose the rule', () => {
    const integration = started();
    integration.track({ message: { type: 'page', event: 'E' } });
    expect(queued()).toEqual([['record', 'E', {}]]);
  });

  it('hand commands to the live Kissmetrics queue once the library has replaced _kmq', () => {
    const integration = started();
    const received: KmqCommand[] = [];
    g._kmq = { push: (command: KmqCommand) => received.push(command) };
    integration.alias({ message: { userId: 'b', previousId: 'a' } });
    expect(received).toEqual([['alias', 'b', 'a']]);
  });
});

describe('events typed exactly as the SDK types them (RSAEvent)', () => {
  const sdkEvent = (message: Partial<RSAEvent['message']>): RSAEvent => ({
    message: {
      type: 'track',
      channel: 'web',
      anonymousId: 'anon-1',
      messageId: 'm-1',
      originalTimestamp: '2026-01-01T00:00:00.000Z',
      integrations: { All: true },
      event: null,
      context: {
        app: {
          name: 'RudderLabs JavaScript SDK',
          version: '3.34.1',
          namespace: 'com.rudderlabs.javascript',
          installType: 'npm',
        },
        library: { name: 'RudderLabs JavaScript SDK', version: '3.34.1' },
        userAgent: DESKTOP_UA,
        os: { name: '', version: '' },
        locale: 'en-GB',
        screen: { density: 1, width: 1920, height: 1080, innerWidth: 1280, innerHeight: 720 },
        timezone: 'GMT+0000',
        traits: { plan: 'pro', address: { city: 'Brussels' } },
      },
      ...message,
    },
  });

  it('translates identify, track with products, page and group as the SDK builds them', () => {
    const integration = started();
    integration.identify(sdkEvent({ type: 'identify', userId: 'u1' }));
    integration.track(
      sdkEvent({ event: 'Order Completed', properties: { total: '$20', products: [{ sku: 'a' }, { sku: 'b' }] } }),
    );
    integration.page(sdkEvent({ type: 'page', name: 'Home', properties: { name: 'Home', url: 'u' } }));
    integration.group(sdkEvent({ type: 'group', groupId: 'g1', traits: { name: 'Acme' } }));
    expect(queued()).toEqual([
      ['identify', 'u1'],
      ['set', { plan: 'pro', 'address.city': 'Brussels' }],
      ['record', 'Order Completed', { total: '$20', revenue: 20, 'Billing Amount': 20 }],
      ['set', { sku: 'a', _t: 1767225600, _d: 1 }],
      ['set', { sku: 'b', _t: 1767225601, _d: 1 }],
      ['record', 'Viewed Home page', { name: 'Home', url: 'u' }],
      ['set', { 'Group - name': 'Acme', 'Group - id': 'g1' }],
    ]);
    expect(warn).not.toHaveBeenCalled();
  });
});

describe('bad input: nothing pushed, nothing thrown, one warning', () => {
  const throwingGetter = Object.defineProperty({ event: 'E' }, 'properties', {
    enumerable: true,
    get: () => {
      throw new Error('getter exploded');
    },
  });
  const productGetterThrows = {
    event: 'E',
    properties: {
      products: [
        { sku: 'a' },
        Object.defineProperty({}, 'sku', {
          enumerable: true,
          get: () => {
            throw new Error('second product exploded');
          },
        }),
      ],
    },
  };

  it.each<[string, 'identify' | 'track' | 'page' | 'screen' | 'alias' | 'group', unknown, string]>([
    [
      'undefined',
      'track',
      undefined,
      'Kissmetrics track: expected a RudderStack message object, got undefined; nothing sent',
    ],
    [
      'null',
      'identify',
      null,
      'Kissmetrics identify: expected a RudderStack message object, got undefined; nothing sent',
    ],
    [
      'a string',
      'page',
      'home',
      'Kissmetrics page: expected a RudderStack message object, got undefined; nothing sent',
    ],
    ['a number', 'group', 42, 'Kissmetrics group: expected a RudderStack message object, got undefined; nothing sent'],
    [
      'an empty element',
      'alias',
      {},
      'Kissmetrics alias: expected a RudderStack message object, got undefined; nothing sent',
    ],
    [
      'a null message',
      'track',
      { message: null },
      'Kissmetrics track: expected a RudderStack message object, got null; nothing sent',
    ],
    [
      'a string message',
      'screen',
      { message: 'x' },
      'Kissmetrics screen: expected a RudderStack message object, got "x"; nothing sent',
    ],
    [
      'a track without event',
      'track',
      { message: { properties: {} } },
      'Kissmetrics track: expected an event name, got undefined; nothing sent',
    ],
    [
      'an alias to itself',
      'alias',
      { message: { userId: 'a', previousId: 'a' } },
      'Kissmetrics alias: expected a userId other than previousId "a", got "a"; nothing sent',
    ],
    [
      'an empty identify',
      'identify',
      { message: {} },
      'Kissmetrics identify: expected a userId or traits, got undefined; nothing sent',
    ],
    ['a throwing getter', 'track', { message: throwingGetter }, 'Kissmetrics track: getter exploded; nothing sent'],
    [
      'a product that throws after another was translated',
      'track',
      { message: productGetterThrows },
      'Kissmetrics track: second product exploded; nothing sent',
    ],
  ])('%s', (_name, method, element, warning) => {
    const integration = started();
    expect(() => {
      integration[method](element as never);
    }).not.toThrow();
    expect(queued()).toEqual([]);
    expect(warn.mock.calls).toEqual([[warning]]);
  });

  it.each<[string, () => unknown, string]>([
    ['an object without a prototype', () => Object.create(null) as unknown, 'an error that cannot be printed'],
    [
      'an object whose toString throws',
      () => ({
        toString: () => {
          throw new Error('no');
        },
      }),
      'an error that cannot be printed',
    ],
    [
      'an Error whose message getter throws',
      () =>
        Object.defineProperty(new Error('x'), 'message', {
          get: () => {
            throw new Error('no');
          },
        }),
      'an error that cannot be printed',
    ],
    ['a Symbol', () => Symbol('s'), 'Symbol(s)'],
    ['null', () => null, 'null'],
  ])('a getter that throws %s does not reach the page, and is reported', (_name, thrownValue, reason) => {
    const integration = started();
    const message = Object.defineProperty({}, 'event', {
      enumerable: true,
      get: () => {
        throw thrownValue();
      },
    });
    expect(() => {
      integration.track({ message });
    }).not.toThrow();
    expect(queued()).toEqual([]);
    expect(warn.mock.calls).toEqual([[`Kissmetrics track: ${reason}; nothing sent`]]);
  });

  it('a console.warn that throws does not reach the page either', () => {
    const integration = started();
    warn.mockImplementation(() => {
      throw new Error('console broken');
    });
    expect(() => {
      integration.track({ message: { event: '' } });
      integration.track({ message: { event: 'E', properties: { long: 'x'.repeat(600) } } });
    }).not.toThrow();
    expect(warn).toHaveBeenCalledTimes(2);
    expect(queued()).toEqual([['record', 'E', { long: 'x'.repeat(512) }]]);
  });

  it('a queue that fails on the second command is reported truthfully: the first was sent', () => {
    const integration = started();
    const received: KmqCommand[] = [];
    g._kmq = {
      push: (command: KmqCommand) => {
        if (received.length) throw new Error('vendor bug');
        received.push(command);
      },
    };
    integration.identify({ message: { userId: 'u1', traits: { plan: 'pro' } } });
    expect(received).toEqual([['identify', 'u1']]);
    expect(warn.mock.calls).toEqual([['Kissmetrics identify: vendor bug; only 1 of 2 commands sent']]);
  });

  it('says in one warning what it left out or cut, and sends the rest', () => {
    const integration = started();
    const cycle: Record<string, unknown> = { ok: 1 };
    cycle.self = cycle;
    integration.track({
      message: { event: 'E', properties: { long: 'x'.repeat(600), _p: 'someone', cycle, map: new Map() } },
    });
    expect(queued()).toEqual([['record', 'E', { long: 'x'.repeat(512), 'cycle.ok': 1 }]]);
    expect(warn.mock.calls).toEqual([
      [
        'Kissmetrics track: left out or cut long (cut), _p (reserved), cycle.self (cycle), map (not plain data); the rest sent',
      ],
    ]);
  });

  it('names the first five places it left out and counts the others', () => {
    const integration = started();
    integration.group({ message: { groupId: 'g', traits: { _k: 1, _p: 2, _n: 3, _t: 4, _d: 5, a: { _k: 6 } } } });
    integration.identify({ message: { traits: { _k: 1, _p: 2, _n: 3, _t: 4, _d: 5, _k2: 6, b: new Set() } } });
    expect(warn.mock.calls).toEqual([
      // The group's traits are prefixed with "Group - ": those are no longer the tracking API's names.
      [
        'Kissmetrics identify: left out or cut _k (reserved), _p (reserved), _n (reserved), _t (reserved), _d (reserved) and 1 more; the rest sent',
      ],
    ]);
  });

  it('a queue that throws does not reach the page', () => {
    const integration = started();
    g._kmq = {
      push: () => {
        throw new Error('vendor bug');
      },
    };
    expect(() => {
      integration.track({ message: { event: 'E' } });
    }).not.toThrow();
    expect(warn.mock.calls).toEqual([['Kissmetrics track: vendor bug; nothing sent']]);
  });

  it('a queue without push is reported', () => {
    const integration = started();
    g._kmq = 'broken';
    integration.track({ message: { event: 'E' } });
    expect(warn.mock.calls).toEqual([['Kissmetrics track: expected window._kmq.push, got "broken"; nothing sent']]);
  });

  it('events before init push nothing', () => {
    const integration = new Kissmetrics({ apiKey: KEY });
    g._kmq = [];
    integration.track({ message: { event: 'E' } });
    integration.reset();
    expect(queued()).toEqual([]);
    expect(warn).toHaveBeenCalledTimes(2);
  });
});

describe('logging honours the SDK logLevel', () => {
  it.each([
    ['LOG', 1],
    ['INFO', 1],
    ['DEBUG', 1],
    ['WARN', 1],
    ['warn', 1],
    ['ERROR', 0],
    ['NONE', 0],
    [undefined, 1],
  ])('logLevel %p → %p warnings', (logLevel, count) => {
    const integration = new Kissmetrics({ apiKey: KEY }, { logLevel });
    integration.init();
    integration.track({ message: {} });
    expect(warn).toHaveBeenCalledTimes(count);
  });
});

describe('register', () => {
  it('mounts window.Kissmetrics_RS.Kissmetrics the way the SDK looks for it', () => {
    register();
    const mounted = g.Kissmetrics_RS as { Kissmetrics: typeof Kissmetrics };
    expect(mounted.Kissmetrics).toBe(Kissmetrics);
    expect(typeof mounted.Kissmetrics.prototype.constructor).toBe('function');
  });
});

describe('consent withdrawn after load', () => {
  const config = {
    apiKey: KEY,
    consentManagement: [{ provider: 'custom', resolutionStrategy: 'and', consents: [{ consent: 'analytics' }] }],
  };
  const consent = (allowed: string[]): Record<string, unknown> => ({
    consentManagement: { allowedConsentIds: allowed, deniedConsentIds: [], provider: 'custom' },
  });

  it('pushes the events made with consent and nothing, without a warning, for those made after it was withdrawn', () => {
    const debug = jest.spyOn(console, 'debug').mockImplementation(() => undefined);
    const integration = started(config);
    integration.track({ message: { event: 'Before', context: consent(['analytics']) } });
    integration.identify({ message: { userId: 'u1', context: { ...consent([]), traits: { a: 1 } } } });
    integration.track({ message: { event: 'After', context: consent([]) } });
    integration.page({ message: { name: 'Home', context: consent(['ads']) } });
    integration.alias({ message: { userId: 'u2', previousId: 'u1', context: consent([]) } });
    integration.group({ message: { groupId: 'g', context: consent([]) } });
    integration.screen({ message: { name: 'S', context: consent([]) } });
    integration.track({ message: { event: 'Again', context: consent(['analytics', 'ads']) } });
    expect(queued()).toEqual([
      ['record', 'Before', {}],
      ['record', 'Again', {}],
    ]);
    expect(warn).not.toHaveBeenCalled();
    // A debug note per event kept back, at the SDK's LOG..WARN levels.
    expect(debug.mock.calls).toEqual(
      ['identify', 'track', 'page', 'alias', 'group', 'screen'].map((method) => [
        `Kissmetrics ${method}: not consented; nothing sent`,
      ]),
    );
    debug.mockRestore();
  });

  it('keeps even the debug note back at the ERROR and NONE levels', () => {
    const debug = jest.spyOn(console, 'debug').mockImplementation(() => undefined);
    started(config, 'ERROR').track({ message: { event: 'After', context: consent([]) } });
    expect(queued()).toEqual([]);
    expect(debug).not.toHaveBeenCalled();
    expect(warn).not.toHaveBeenCalled();
    debug.mockRestore();
  });

  it('decides before reading anything else of the message', () => {
    const integration = started(config);
    const message = Object.defineProperty({ context: consent([]) }, 'event', {
      enumerable: true,
      get: () => {
        throw new Error('read');
      },
    });
    integration.track({ message });
    expect(queued()).toEqual([]);
    expect(warn).not.toHaveBeenCalled();
  });

  it('sends as before without consent settings, or without consent data in the message', () => {
    started({ apiKey: KEY }).track({ message: { event: 'No settings', context: consent([]) } });
    started(config).track({ message: { event: 'No data', context: {} } });
    expect(queued()).toEqual([
      ['record', 'No settings', {}],
      ['record', 'No data', {}],
    ]);
  });
});

describe('ids that would merge unrelated people', () => {
  it('identify with traits: sets the traits on the current visitor and says why it did not identify', () => {
    const integration = started();
    integration.identify({ message: { userId: 'null', context: { traits: { plan: 'pro' } } } });
    expect(queued()).toEqual([['set', { plan: 'pro' }]]);
    expect(warn.mock.calls).toEqual([
      ['Kissmetrics identify: left out or cut userId "null" (would merge unrelated people); the rest sent'],
    ]);
  });

  it.each<['identify' | 'alias', Record<string, unknown>, string]>([
    [
      'identify',
      { userId: 'undefined' },
      'Kissmetrics identify: userId "undefined" would merge unrelated people into one Kissmetrics person; nothing sent',
    ],
    [
      'alias',
      { userId: 'u1', previousId: 'anonymous' },
      'Kissmetrics alias: previousId "anonymous" would merge unrelated people into one Kissmetrics person; nothing sent',
    ],
    [
      'alias',
      { userId: '[object Object]', previousId: 'u1' },
      'Kissmetrics alias: userId "[object Object]" would merge unrelated people into one Kissmetrics person; nothing sent',
    ],
  ])('%s %p: nothing pushed, one warning', (method, message, text) => {
    const integration = started();
    integration[method]({ message });
    expect(queued()).toEqual([]);
    expect(warn.mock.calls).toEqual([[text]]);
  });
});

describe('hostile pages', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('init() works on a page without <head>: the scripts go to the root element', () => {
    document.head.remove();
    try {
      started();
      expect(document.head as HTMLHeadElement | null).toBeNull();
      const scripts = document.documentElement.querySelectorAll<HTMLScriptElement>(':scope > script');
      expect(Array.from(scripts).map((s) => s.src)).toEqual([LIBRARY, KEY_SCRIPT]);
      expect(queued()).toEqual([]);
    } finally {
      document.querySelectorAll('script').forEach((s) => {
        s.remove();
      });
      document.documentElement.prepend(document.createElement('head'));
    }
  });

  it('a throwing _kmq getter is a clear Error from init(), and events then warn instead of throwing', () => {
    Object.defineProperty(window, '_kmq', {
      configurable: true,
      get: () => {
        throw new TypeError('no queue for you');
      },
    });
    const integration = new Kissmetrics({ apiKey: KEY }, { logLevel: 'WARN' });
    expect(() => {
      integration.init();
    }).toThrow('Kissmetrics: init() failed: no queue for you');
    expect(() => {
      integration.track({ message: { event: 'E' } });
    }).not.toThrow();
    expect(warn.mock.calls).toEqual([['Kissmetrics track: init() has not succeeded; nothing sent']]);
    expect(document.scripts).toHaveLength(0);
  });

  it('a _kmq that is not a queue is a clear Error from init()', () => {
    g._kmq = 'not a queue';
    expect(() => {
      new Kissmetrics({ apiKey: KEY }).init();
    }).toThrow('Kissmetrics: init() failed: expected window._kmq.push, got "not a queue"');
  });

  it('a patched built-in is a clear Error from init(), whatever it throws', () => {
    jest.spyOn(document, 'createElement').mockImplementation(() => {
      throw Object.create(null);
    });
    expect(() => {
      started();
    }).toThrow('Kissmetrics: init() failed: an error that cannot be printed');
  });

  it('a patched Array.isArray is a clear Error from init(), and never an uncaught throw from an event method', () => {
    const integration = started();
    const isArray = jest.spyOn(Array, 'isArray').mockImplementation(() => {
      throw new Error('patched');
    });
    let thrown: unknown;
    try {
      integration.track({ message: { event: 'E', properties: { a: [1] } } });
      integration.identify({ message: { userId: 'u1' } });
    } catch (error) {
      thrown = error;
    }
    const pushed = [...(g._kmq as unknown[])];
    let failedInit: unknown;
    delete g._kmq;
    try {
      new Kissmetrics({ apiKey: KEY }).init();
    } catch (error) {
      failedInit = error;
    }
    isArray.mockRestore();
    expect(thrown).toBeUndefined();
    expect(pushed).toEqual([]);
    expect(warn.mock.calls).toEqual([
      ['Kissmetrics track: patched; nothing sent'],
      ['Kissmetrics identify: patched; nothing sent'],
    ]);
    expect(failedInit).toEqual(new Error('Kissmetrics: init() failed: patched'));
  });
});
