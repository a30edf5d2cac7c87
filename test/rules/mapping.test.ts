import { toKmqCommands, translate, translateMessage } from '../../src/rules/mapping';
import { newBudget } from '../../src/rules/properties';
import type { KmqCommand } from '../../src/rules/types';

const NOW_MS = Date.UTC(2026, 10, 28, 12, 0, 0);
const T = Date.UTC(2026, 0, 2, 3, 4, 5) / 1000;
const ISO = new Date(T * 1000).toISOString();

const device = (type: string, message: Record<string, unknown>, prefixProperties = false): KmqCommand[] =>
  translateMessage(type, message, { prefixProperties }, NOW_MS);

describe('the seed guide examples (prefixProperties off)', () => {
  it('identify("my-userID", traits) → identify then set', () => {
    const traits = { name: 'Tintin', city: 'Brussels', country: 'Belgium', email: 'tintin@herge.com' };
    expect(device('identify', { userId: 'my-userID', context: { traits }, traits })).toEqual([
      ['identify', 'my-userID'],
      ['set', { name: 'Tintin', city: 'Brussels', country: 'Belgium', email: 'tintin@herge.com' }],
    ]);
  });

  it('page("home", props) → record "Viewed home page" with the properties and what the SDK adds', () => {
    const properties = {
      name: 'home',
      path: 'path',
      url: 'url',
      title: 'title',
      search: 'search',
      referrer: 'referrer',
      tab_url: 'http://127.0.0.1/',
    };
    expect(device('page', { name: 'home', properties })).toEqual([['record', 'Viewed home page', { ...properties }]]);
  });

  it('track("Track me", props) → record with the properties as they are', () => {
    expect(
      device('track', { event: 'Track me', properties: { category: 'category', label: 'label', value: 'value' } }),
    ).toEqual([['record', 'Track me', { category: 'category', label: 'label', value: 'value' }]]);
  });

  it('alias("my-new-userID") after "my-userID" → alias new, previous', () => {
    expect(device('alias', { userId: 'my-new-userID', previousId: 'my-userID' })).toEqual([
      ['alias', 'my-new-userID', 'my-userID'],
    ]);
  });
});

describe('identify', () => {
  it.each<[string, Record<string, unknown>, KmqCommand[]]>([
    ['userId only', { userId: 'u1' }, [['identify', 'u1']]],
    ['a numeric userId becomes a string', { userId: 42 }, [['identify', '42']]],
    [
      'traits without userId set traits only',
      { userId: '', context: { traits: { plan: 'pro' } } },
      [['set', { plan: 'pro' }]],
    ],
    [
      'falls back to top-level traits',
      { userId: 'u1', traits: { plan: 'pro' } },
      [
        ['identify', 'u1'],
        ['set', { plan: 'pro' }],
      ],
    ],
    [
      'merges context.traits and traits, top-level traits winning a key both have',
      { userId: 'u1', context: { traits: { plan: 'pro', email: 'a@b.c' } }, traits: { plan: 'free', seats: 3 } },
      [
        ['identify', 'u1'],
        ['set', { plan: 'free', email: 'a@b.c', seats: 3 }],
      ],
    ],
    [
      'nested traits are flattened, arrays joined, nulls dropped',
      { userId: 'u1', context: { traits: { address: { city: 'Brussels', zip: null }, tags: ['a', 'b'], age: null } } },
      [
        ['identify', 'u1'],
        ['set', { 'address.city': 'Brussels', tags: 'a,b' }],
      ],
    ],
    [
      'traits that clean to nothing are not set',
      { userId: 'u1', context: { traits: { gone: null } } },
      [['identify', 'u1']],
    ],
    [
      'traits are never prefixed',
      { userId: 'u1', traits: { a: 1 } },
      [
        ['identify', 'u1'],
        ['set', { a: 1 }],
      ],
    ],
  ])('%s', (_name, message, expected) => {
    expect(device('identify', message)).toEqual(expected);
    expect(device('identify', message, true)).toEqual(expected);
  });

  it('throws, naming the problem, when there is neither a userId nor traits', () => {
    expect(() => device('identify', { userId: '', traits: { x: null } })).toThrow(
      'expected a userId or traits, got undefined',
    );
  });
});

