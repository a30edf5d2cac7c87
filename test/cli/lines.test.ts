import fc from 'fast-check';
import { parseExact, quoteUnsafeIntegers } from '../../src/cli/exactJson';
import { readLine, splitLines } from '../../src/cli/lines';
import type { LongLinePiece, RawLine } from '../../src/cli/lines';

const collect = async (
  chunks: (string | Buffer)[],
  max = 1000,
  from?: { line: number; offset: number },
): Promise<(RawLine | LongLinePiece)[]> => {
  const out: (RawLine | LongLinePiece)[] = [];
  for await (const piece of splitLines(
    (async function* () {
      await Promise.resolve();
      yield* chunks;
    })(),
    max,
    from,
  ))
    out.push(piece);
  return out;
};

const short = (pieces: (RawLine | LongLinePiece)[]): unknown[] =>
  pieces.map((p) =>
    p.kind === 'line'
      ? [p.number, p.start, p.end, p.bytes.toString('latin1')]
      : [p.number, p.start, p.last ? `${p.end}/${p.size}` : '…', p.bytes.toString('latin1')],
  );

describe('splitLines', () => {
  it('splits on \\n only, keeping \\r and every other byte, with each line offset', async () => {
    expect(short(await collect(['a\r', 'b\nc\r\n', '\nd']))).toEqual([
      [1, 0, 4, 'a\rb'],
      [2, 4, 7, 'c\r'],
      [3, 7, 8, ''],
      [4, 8, 9, 'd'],
    ]);
  });

  it('joins a line split across many chunks, and ends without a last empty line', async () => {
    expect(short(await collect(['{"a"', ':', '1}', '\n']))).toEqual([[1, 0, 8, '{"a":1}']]);
  });

  it('numbers from where a resumed run starts', async () => {
    expect(short(await collect(['x\ny\n'], 1000, { line: 41, offset: 900 }))).toEqual([
      [41, 900, 902, 'x'],
      [42, 902, 904, 'y'],
    ]);
  });

  it('hands a line longer than the limit out in pieces, never whole, then goes on', async () => {
    expect(short(await collect(['abcd', 'efgh', 'ij\nk\n'], 5))).toEqual([
      [1, 0, '…', 'abcdefgh'],
      [1, 0, '11/10', 'ij'],
      [2, 11, 13, 'k'],
    ]);
    // A long last line without \n.
    expect(short(await collect(['abcdefgh'], 5))).toEqual([
      [1, 0, '…', 'abcdefgh'],
      [1, 0, '8/8', ''],
    ]);
  });
});

describe('readLine', () => {
  it.each<[string, Buffer, boolean, unknown]>([
    ['a line of JSON', Buffer.from('{"a":1}'), false, { kind: 'json', value: { a: 1 } }],
    ['a CRLF line', Buffer.from('{"a":1}\r'), false, { kind: 'json', value: { a: 1 } }],
    [
      'a byte order mark at the start of the input',
      Buffer.from('\uFEFF{"a":1}'),
      true,
      { kind: 'json', value: { a: 1 } },
    ],
    [
      'a byte order mark elsewhere',
      Buffer.from('\uFEFF{"a":1}'),
      false,
      { kind: 'malformed', reason: expect.stringMatching(/^malformed JSON: /) as unknown },
    ],
    ['spaces and tabs only', Buffer.from(' \t \r'), false, { kind: 'blank' }],
    ['nothing', Buffer.alloc(0), false, { kind: 'blank' }],
    [
      'a bare \\r inside',
      Buffer.from('{"a":1}\r{"b":2}'),
      false,
      { kind: 'malformed', reason: expect.stringMatching(/^malformed JSON: /) as unknown },
    ],
    [
      'bytes that are not UTF-8',
      Buffer.from([0x7b, 0xe9, 0x7d]),
      false,
      { kind: 'malformed', reason: 'not valid UTF-8 text' },
    ],
    [
      'a big integer id',
      Buffer.from('{"userId":12345678901234567891}'),
      false,
      { kind: 'json', value: { userId: '12345678901234567891' } },
    ],
  ])('reads %s', (_name, bytes, atStart, expected) => {
    expect(readLine(bytes, atStart)).toEqual(expected);
  });
});

describe('parseExact', () => {
  it.each<[string, unknown]>([
    ['12345678901234567891', '12345678901234567891'],
    ['-12345678901234567891', '-12345678901234567891'],
    ['9007199254740991', 9007199254740991],
    ['9007199254740992', '9007199254740992'],
    ['-9007199254740992', '-9007199254740992'],
    ['1000000000000000000000', '1000000000000000000000'],
    // Fractions and exponents are approximate by nature: they stay numbers (the nearest double).
    ['12345678901234567891.5', Number('12345678901234567891.5')],
    ['1.2345678901234567891e19', Number('1.2345678901234567891e19')],
    ['12345678901234567891e0', Number('12345678901234567891')],
    ['"12345678901234567891"', '12345678901234567891'],
    [
      '{"n":"x\\"12345678901234567891","m":12345678901234567891}',
      { n: 'x"12345678901234567891', m: '12345678901234567891' },
    ],
    ['[1, 12345678901234567891, 2]', [1, '12345678901234567891', 2]],
    ['{"k\\\\":99999999999999999999}', { 'k\\': '99999999999999999999' }],
  ])('reads %s exactly', (text, value) => {
    expect(parseExact(text)).toEqual(value);
  });

  it("throws JSON.parse's own error for the text as written", () => {
    const text = '{"a": 12345678901234567891,}';
    expect(() => parseExact(text)).toThrow(
      ((): string => {
        try {
          JSON.parse(text);
        } catch (error) {
          return (error as Error).message;
        }
        return '';
      })(),
    );
  });

  it('leaves text without a long run of digits alone', () => {
    const text = '{"a":123456789012345,"b":"9007199254740993"}';
    expect(quoteUnsafeIntegers(text)).toBe(text);
  });

  it('agrees with JSON.parse on any JSON, except that unsafe integers come back as their exact digits', () => {
    const unsafe = fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n }).filter((n) => n > 2n ** 53n || n < -(2n ** 53n));
    const value = fc.letrec<{ value: unknown }>((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.string(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        unsafe.map((n) => ({ big: n })),
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(fc.string(), tie('value'), { maxKeys: 4 }),
      ),
    })).value;
    // `{big: n}` marks where an unsafe integer literal goes; the expected value has its digits as a string.
    const isBig = (v: unknown): v is { big: bigint } =>
      typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as { big?: unknown }).big === 'bigint';
    const write = (v: unknown): string =>
      isBig(v)
        ? String(v.big)
        : Array.isArray(v)
          ? `[${v.map(write).join(',')}]`
          : typeof v === 'object' && v !== null
            ? `{${Object.entries(v)
                .map(([k, x]) => `${JSON.stringify(k)}:${write(x)}`)
                .join(',')}}`
            : JSON.stringify(v);
    const expected = (v: unknown): unknown =>
      isBig(v)
        ? String(v.big)
        : Array.isArray(v)
          ? v.map(expected)
          : typeof v === 'object' && v !== null
            ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, expected(x)]))
            : plain(JSON.stringify(v));
    // A double that JSON writes as a long integer literal is one too: it comes back as its digits.
    const plain = (text: string): unknown =>
      /^-?\d{16,}$/.test(text) && !Number.isSafeInteger(Number(text)) ? text : (JSON.parse(text) as unknown);
    fc.assert(
      fc.property(value, (v) => {
        expect(parseExact(write(v))).toEqual(expected(v));
      }),
      { numRuns: 300 },
    );
  });
});
