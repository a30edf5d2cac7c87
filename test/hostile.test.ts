/**
 * @jest-environment jsdom
 */
// Hostile input through what ships: the built browser script (in jsdom, as a page runs it) and the built
// cloud translator. Every call must return, throw nothing into the page, and keep its output within
// what Kissmetrics stores. How long each case takes is measured by `node bench/hostile.mjs` (a
// benchmark, not a test: no timing is asserted here).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Kissmetrics } from '../src/device/kissmetrics';
import type { KissmetricsGlobals } from '../src/device/types';
import type * as Cloud from '../src/cloud';

const DIST = join(__dirname, '..', 'dist');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the built CommonJS file, as Node users load it
const cloud = require(join(DIST, 'cloud.cjs')) as typeof Cloud;
const script = readFileSync(join(DIST, 'Kissmetrics.min.js'), 'utf8');

const KEY = 'a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2';
const MAX_NAME = 255;
const MAX_VALUE = 512;
const MAX_PROPERTIES = 256;
/** Revenue, `Billing Amount`, and a product's `_t` and `_d` come on top of the cleaned properties. */
const ADDED_PROPERTIES = 2;
/** One warning per call, and never an echo of the input: a few names of 40 characters at most. */
const MAX_WARNING_CHARS = 600;

type Method = 'identify' | 'track' | 'page' | 'alias' | 'group';
const g = window as unknown as KissmetricsGlobals;
let warnings: string[];

beforeAll(() => {
  (0, eval)(script);
});

beforeEach(() => {
  warnings = [];
  jest.spyOn(console, 'warn').mockImplementation((text: unknown) => {
    warnings.push(String(text));
  });
  g._kmq = [];
});

afterEach(() => {
  jest.restoreAllMocks();
  document.head.innerHTML = '';
  delete g._kmq;
  delete g._kmk;
});

const integration = (prefixProperties = false): Kissmetrics => {
  const { Kissmetrics: Integration } = g.Kissmetrics_RS as { Kissmetrics: typeof Kissmetrics };
  const instance = new Integration({ apiKey: KEY, prefixProperties }, { logLevel: 'WARN' });
  instance.init();
  return instance;
};

const bagsOf = (value: unknown): Record<string, unknown>[] =>
  Array.isArray(value)
    ? value.flatMap(bagsOf)
    : typeof value === 'object' && value !== null
      ? [value as Record<string, unknown>]
      : [];

/** Every property bag holds what Kissmetrics stores: few properties, short names, short values. */
const expectStorable = (bags: Record<string, unknown>[], extra: number): void => {
  for (const bag of bags) {
    const names = Object.keys(bag);
    expect(names.length).toBeLessThanOrEqual(MAX_PROPERTIES + extra);
    for (const name of names) {
      expect(name.length).toBeLessThanOrEqual(MAX_NAME);
      const value = bag[name];
      expect(['string', 'number', 'boolean']).toContain(typeof value);
      if (typeof value === 'string') expect(value.length).toBeLessThanOrEqual(MAX_VALUE);
    }
  }
};

/** The hostile cases of issue 8 and SPEC §4.1, shared with `bench/hostile.mjs`. */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain JavaScript, so that the benchmark runs the same cases
const { CASES } = require('./hostileCases.cjs') as { CASES: [string, () => Record<string, unknown>][] };

describe.each<[string, boolean]>([
  ['prefixProperties off', false],
  ['prefixProperties on', true],
])('the built browser script, %s', (_label, prefixProperties) => {
  it.each(CASES)('%s: returns, never throws, pushes storable commands, one warning at most', (_name, props) => {
    const km = integration(prefixProperties);
    const calls: [Method, Record<string, unknown>][] = [
      ['identify', { userId: 'u1', traits: props() }],
      ['track', { event: 'Order Completed', properties: props() }],
      ['track', { event: 'e'.repeat(200), properties: props() }],
      ['page', { name: 'Home', properties: props() }],
      ['group', { groupId: 'g1', traits: props() }],
    ];
    for (const [method, message] of calls) {
      warnings = [];
      g._kmq = [];
      expect(() => {
        km[method]({ message });
      }).not.toThrow();
      expect(warnings.length).toBeLessThanOrEqual(1);
      for (const warning of warnings) expect(warning.length).toBeLessThanOrEqual(MAX_WARNING_CHARS);
      expectStorable(bagsOf(g._kmq), ADDED_PROPERTIES);
    }
  });
});