describe('track', () => {
  it.each<[string, Record<string, unknown>, KmqCommand[]]>([
    ['no properties', { event: 'Signed Up' }, [['record', 'Signed Up', {}]]],
    [
      'nested objects keep every leaf',
      { event: 'E', properties: { a: { b: { c: 1 }, d: 2 }, e: 'x' } },
      [['record', 'E', { 'a.b.c': 1, 'a.d': 2, e: 'x' }]],
    ],
    [
      'arrays of primitives are joined, arrays of objects indexed',
      { event: 'E', properties: { tags: ['a', 'b'], none: [], items: [{ sku: 'a' }, { sku: 'b' }] } },
      [['record', 'E', { tags: 'a,b', none: '', 'items.0.sku': 'a', 'items.1.sku': 'b' }]],
    ],
    [
      'null and undefined values are dropped',
      { event: 'E', properties: { a: null, b: undefined, c: 0, d: false, e: '' } },
      [['record', 'E', { c: 0, d: false, e: '' }]],
    ],
    [
      'a numeric revenue is mirrored to Billing Amount',
      { event: 'Bought', properties: { revenue: 9.99 } },
      [['record', 'Bought', { revenue: 9.99, 'Billing Amount': 9.99 }]],
    ],
    [
      'a currency revenue string is parsed',
      { event: 'Bought', properties: { revenue: '$1,299.99' } },
      [['record', 'Bought', { revenue: 1299.99, 'Billing Amount': 1299.99 }]],
    ],
    [
      'an ISO-suffixed revenue string is parsed',
      { event: 'Bought', properties: { revenue: '12.50 EUR' } },
      [['record', 'Bought', { revenue: 12.5, 'Billing Amount': 12.5 }]],
    ],
    [
      'a negative revenue (refund) is kept',
      { event: 'Refunded', properties: { revenue: '-$5.00' } },
      [['record', 'Refunded', { revenue: -5, 'Billing Amount': -5 }]],
    ],
    [
      'an unparseable revenue passes on as it is, without Billing Amount',
      { event: 'Bought', properties: { revenue: 'lots' } },
      [['record', 'Bought', { revenue: 'lots' }]],
    ],
    [
      'a zero revenue passes on without Billing Amount',
      { event: 'Bought', properties: { revenue: 0 } },
      [['record', 'Bought', { revenue: 0 }]],
    ],
    [
      "the caller's own Billing Amount wins",
      { event: 'Bought', properties: { revenue: 10, 'Billing Amount': 8 } },
      [['record', 'Bought', { revenue: 10, 'Billing Amount': 8 }]],
    ],
    [
      'an order completion without revenue takes its total',
      { event: 'Order Completed', properties: { total: '30.00', orderId: 'o1' } },
      [['record', 'Order Completed', { total: '30.00', orderId: 'o1', revenue: 30, 'Billing Amount': 30 }]],
    ],
    [
      'the order completion match covers snake case and "Completed Order"',
      { event: 'completed_order', properties: { total: 5 } },
      [['record', 'completed_order', { total: 5, revenue: 5, 'Billing Amount': 5 }]],
    ],
    [
      'revenue wins over total on an order completion',
      { event: 'Order Completed', properties: { total: 30, revenue: 25 } },
      [['record', 'Order Completed', { total: 30, revenue: 25, 'Billing Amount': 25 }]],
    ],
    [
      'total is not revenue for other events',
      { event: 'Cart Viewed', properties: { total: 30 } },
      [['record', 'Cart Viewed', { total: 30 }]],
    ],
    [
      'products become timed sets after the record',
      {
        event: 'Order Completed',
        timestamp: ISO,
        properties: {
          orderId: 'o1',
          revenue: 20,
          products: [
            { sku: 'a', price: 5 },
            { sku: 'b', tags: ['x', 'y'] },
          ],
        },
      },
      [
        ['record', 'Order Completed', { orderId: 'o1', revenue: 20, 'Billing Amount': 20 }],
        ['set', { sku: 'a', price: 5, _t: T, _d: 1 }],
        ['set', { sku: 'b', tags: 'x,y', _t: T + 1, _d: 1 }],
      ],
    ],
    [
      'product times fall back to originalTimestamp',
      { event: 'E', originalTimestamp: ISO, properties: { products: [{ sku: 'a' }] } },
      [
        ['record', 'E', {}],
        ['set', { sku: 'a', _t: T, _d: 1 }],
      ],
    ],
    [
      'timestamp is preferred over originalTimestamp',
      {
        event: 'E',
        timestamp: ISO,
        originalTimestamp: '2020-01-01T00:00:00.000Z',
        properties: { products: [{ sku: 'a' }] },
      },
      [
        ['record', 'E', {}],
        ['set', { sku: 'a', _t: T, _d: 1 }],
      ],
    ],
    [
      'product times fall back to now without a usable timestamp',
      { event: 'E', timestamp: 'not a date', properties: { products: [{ sku: 'a' }] } },
      [
        ['record', 'E', {}],
        ['set', { sku: 'a', _t: NOW_MS / 1000, _d: 1 }],
      ],
    ],
    [
      'products that clean to nothing are skipped but keep their index in _t',
      { event: 'E', timestamp: ISO, properties: { products: [null, 'x', { sku: 'c' }] } },
      [
        ['record', 'E', {}],
        ['set', { sku: 'c', _t: T + 2, _d: 1 }],
      ],
    ],
    [
      'a products value that is not an array is an ordinary property',
      { event: 'E', properties: { products: { sku: 'a' } } },
      [['record', 'E', { 'products.sku': 'a' }]],
    ],
    ['a numeric event name becomes a string', { event: 404 }, [['record', '404', {}]]],
  ])('%s', (_name, message, expected) => {
    expect(device('track', message)).toEqual(expected);
  });

  it('prefixProperties prefixes record and product properties with the event, but not Billing Amount', () => {
    const message = {
      event: 'Order Completed',
      timestamp: ISO,
      properties: { revenue: '$10', nested: { a: 1 }, products: [{ sku: 'a' }] },
    };
    expect(device('track', message, true)).toEqual([
      [
        'record',
        'Order Completed',
        { 'Order Completed - nested.a': 1, 'Order Completed - revenue': 10, 'Billing Amount': 10 },
      ],
      ['set', { 'Order Completed - sku': 'a', _t: T, _d: 1 }],
    ]);
  });

  it.each([undefined, null, '', NaN, {}, ['x']])('throws for the event name %p', (event) => {
    expect(() => device('track', { event, properties: { a: 1 } })).toThrow(/^expected an event name, got /);
  });
});

