import { invalidApiKey } from '../../src/rules/messages';

describe('invalidApiKey', () => {
  it.each([
    ['a near-valid key', '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c!', 'string'],
    ['a key with a space', '0f1e2d3c4b5a 69788796a5b4c3d2e1f00f1e2d3c', 'string'],
    ['nothing', undefined, 'undefined'],
    ['a number', 12345, 'number'],
  ])('says what type came instead of %s, never the value', (_name, value, type) => {
    const message = invalidApiKey(value);
    expect(message).toBe(
      `Kissmetrics: config.apiKey: expected a Kissmetrics API key matching ^[\\w-]{1,100}$, got ${type}`,
    );
    if (typeof value === 'string') expect(message).not.toContain(value.slice(0, 8));
  });
});
