import { methodNotAllowed, otherDestination, unknownPath } from '../../src/service/messages';
import { loggedPath, pathOf, routeOf } from '../../src/service/routes';

describe('pathOf', () => {
  it.each([
    ['/v0/destinations/kissmetrics?trace=1', '/v0/destinations/kissmetrics'],
    ['/health', '/health'],
    [undefined, '/'],
    ['//v0/destinations/kissmetrics', '/v0/destinations/kissmetrics'],
    ['/v0//destinations///kissmetrics/', '/v0/destinations/kissmetrics'],
    ['/health/', '/health'],
    ['/routerTransform//?a=//b', '/routerTransform'],
    ['/', '/'],
    ['//', '/'],
    ['http://host//features/', '/features'],
  ])('%s → %s', (url, path) => {
    expect(pathOf(url)).toBe(path);
  });
});

describe('loggedPath', () => {
  it('keeps printable ASCII, turns anything else into ?, and cuts past 100 characters', () => {
    expect(loggedPath('/a b\u0000é')).toBe('/a?b??');
    expect(loggedPath(`/${'x'.repeat(200)}`)).toBe(`/${'x'.repeat(99)}…`);
  });
});

describe('routeOf', () => {
  it.each([
    ['GET', '/health', 'health'],
    ['HEAD', '/health', 'health'],
    ['GET', '/features', 'features'],
    ['HEAD', '/features', 'features'],
    ['POST', '/v0/destinations/kissmetrics', 'processor'],
    ['POST', '/v0/destinations/KISSMETRICS', 'processor'],
    ['POST', '/routerTransform', 'router'],
  ])('%s %s → %s', (method, path, endpoint) => {
    expect(routeOf(method, path)).toEqual({ ok: true, endpoint });
  });

  it.each([
    ['GET', '/v0/destinations/kissmetrics', ['POST']],
    ['PUT', '/routerTransform', ['POST']],
    ['POST', '/features', ['GET', 'HEAD']],
    ['DELETE', '/health', ['GET', 'HEAD']],
  ])('%s %s → 405, allowing %j', (method, path, allow) => {
    expect(routeOf(method, path)).toEqual({
      ok: false,
      answer: { status: 405, body: { error: methodNotAllowed(method, allow) }, allow },
    });
  });

  it('answers 404 for another destination, whatever the method, and for an unknown path', () => {
    expect(routeOf('GET', '/v0/destinations/am')).toEqual({
      ok: false,
      answer: { status: 404, body: { error: otherDestination('am') } },
    });
    expect(routeOf('GET', '/v1/x')).toEqual({
      ok: false,
      answer: { status: 404, body: { error: unknownPath('/v1/x') } },
    });
  });
});