describe('page and screen', () => {
  it.each<[string, string, Record<string, unknown>, string]>([
    ['page', 'category and name', { name: 'Home', category: 'Docs' }, 'Viewed Docs Home page'],
    ['page', 'category from properties', { name: 'Home', properties: { category: 'Docs' } }, 'Viewed Docs Home page'],
    ['page', 'name only', { name: 'Home' }, 'Viewed Home page'],
    ['page', 'name from properties', { properties: { name: 'Home' } }, 'Viewed Home page'],
    ['page', 'no name', { category: 'Docs' }, 'Loaded a Page'],
    ['page', 'nothing', {}, 'Loaded a Page'],
    ['screen', 'category and name', { name: 'Main', category: 'App' }, 'Viewed App Main screen'],
    ['screen', 'name only', { name: 'Main' }, 'Viewed Main screen'],
    ['screen', 'no name', {}, 'Loaded a Screen'],
  ])('%s with %s', (type, _name, message, event) => {
    expect(device(type, message)).toEqual([['record', event, expect.any(Object) as unknown]]);
  });

  it('page properties are cleaned, and prefixed with "Page" when prefixing', () => {
    const message = { name: 'Home', properties: { url: 'u', utm: { source: 'x' }, drop: null } };
    expect(device('page', message)).toEqual([['record', 'Viewed Home page', { url: 'u', 'utm.source': 'x' }]]);
    expect(device('page', message, true)).toEqual([
      ['record', 'Viewed Home page', { 'Page - url': 'u', 'Page - utm.source': 'x' }],
    ]);
  });

  it('screen properties are prefixed with "Screen" when prefixing', () => {
    expect(device('screen', { name: 'Main', properties: { prop_key: 'prop_value' } }, true)).toEqual([
      ['record', 'Viewed Main screen', { 'Screen - prop_key': 'prop_value' }],
    ]);
  });
});

