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