describe('the built cloud translator (dist/cloud.cjs)', () => {
  it.each(CASES)('%s: returns requests of bounded size, or throws a short Error', (_name, props) => {
    const messages: Record<string, unknown>[] = [
      { type: 'identify', userId: 'u1', anonymousId: 'a1', traits: props() },
      { type: 'track', userId: 'u1', event: 'Order Completed', properties: props() },
      { type: 'page', anonymousId: 'a1', name: 'Home', properties: props() },
      { type: 'group', userId: 'u1', groupId: 'g1', traits: props() },
    ];
    for (const prefixProperties of [false, true]) {
      for (const message of messages) {
        const requests = cloud.toKissmetricsRequests(message as never, { apiKey: KEY, prefixProperties });
        expectStorable(
          requests.map((r) => r.params),
          // `_k _p _t _d _n` and the added properties.
          5 + ADDED_PROPERTIES,
        );
        for (const request of requests) {
          // What goes on the wire: bounded by 263 parameters of 255 + 512 characters, percent-encoded.
          expect(cloud.encodeParams(request.params).length).toBeLessThanOrEqual(263 * (MAX_NAME + MAX_VALUE) * 9);
        }
      }
    }
  });

  it('encodes a lone surrogate as U+FFFD instead of throwing', () => {
    const [request] = cloud.toKissmetricsRequests(
      { type: 'track', userId: 'u1', event: 'E', properties: { text: 'a\uD800b' } },
      { apiKey: KEY },
    );
    expect(request && cloud.requestUrl(request)).toContain('text=a%EF%BF%BDb');
  });

  it('refuses a 1 MB API key without repeating it', () => {
    const apiKey = 'k'.repeat(1024 * 1024);
    let message = '';
    try {
      cloud.toKissmetricsRequests({ type: 'alias', userId: 'b', previousId: 'a' }, { apiKey });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^Kissmetrics: config.apiKey: expected a Kissmetrics API key matching .*, got string$/);
  });
});

describe('the built browser script, against generated hostile messages (fast-check)', () => {
  const thrower = fc.constantFrom<() => unknown>(
    () => Object.create(null),
    () => ({
      toString: () => {
        throw new Error('x');
      },
    }),
    () =>
      Object.defineProperty(new Error('x'), 'message', {
        get: () => {
          throw new Error('y');
        },
      }),
    () => null,
    () => Symbol('s'),
  );
  /** A value that is hostile when read: a getter that throws, a Proxy whose traps throw, or plain data. */
  const hostile = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.jsonValue(),
      thrower.map((make) =>
        Object.defineProperty({}, 'x', {
          enumerable: true,
          get: () => {
            throw make();
          },
        }),
      ),
      thrower.map(
        (make) =>
          new Proxy(
            {},
            {
              ownKeys: () => {
                throw make();
              },
            },
          ),
      ),
      fc.dictionary(fc.string({ maxLength: 4 }), tie('value'), { maxKeys: 4 }),
      fc.array(tie('value'), { maxLength: 4 }),
    ),
  }));
  const methods = fc.constantFrom<Method>('identify', 'track', 'page', 'alias', 'group');

  it('never throws into the page and pushes all of a call or nothing (10,000 runs)', () => {
    const km = integration();
    fc.assert(
      fc.property(methods, hostile.value, hostile.value, (method, properties, traits) => {
        g._kmq = [];
        warnings = [];
        const message = { event: 'E', userId: 'u', previousId: 'p', groupId: 'g', properties, traits };
        expect(() => {
          km[method]({ message } as never);
        }).not.toThrow();
        const pushed = g._kmq as unknown[];
        // Either something was pushed, or one warning says why nothing was.
        if (!pushed.length) expect(warnings).toHaveLength(1);
        else expect(warnings.every((w) => w.endsWith('; the rest sent'))).toBe(true);
      }),
      { numRuns: 10_000, seed: Number(process.env.FC_SEED ?? 20261129) },
    );
  });
});