describe('alias', () => {
  it('numeric ids become strings', () => {
    expect(device('alias', { userId: 2, previousId: 1 })).toEqual([['alias', '2', '1']]);
  });

  it.each([
    [{ userId: 'a', previousId: 'a' }, 'expected a userId other than previousId "a", got "a"'],
    [{ userId: '', previousId: 'a' }, 'expected a userId other than previousId "a", got ""'],
    [{ userId: 'a' }, 'expected a userId other than previousId undefined, got "a"'],
    [{ userId: null, previousId: 'a' }, 'expected a userId other than previousId "a", got null'],
  ])('throws for %p', (message, error) => {
    expect(() => device('alias', message)).toThrow(error);
  });
});

describe('group', () => {
  it.each<[string, Record<string, unknown>, KmqCommand[]]>([
    [
      'traits prefixed with Group, plus the group id',
      { groupId: 'g1', traits: { name: 'Acme', plan: { tier: 'gold' } } },
      [['set', { 'Group - name': 'Acme', 'Group - plan.tier': 'gold', 'Group - id': 'g1' }]],
    ],
    ['id only', { groupId: 7 }, [['set', { 'Group - id': '7' }]]],
    ['traits only', { traits: { name: 'Acme' } }, [['set', { 'Group - name': 'Acme' }]]],
  ])('%s', (_name, message, expected) => {
    expect(device('group', message)).toEqual(expected);
    expect(device('group', message, true)).toEqual(expected);
  });

  it('throws when there is nothing to set', () => {
    expect(() => device('group', { traits: { a: null } })).toThrow('expected a groupId or traits, got undefined');
  });
});

describe('bad input', () => {
  it.each([undefined, null, 'track', 42, ['track']])('throws for the message %p', (message) => {
    expect(() => translate('track', message as never, {})).toThrow(/^expected a RudderStack message object, got /);
  });

  it('throws for an unsupported type', () => {
    expect(() => translate('boom' as never, { event: 'x' } as never, {})).toThrow(
      'expected type identify|track|page|screen|alias|group, got "boom"',
    );
  });

  it('prefixProperties counts only when it is exactly true', () => {
    expect(translate('track', { event: 'E', properties: { a: 1 } }, { prefixProperties: 'true' as never })).toEqual([
      ['record', 'E', { a: 1 }],
    ]);
  });
});

describe('toKmqCommands', () => {
  it("reads the message's own type", () => {
    expect(toKmqCommands({ type: 'track', event: 'E', properties: { a: 1 } }, {})).toEqual([['record', 'E', { a: 1 }]]);
  });

  it('throws for a message without a type', () => {
    expect(() => toKmqCommands({ event: 'E' } as never, {})).toThrow(
      'expected type identify|track|page|screen|alias|group, got undefined',
    );
  });
});

