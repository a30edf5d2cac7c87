import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { RULES, translateMessage } from '../../src/rules/mapping';
import { NAMINGS, RUDDER_TRANSFORMER_RULES, rulesOf } from '../../src/rules/naming';
import { newBudget } from '../../src/rules/properties';
import type { KmqCommand } from '../../src/rules/types';

/**
 * The names RudderStack's own cloud destination (rudder-transformer's kissmetrics transform) gives each
 * event, written from reading its code: `<event>-<key>` and `Page-<key>` when prefixing, but
 * `<event> - revenue` with `Billing Amount` beside it; no `Billing Amount` without prefixing and no
 * revenue from `total`; its page and screen names; screens never prefixed; page products never sent.
 * The values are ours (money parsed, everything flattened, `_t`/`_d` on products).
 */
const NOW_MS = Date.UTC(2026, 0, 2, 3, 4, 5);
const T = NOW_MS / 1000;

const compat = (type: string, message: Record<string, unknown>, prefixProperties: boolean): KmqCommand[] =>
  translateMessage(type, message, { prefixProperties }, NOW_MS, undefined, RUDDER_TRANSFORMER_RULES);

const order = {
  event: 'Order Completed',
  properties: {
    coupon: 'SPRING',
    revenue: '$1,299.99',
    shipping: { method: 'express', address: { city: 'Ghent' } },
    products: [{ sku: 'a', price: 10 }, {}, { sku: 'c', revenue: '$5', tags: ['x', 'y'] }],
  },
};

