import { escapeControls, shellQuote } from '../../src/cli/text';

describe('escapeControls', () => {
  it.each<[string, string]>([
    ['plain text, é and 日本', 'plain text, é and 日本'],
    ['\u001b[31mred\u001b[0m', '\\x1b[31mred\\x1b[0m'],
    ['a\rb\nc\td\u0000', 'a\\x0db\\x0ac\\x09d\\x00'],
    ['\u007f\u009b', '\\x7f\\x9b'],
    ['\u202eevil\u2066', '\\u202eevil\\u2066'],
  ])('escapes %j', (text, escaped) => {
    expect(escapeControls(text)).toBe(escaped);
  });
});

describe('shellQuote', () => {
  it.each<[string, string]>([
    ['events.ndjson', 'events.ndjson'],
    ['/tmp/a-b_c.d:e@f+g=h,i%', '/tmp/a-b_c.d:e@f+g=h,i%'],
    ['my events.ndjson', "'my events.ndjson'"],
    ["it's", "'it'\\''s'"],
    ['', "''"],
    ['a\nb', "$'a\\x0ab'"],
    ["a\u001bb'c\\", "$'a\\x1bb\\'c\\\\'"],
  ])('quotes %j for a shell', (arg, quoted) => {
    expect(shellQuote(arg)).toBe(quoted);
  });
});