describe('bounded work: names, ids and products', () => {
  const long = 'e'.repeat(256);

  it.each<[string, string, Record<string, unknown>]>([
    ['a track whose event name is longer than 255 characters', 'track', { event: long }],
    ['a page whose event name would be longer than 255 characters', 'page', { name: 'p'.repeat(250) }],
    ['an identify whose userId is longer than 255 characters', 'identify', { userId: long }],
    ['an alias whose previousId is longer than 255 characters', 'alias', { userId: 'a', previousId: long }],
  ])('refuses %s, saying so without repeating it', (_name, type, message) => {
    expect(() => device(type, message)).toThrow(
      /^expected a name or id of at most 255 characters, got "[a-zV ]{40}"… \(\d+ characters\)$/,
    );
  });

  it('accepts an event name of exactly 255 characters', () => {
    expect(device('track', { event: 'e'.repeat(255) })).toEqual([['record', 'e'.repeat(255), {}]]);
  });

  it('prefixing with a long event name leaves out the properties whose names grow past 255 characters', () => {
    const event = 'e'.repeat(250);
    const budget = newBudget();
    expect(
      translateMessage(
        'track',
        { event, properties: { ab: 1, abc: 2, revenue: 3 } },
        { prefixProperties: true },
        NOW_MS,
        budget,
      ),
    ).toEqual([['record', event, { [`${event} - ab`]: 1, 'Billing Amount': 3 }]]);
    expect(budget.omitted).toEqual([
      `${'e'.repeat(40)} (too long)`,
      `${'e'.repeat(40)} (too long)`,
      `${'e'.repeat(40)} (too long)`,
    ]);
  });

  it('cuts a group id to 512 characters like any value', () => {
    expect(device('group', { groupId: 'g'.repeat(600) })).toEqual([['set', { 'Group - id': 'g'.repeat(512) }]]);
  });

  it('shares the values of one message between the record and its products, and counts every product', () => {
    const budget = newBudget();
    const products = Array.from({ length: 1e6 }, () => ({}));
    const commands = translateMessage('track', { event: 'E', properties: { products } }, {}, NOW_MS, budget);
    expect(commands).toEqual([['record', 'E', {}]]);
    expect(budget.omitted).toEqual(['products.4096 (too many)']);
    expect(budget.omissions).toBe(1e6 - 4096);
  });

  it('keeps every product of a large order within the budget', () => {
    const products = Array.from({ length: 300 }, (_, i) => ({ sku: `s${i}`, price: i }));
    const commands = device('track', { event: 'Order Completed', timestamp: ISO, properties: { products } });
    expect(commands).toHaveLength(301);
    expect(commands[300]).toEqual(['set', { sku: 's299', price: 299, _t: T + 299, _d: 1 }]);
  });
});

describe('identify traits: context.traits and top-level traits, merged', () => {
  it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    ['context.traits only (the browser SDKs)', { context: { traits: { plan: 'pro' } } }, { plan: 'pro' }],
    ['top-level traits only (server-side sources)', { traits: { plan: 'pro' } }, { plan: 'pro' }],
    [
      'both: every key, the top-level value winning a key both have',
      { context: { traits: { plan: 'pro', email: 'a@b.c' } }, traits: { plan: 'free', seats: 3 } },
      { plan: 'free', email: 'a@b.c', seats: 3 },
    ],
    [
      'an empty context.traits never hides top-level traits',
      { context: { traits: {} }, traits: { plan: 'pro' } },
      { plan: 'pro' },
    ],
    [
      'empty top-level traits never hide context.traits',
      { context: { traits: { plan: 'pro' } }, traits: {} },
      { plan: 'pro' },
    ],
    ['a null context.traits', { context: { traits: null }, traits: { plan: 'pro' } }, { plan: 'pro' }],
    ['context.traits that are a list', { context: { traits: ['x'] }, traits: { plan: 'pro' } }, { plan: 'pro' }],
    [
      'a nested trait both have: the top-level value, whole (a key-level merge)',
      { context: { traits: { address: { city: 'Paris', zip: '75001' } } }, traits: { address: { city: 'Brussels' } } },
      { 'address.city': 'Brussels' },
    ],
    [
      'a top-level null drops a trait context.traits has',
      { context: { traits: { plan: 'pro', email: 'a@b.c' } }, traits: { plan: null } },
      { email: 'a@b.c' },
    ],
  ])('%s', (_name, message, traits) => {
    expect(device('identify', { userId: 'u1', ...message })).toEqual([
      ['identify', 'u1'],
      ['set', traits],
    ]);
  });

  it('an anonymous identify with only top-level traits sets them', () => {
    expect(device('identify', { anonymousId: 'a1', context: { traits: {} }, traits: { plan: 'pro' } })).toEqual([
      ['set', { plan: 'pro' }],
    ]);
  });

  it('does not modify either bag', () => {
    const context = { traits: { plan: 'pro' } };
    const traits = { plan: 'free' };
    device('identify', { userId: 'u1', context, traits });
    expect(context).toEqual({ traits: { plan: 'pro' } });
    expect(traits).toEqual({ plan: 'free' });
  });
});

