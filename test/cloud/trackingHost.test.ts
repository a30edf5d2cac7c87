import { trackingHostOf } from '../../src/cloud/requests';
import { thrown } from '../thrown';

const EXPECTED = 'an http(s) URL without query (?), fragment (#) or credentials (user:password@)';

describe('trackingHostOf', () => {
  it.each<[unknown, string]>([
    [undefined, 'https://trk.kissmetrics.io'],
    ['https://trk.kissmetrics.io', 'https://trk.kissmetrics.io'],
    ['http://127.0.0.1:8080/', 'http://127.0.0.1:8080'],
    ['http://127.0.0.1:8080/km//', 'http://127.0.0.1:8080/km'],
    ['HTTPS://Trk.Example', 'https://trk.example'],
  ])('accepts %j as %j', (value, host) => {
    expect(trackingHostOf(value)).toBe(host);
  });

  it.each<[string, unknown, string]>([
    ['another protocol', 'ftp://trk.example', 'got a ftp: URL'],
    ['text that is not a URL', 'not a url', 'got text that is not a URL'],
    ['an empty string', '', 'got text that is not a URL'],
    ['a number', 8080, 'got number'],
    ['a query', 'https://trk.example/?q=1', 'got a URL with a query (?)'],
    ['an empty query', 'https://trk.example/?', 'got a URL with a query (?)'],
    ['a bare #', 'https://trk.example/#', 'got a URL with a fragment (#)'],
    ['a fragment', 'https://trk.example/km#x', 'got a URL with a fragment (#)'],
  ])('refuses %s and says what it got', (_name, value, got) => {
    expect(thrown(() => trackingHostOf(value))).toBe(
      `config.trackingHost must be ${EXPECTED}, such as "https://trk.kissmetrics.io"; ${got}`,
    );
  });

  it.each([
    'http://alice:s3cr3t@trk.example',
    'http://alice@trk.example',
    'http://:s3cr3t@trk.example',
    'http://@trk.example',
  ])('refuses credentials in %j without repeating them', (value) => {
    const message = thrown(() => trackingHostOf(value));
    expect(message).toBe(
      `config.trackingHost must be ${EXPECTED}, such as "https://trk.kissmetrics.io"; got a URL with credentials`,
    );
    expect(message).not.toMatch(/alice|s3cr3t/);
  });
});