describe('naming rudder-transformer: the names of RudderStack’s cloud destination', () => {
  it.each<[string, string, Record<string, unknown>, boolean, KmqCommand[]]>([
    [
      'track prefixed: <event>-<key> at every depth, <event> - revenue and Billing Amount; products likewise',
      'track',
      order,
      true,
      [
        [
          'record',
          'Order Completed',
          {
            'Order Completed-coupon': 'SPRING',
            'Order Completed - revenue': 1299.99,
            'Billing Amount': 1299.99,
            'Order Completed-shipping.method': 'express',
            'Order Completed-shipping.address.city': 'Ghent',
          },
        ],
        ['set', { 'Order Completed-sku': 'a', 'Order Completed-price': 10, _t: T, _d: 1 }],
        [
          'set',
          {
            'Order Completed-sku': 'c',
            'Order Completed - revenue': '$5',
            'Billing Amount': 5,
            'Order Completed-tags': 'x,y',
            _t: T + 2,
            _d: 1,
          },
        ],
      ],
    ],
    [
      'track unprefixed: revenue as money, no Billing Amount',
      'track',
      order,
      false,
      [
        [
          'record',
          'Order Completed',
          { coupon: 'SPRING', revenue: 1299.99, 'shipping.method': 'express', 'shipping.address.city': 'Ghent' },
        ],
        ['set', { sku: 'a', price: 10, _t: T, _d: 1 }],
        ['set', { sku: 'c', revenue: '$5', tags: 'x,y', _t: T + 2, _d: 1 }],
      ],
    ],
    [
      'an order completion without revenue: total stays total, no revenue is made of it',
      'track',
      { event: 'Order Completed', properties: { order_id: 'o1', total: '$50.00' } },
      true,
      [['record', 'Order Completed', { 'Order Completed-order_id': 'o1', 'Order Completed-total': '$50.00' }]],
    ],
    [
      'a Billing Amount of the caller’s stays as it is, and wins',
      'track',
      { event: 'Upgraded', properties: { revenue: 10, 'Billing Amount': 12 } },
      true,
      [['record', 'Upgraded', { 'Upgraded - revenue': 10, 'Billing Amount': 12 }]],
    ],
    [
      'a revenue that is not money: passed on, with no Billing Amount',
      'track',
      { event: 'Upgraded', properties: { revenue: 'soon', plan: 'pro' } },
      true,
      [['record', 'Upgraded', { 'Upgraded - revenue': 'soon', 'Upgraded-plan': 'pro' }]],
    ],
    [
      'products that are not a list: left out',
      'track',
      { event: 'Viewed Cart', properties: { products: { sku: 'a' }, size: 1 } },
      false,
      [['record', 'Viewed Cart', { size: 1 }]],
    ],
    [
      'page prefixed: Page-<key>, its name from name and properties.category, products left out',
      'page',
      {
        name: 'Pricing',
        category: 'Top',
        properties: { category: 'Docs', url: 'https://x.test/', revenue: 3, products: [{ sku: 'a' }] },
      },
      true,
      [
        [
          'record',
          'Viewed Docs Pricing page',
          { 'Page-category': 'Docs', 'Page-url': 'https://x.test/', 'Page - revenue': 3, 'Billing Amount': 3 },
        ],
      ],
    ],
    [
      'page: a top-level category is not read',
      'page',
      { name: 'Pricing', category: 'Top', properties: { path: '/pricing' } },
      false,
      [['record', 'Viewed Pricing page', { path: '/pricing' }]],
    ],
    [
      'page: a name in properties only is not read',
      'page',
      { properties: { name: 'Pricing', path: '/pricing' } },
      true,
      [['record', 'Loaded a Page', { 'Page-name': 'Pricing', 'Page-path': '/pricing' }]],
    ],
    [
      'screen: never prefixed, Viewed <name> screen',
      'screen',
      { name: 'Settings', properties: { tab: 'privacy', revenue: '$2' } },
      true,
      [['record', 'Viewed Settings screen', { tab: 'privacy', revenue: 2 }]],
    ],
    [
      'screen with a category: Viewed <category> <name> page',
      'screen',
      { name: 'Settings', properties: { category: 'App', products: [{ sku: 'a' }] } },
      false,
      [['record', 'Viewed App Settings page', { category: 'App' }]],
    ],
    ['screen without a name', 'screen', { properties: {} }, true, [['record', 'Loaded a Screen', {}]]],
    [
      'identify: traits flattened, never prefixed (as by default)',
      'identify',
      { userId: 'u1', traits: { plan: 'pro', company: { name: 'Acme', size: { band: 'S' } } } },
      true,
      [
        ['identify', 'u1'],
        ['set', { plan: 'pro', 'company.name': 'Acme', 'company.size.band': 'S' }],
      ],
    ],
    ['alias (no names)', 'alias', { userId: 'u2', previousId: 'u1' }, true, [['alias', 'u2', 'u1']]],
    [
      'group, which it refuses: our names (there are none of its to keep)',
      'group',
      { groupId: 'g1', traits: { name: 'Acme' } },
      true,
      [['set', { 'Group - name': 'Acme', 'Group - id': 'g1' }]],
    ],
  ])('%s', (_name, type, message, prefixProperties, expected) => {
    expect(compat(type, { timestamp: new Date(NOW_MS).toISOString(), ...message }, prefixProperties)).toEqual(expected);
  });

  it('keeps our limits: a name that would be too long is left out and noted', () => {
    const event = 'E'.repeat(250);
    const budget = newBudget();
    const commands = translateMessage(
      'track',
      { event, properties: { ok: 1, revenue: 4 } },
      { prefixProperties: true },
      NOW_MS,
      budget,
      RUDDER_TRANSFORMER_RULES,
    );
    expect(commands).toEqual([['record', event, { [`${event}-ok`]: 1, 'Billing Amount': 4 }]]);
    expect(budget.omitted).toEqual([`${`${event} - revenue`.slice(0, 40)} (too long)`]);
  });

  it('refuses what the default rules refuse, with the same error', () => {
    expect(() => compat('track', { event: '' }, true)).toThrow(/event name/);
    expect(() => compat('page', 'not a message' as never, true)).toThrow('expected a RudderStack message object');
  });
});

describe('rulesOf', () => {
  it.each([
    [undefined, RULES],
    ['default', RULES],
    ['rudder-transformer', RUDDER_TRANSFORMER_RULES],
  ])('naming %j gives its rules', (naming, rules) => {
    expect(rulesOf(naming)).toBe(rules);
  });

  it('takes the fallback when the config has no naming', () => {
    expect(rulesOf(undefined, 'rudder-transformer')).toBe(RUDDER_TRANSFORMER_RULES);
    expect(rulesOf('default', 'rudder-transformer')).toBe(RULES);
  });

  it.each([['RudderStack'], [''], [null], [1]])('refuses naming %j, naming the allowed values', (naming) => {
    expect(() => rulesOf(naming)).toThrow(/^config\.naming: expected "default" or "rudder-transformer", got /);
  });

  it('lists the namings the CLI offers', () => {
    expect(NAMINGS).toEqual(['default', 'rudder-transformer']);
  });
});

describe('the browser script', () => {
  const BUNDLE = resolve(__dirname, '../../dist/Kissmetrics.min.js');

  it('carries no naming: the migration mode is cloud only', () => {
    if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run npm run build first (npm test does)`);
    const script = readFileSync(BUNDLE, 'utf8');
    expect(script).not.toContain('rudder-transformer');
  });
});