/** Ids broken sites send for "no user", as they come (any case, spaces around). */
const SQUISHING_IDS = [
  'null',
  'undefined',
  'nil',
  'none',
  'NaN',
  'anonymous',
  'Unknown',
  'guest',
  '[object Object]',
  ' NULL ',
  '',
  '   ',
];

describe('the identity guard: ids that would merge unrelated people are never identified or aliased', () => {
  describe.each(SQUISHING_IDS)('%p', (id) => {
    const expectedId = JSON.stringify(id);

    it('identify with traits: the traits are set on the current visitor, no identify, and a note says why', () => {
      const budget = newBudget();
      const commands = translateMessage('identify', { userId: id, traits: { plan: 'pro' } }, {}, NOW_MS, budget);
      expect(commands).toEqual([['set', { plan: 'pro' }]]);
      // An empty userId is no userId: nothing to say about it.
      expect(budget.omitted).toEqual(id ? [`userId ${expectedId} (would merge unrelated people)`] : []);
    });

    it('identify without traits: nothing, and an error that says why', () => {
      expect(() => device('identify', { userId: id })).toThrow(
        id
          ? `userId ${expectedId} would merge unrelated people into one Kissmetrics person`
          : 'expected a userId or traits, got undefined',
      );
    });

    it('alias to it: refused', () => {
      expect(() => device('alias', { userId: id, previousId: 'u1' })).toThrow(
        id ? `userId ${expectedId} would merge unrelated people` : 'expected a userId other than previousId "u1"',
      );
    });

    it('alias from it: refused', () => {
      expect(() => device('alias', { userId: 'u2', previousId: id })).toThrow(
        id
          ? `previousId ${expectedId} would merge unrelated people`
          : `expected a userId other than previousId ${expectedId}`,
      );
    });

    it('track: recorded as usual (device mode sends no person; the library keeps its own visitor)', () => {
      expect(device('track', { userId: id, event: 'E', properties: { a: 1 } })).toEqual([['record', 'E', { a: 1 }]]);
    });
  });

  it.each<[unknown, string]>([
    [0, '0'],
    [42, '42'],
    ['u1', 'u1'],
    ['nullable', 'nullable'],
    ['guest-42', 'guest-42'],
    ['Anonymous Coward', 'Anonymous Coward'],
  ])('real ids are untouched: %p', (id, expected) => {
    expect(device('identify', { userId: id, traits: { a: 1 } })).toEqual([
      ['identify', expected],
      ['set', { a: 1 }],
    ]);
    expect(device('alias', { userId: id, previousId: 'p1' })).toEqual([['alias', expected, 'p1']]);
    expect(device('alias', { userId: 'u9', previousId: id })).toEqual([['alias', 'u9', expected]]);
  });
});
