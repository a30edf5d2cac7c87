// Type tests: every `@ts-expect-error` below must be needed, or ts-jest (which type-checks this file)
// and `npm run typecheck` fail with "Unused '@ts-expect-error' directive". Each call also runs, to show
// that at run time anything is still accepted and checked.
import type { RSAEvent } from '@rudderstack/analytics-js';
import { Kissmetrics, toKissmetricsRequests, toKmqCommands, translate } from '../../src';
import type { RudderMessage } from '../../src';

const KEY = 'a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2';

describe('typos fail to compile, and are refused or ignored at run time', () => {
  it('a misspelt message type', () => {
    // @ts-expect-error 'trak' is not a RudderStack message type
    expect(() => toKmqCommands({ type: 'trak', event: 'x' })).toThrow(
      'expected type identify|track|page|screen|alias|group, got "trak"',
    );
  });

  it('a misspelt field of a track message', () => {
    // @ts-expect-error `evnt` is not a field of a track message (`event` is)
    expect(() => toKmqCommands({ type: 'track', evnt: 'x' })).toThrow('expected an event name, got undefined');
  });

  it('a field of another message type', () => {
    // @ts-expect-error an identify message has no `event`
    expect(toKmqCommands({ type: 'identify', userId: 'u1', event: 'x' })).toEqual([['identify', 'u1']]);
  });

  it('a setting of the wrong type', () => {
    // @ts-expect-error prefixProperties is a boolean
    expect(toKmqCommands({ type: 'track', event: 'E', properties: { a: 1 } }, { prefixProperties: 'yes' })).toEqual([
      ['record', 'E', { a: 1 }],
    ]);
  });

  it('a misspelt setting of translate', () => {
    // @ts-expect-error `prefixProperty` is not a setting (`prefixProperties` is)
    expect(translate('page', { name: 'Home' }, { prefixProperty: true })).toEqual([['record', 'Viewed Home page', {}]]);
  });

  it('a misspelt destination config', () => {
    // @ts-expect-error `apiKy` is not a setting, and `apiKey` is missing
    const integration = new Kissmetrics({ apiKy: 'x' });
    expect(() => {
      integration.init();
    }).toThrow('Kissmetrics: config.apiKey: expected a Kissmetrics API key matching ^[\\w-]{1,100}$, got undefined');
  });

  it('a misspelt cloud config', () => {
    // @ts-expect-error `trackingHst` is not a setting (`trackingHost` is)
    const [request] = toKissmetricsRequests({ type: 'page', anonymousId: 'a1' }, { apiKey: KEY, trackingHst: 'x' });
    expect(request?.endpoint).toBe('https://trk.kissmetrics.io/e');
  });

  it('a message type that does not match the rule asked for', () => {
    // @ts-expect-error translate('alias', …) takes an alias message's fields, which have no `event`
    expect(() => translate('alias', { event: 'E' })).toThrow('expected a userId other than previousId undefined');
  });
});

describe('what the SDK hands over fits the types as they are', () => {
  it("the SDK's own RSAEvent message is a RudderMessage", () => {
    const message: RSAEvent['message'] = {
      type: 'track',
      channel: 'web',
      anonymousId: 'anon-1',
      messageId: 'm-1',
      originalTimestamp: '2026-01-01T00:00:00.000Z',
      integrations: { All: true },
      event: 'Signed Up',
      properties: { plan: 'pro', nested: { a: [1, 2] }, at: new Date(0), none: null },
      context: {
        app: { name: 'sdk', version: '3.34.1', namespace: 'ns', installType: 'npm' },
        library: { name: 'sdk', version: '3.34.1' },
        userAgent: 'ua',
        os: { name: '', version: '' },
        locale: 'en-GB',
        screen: { density: 1, width: 1, height: 1, innerWidth: 1, innerHeight: 1 },
        timezone: 'GMT+0000',
      },
    };
    const typed: RudderMessage = message;
    expect(toKmqCommands(typed)).toEqual([['record', 'Signed Up', { plan: 'pro', 'nested.a': '1,2', at: 0 }]]);
    // The class takes it as the SDK passes it; without init() it warns and pushes nothing.
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    new Kissmetrics({ apiKey: KEY }).track({ message });
    expect(warn.mock.calls).toEqual([['Kissmetrics track: init() has not succeeded; nothing sent']]);
    warn.mockRestore();
  });
});