describe('the built browser script on a page that put getters and setters on Object.prototype', () => {
  /** What a getter a page defined on Object.prototype answers for a field our messages or config lack. */
  const INHERITED: Record<string, unknown> = {
    // Fields of messages, config and the SDK's analytics object that the rules read when present.
    message: { event: 'Injected', properties: {} },
    context: { traits: { injected: 'context' } },
    traits: { injected: 'traits' },
    properties: { injected: 'properties' },
    products: [{ sku: 'injected' }],
    revenue: '$999',
    total: '$999',
    timestamp: '2000-01-01T00:00:00.000Z',
    originalTimestamp: '2000-01-01T00:00:00.000Z',
    userId: 'injected-user',
    previousId: 'injected-previous',
    groupId: 'injected-group',
    name: 'Injected',
    category: 'Injected',
    prefixProperties: true,
    logLevel: 'NONE',
    consentManagement: { allowedConsentIds: [], provider: 'custom' },
    // Names of properties we write into the bags we push.
    email: 'injected@example.com',
    plan: 'injected',
    'Billing Amount': 0,
    _t: 0,
    _d: 0,
    'Group - id': 'injected',
    'Group - name': 'injected',
    'address.city': 'injected',
  };
  const CONFIG = {
    apiKey: KEY,
    consentManagement: [{ provider: 'custom', consents: [{ consent: 'analytics' }] }],
  };
  const calls: [Method, Record<string, unknown>][] = [
    ['identify', { userId: 'u1', context: { traits: { email: 'a@b.c', plan: 'pro', address: { city: 'Paris' } } } }],
    [
      'track',
      {
        event: 'Order Completed',
        context: {},
        originalTimestamp: '2026-01-01T00:00:00.000Z',
        properties: { order_id: 'o1', products: [{ sku: 'a' }, { sku: 'b' }], total: '$20' },
      },
    ],
    ['track', { event: 'Signed Up', properties: { plan: 'pro' } }],
    ['page', { properties: { url: 'u' } }],
    ['alias', { userId: 'u2', previousId: 'u1' }],
    ['group', { groupId: 'g1', traits: { name: 'Acme' } }],
  ];

  /** The commands `calls` push, as JSON (own enumerable properties only), and what the setters caught. */
  const run = (): { pushed: string; caught: string[]; prototypes: boolean[]; hasOwn: boolean[] } => {
    g._kmq = [];
    const { Kissmetrics: Integration } = g.Kissmetrics_RS as { Kissmetrics: typeof Kissmetrics };
    const km = new Integration(CONFIG, { logLevel: 'WARN' });
    km.init();
    for (const [method, message] of calls) km[method]({ message });
    const queue = g._kmq as unknown[][];
    const bags = queue
      .map((command) => command[command.length - 1])
      .filter((b): b is Record<string, unknown> => typeof b === 'object');
    return {
      pushed: JSON.stringify(queue),
      caught,
      prototypes: bags.map((b) => Object.getPrototypeOf(b) === Object.prototype),
      // The Kissmetrics library may call methods of Object.prototype on what we push.
      // eslint-disable-next-line no-prototype-builtins -- called on the bag, as a library might
      hasOwn: bags.map((b) => b.hasOwnProperty(Object.keys(b)[0] ?? '')),
    };
  };
  let caught: string[] = [];

  it('pushes exactly what it pushes on a clean page, as ordinary objects, and no setter sees a value', () => {
    const clean = run();
    expect(JSON.parse(clean.pushed)).toEqual([
      ['identify', 'u1'],
      ['set', { email: 'a@b.c', plan: 'pro', 'address.city': 'Paris' }],
      ['record', 'Order Completed', { order_id: 'o1', total: '$20', revenue: 20, 'Billing Amount': 20 }],
      ['set', { sku: 'a', _t: 1767225600, _d: 1 }],
      ['set', { sku: 'b', _t: 1767225601, _d: 1 }],
      ['record', 'Signed Up', { plan: 'pro' }],
      ['record', 'Loaded a Page', { url: 'u' }],
      ['alias', 'u2', 'u1'],
      ['set', { 'Group - name': 'Acme', 'Group - id': 'g1' }],
    ]);
    caught = [];
    for (const [name, value] of Object.entries(INHERITED))
      Object.defineProperty(Object.prototype, name, {
        configurable: true,
        get: () => value,
        set: (stolen: unknown) => caught.push(`${name}=${String(stolen)}`),
      });
    let hostile: ReturnType<typeof run>;
    try {
      hostile = run();
    } finally {
      for (const name of Object.keys(INHERITED)) Reflect.deleteProperty(Object.prototype, name);
    }
    expect(hostile.pushed).toBe(clean.pushed);
    expect(hostile.caught).toEqual([]);
    expect(hostile.prototypes).toEqual(clean.prototypes);
    expect(hostile.prototypes.every(Boolean)).toBe(true);
    expect(hostile.hasOwn.every(Boolean)).toBe(true);
    expect(warnings).toEqual([]);
  });
});
