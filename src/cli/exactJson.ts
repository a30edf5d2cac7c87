/**
 * JSON that keeps big integers exact. `JSON.parse` turns `12345678901234567891` into the nearest
 * double, 12345678901234567000: a user id would silently become another one. Integer literals
 * beyond ±(2^53 - 1) are read as strings of their digits instead (Kissmetrics receives every
 * value as text anyway); fractions and exponents stay numbers, as they are meant to be approximate.
 */

// An integer needs 16 digits to pass Number.MAX_SAFE_INTEGER (9007199254740991): a line without
// such a run of digits takes the plain JSON.parse path, so the scanner costs nothing on most lines.
const SIXTEEN_DIGITS = /\d{16}/;
const MIN_UNSAFE_DIGITS = 16;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
const isDigit = (c: number): boolean => c >= ZERO && c <= NINE;
/** `.`, `e`, `E`, `+`: what follows the integer part of a number that is not an integer literal. */
const isNumberTail = (c: number): boolean => c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === MINUS;

/**
 * `text` with every integer literal outside strings that a double cannot hold exactly wrapped in
 * quotes. One pass, linear; only meaningful for valid JSON (invalid JSON stays invalid).
 */
export const quoteUnsafeIntegers = (text: string): string => {
  let out = '';
  let copied = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      // Skip a string, escapes included: digits inside strings are text.
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === BACKSLASH) i += 2;
        else {
          i++;
          if (d === QUOTE) break;
        }
      }
    } else if (c === MINUS || isDigit(c)) {
      const start = i;
      if (c === MINUS) i++;
      const digitsStart = i;
      while (i < n && isDigit(text.charCodeAt(i))) i++;
      if (i < n && isNumberTail(text.charCodeAt(i))) {
        while (i < n && (isDigit(text.charCodeAt(i)) || isNumberTail(text.charCodeAt(i)))) i++;
      } else if (i - digitsStart >= MIN_UNSAFE_DIGITS && !Number.isSafeInteger(Number(text.slice(start, i)))) {
        out += `${text.slice(copied, start)}"${text.slice(start, i)}"`;
        copied = i;
      }
    } else {
      i++;
    }
  }
  return copied === 0 ? text : out + text.slice(copied);
};

/** `JSON.parse`, with integers beyond ±(2^53 - 1) kept exactly as strings. Throws JSON.parse's own error. */
export const parseExact = (text: string): unknown => {
  if (!SIXTEEN_DIGITS.test(text)) return JSON.parse(text);
  const quoted = quoteUnsafeIntegers(text);
  if (quoted === text) return JSON.parse(text);
  try {
    return JSON.parse(quoted);
  } catch {
    // The error must point into the text the user wrote, not into our rewrite of it.
    return JSON.parse(text);
  }
};
