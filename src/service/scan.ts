/**
 * Where the values of a JSON body are, without building them. `JSON.parse` of a whole body is fast but
 * unbounded: 64 MiB of `[{},{},…]` becomes 21 million objects (2 GB, most of a minute), and one event
 * can hold them all. This walk reads the bytes once, allocates nothing per value, and tells each member
 * of a container where it is and how many values it holds, so that the parse stage builds one event at a
 * time, and never one that is over its cap.
 *
 * It checks the structure of the levels it walks (the root, the event list); inside a member it only
 * follows strings and brackets: `JSON.parse` of the member's bytes checks the rest.
 */

/**
 * A JSON value in the body: bytes `[start, end)`, how many values it holds (itself included), how many
 * object keys, and how many levels deep it nests (0 for a string, number, boolean or null; 1 for `{}`
 * or `[1]`). Keys are counted apart: building one costs `JSON.parse` several times what a value does.
 */
export interface Span {
  start: number;
  end: number;
  values: number;
  keys: number;
  depth: number;
}

/** One member of an array (no key) or of an object; a list read member by member has its own. */
export interface Member {
  key?: string;
  span: Span;
  members?: Member[];
  count?: number;
}

export type ValueScan = { ok: true; span: Span } | { ok: false; at: number; expected: string };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

const isSpace = (byte: number | undefined): boolean => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;

const skipSpace = (bytes: Uint8Array, at: number, end: number): number => {
  while (at < end && isSpace(bytes[at])) at++;
  return at;
};

/** The index after the string that opens at `at`, or -1 when it does not end. */
const skipString = (bytes: Uint8Array, at: number, end: number): number => {
  for (let i = at + 1; i < end; i++) {
    const byte = bytes[i];
    if (byte === QUOTE) return i + 1;
    if (byte === BACKSLASH) i++;
  }
  return -1;
};

/**
 * The container that opens at `at`, followed to its matching bracket. Its values are counted exactly,
 * without building them: the container, plus one per member of every non-empty container, which is
 * 1 + separators + containers - empty containers.
 */
const skipContainer = (bytes: Uint8Array, at: number, end: number): ValueScan => {
  let depth = 0;
  let deepest = 0;
  let separators = 0;
  let keys = 0;
  let containers = 0;
  let empty = 0;
  let opened = false;
  for (let i = at; i < end; i++) {
    const byte = bytes[i];
    if (isSpace(byte)) continue;
    if (opened) {
      opened = false;
      if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) empty++;
    }
    if (byte === QUOTE) {
      const next = skipString(bytes, i, end);
      if (next < 0) break;
      i = next - 1;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (++depth > deepest) deepest = depth;
      containers++;
      opened = true;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      if (--depth === 0)
        return {
          ok: true,
          span: { start: at, end: i + 1, values: 1 + separators + containers - empty, keys, depth: deepest },
        };
    } else if (byte === COMMA) separators++;
    else if (byte === COLON) keys++;
  }
  return { ok: false, at: end, expected: 'the end of an object or array' };
};

/** A number, `true`, `false` or `null`: the bytes up to the next separator. */
const skipScalar = (bytes: Uint8Array, at: number, end: number): number => {
  let i = at;
  while (i < end) {
    const byte = bytes[i];
    if (byte === COMMA || byte === CLOSE_BRACE || byte === CLOSE_BRACKET || isSpace(byte)) break;
    i++;
  }
  return i;
};

/** The value that starts at the first non-space byte from `at`. */
export const scanValue = (bytes: Uint8Array, at: number, end: number): ValueScan => {
  const start = skipSpace(bytes, at, end);
  const byte = bytes[start];
  if (start >= end || byte === undefined) return { ok: false, at: start, expected: 'a JSON value' };
  if (byte === OPEN_BRACE || byte === OPEN_BRACKET) return skipContainer(bytes, start, end);
  if (byte === QUOTE) {
    const next = skipString(bytes, start, end);
    return next < 0
      ? { ok: false, at: end, expected: 'the end of a string' }
      : { ok: true, span: { start, end: next, values: 1, keys: 0, depth: 0 } };
  }
  const next = skipScalar(bytes, start, end);
  return next === start
    ? { ok: false, at: start, expected: 'a JSON value' }
    : { ok: true, span: { start, end: next, values: 1, keys: 0, depth: 0 } };
};

/** How much of a container to keep: its first `max` members, and, inside member `descend`, the first `descendMax`. */
export interface Reading {
  max?: number;
  /** The key of a member that is a list to read member by member too (a call's `input`). */
  descend?: string;
  descendMax?: number;
}

/** A container read member by member; `count` members, of which the first `max` are kept. */
export type Container =
  { ok: true; span: Span; members: Member[]; count: number } | { ok: false; at: number; expected: string };

/** The text of a key (short in practice; `JSON.parse` decodes its escapes). */
const keyAt = (bytes: Buffer, start: number, end: number): string =>
  JSON.parse(bytes.toString('utf8', start, end)) as string;

/** After a key: `:`, then where its value starts; -1 when there is no `:`. */
const afterColon = (bytes: Buffer, at: number, limit: number): number => {
  const colon = skipSpace(bytes, at, limit);
  return bytes[colon] === COLON ? colon + 1 : -1;
};

/** The member whose value starts at `at`; the list under `reading.descend` read member by member. */
const memberAt = (
  bytes: Buffer,
  at: number,
  limit: number,
  key: string | undefined,
  reading: Reading,
): { ok: true; member: Member } | { ok: false; at: number; expected: string } => {
  const named = key === undefined ? {} : { key };
  if (key !== undefined && key === reading.descend && bytes[at] === OPEN_BRACKET) {
    const list = containerAt(bytes, at, limit, { max: reading.descendMax ?? Infinity });
    return list.ok
      ? { ok: true, member: { ...named, span: list.span, members: list.members, count: list.count } }
      : list;
  }
  const value = scanValue(bytes, at, limit);
  return value.ok ? { ok: true, member: { ...named, span: value.span } } : value;
};

/**
 * The object or array that opens at `start`, read member by member up to its closing bracket (at most
 * `limit`), each member with its own span. Members past `max` are counted, not kept, so that a list of
 * millions costs no memory; the members of member `descend` are read the same way, in the same pass.
 */
export const containerAt = (bytes: Buffer, start: number, limit: number, reading: Reading = {}): Container => {
  const isObject = bytes[start] === OPEN_BRACE;
  const close = isObject ? CLOSE_BRACE : CLOSE_BRACKET;
  const members: Member[] = [];
  let count = 0;
  let values = 1;
  let keys = 0;
  let depth = 1;
  let at = skipSpace(bytes, start + 1, limit);
  if (bytes[at] === close) return { ok: true, span: { start, end: at + 1, values, keys, depth }, members, count };
  for (;;) {
    let key: string | undefined;
    if (isObject) {
      const keyEnd = bytes[at] === QUOTE ? skipString(bytes, at, limit) : -1;
      if (keyEnd < 0) return { ok: false, at, expected: 'a key in double quotes' };
      key = keyAt(bytes, at, keyEnd);
      at = afterColon(bytes, keyEnd, limit);
      if (at < 0) return { ok: false, at: keyEnd, expected: "':' after a key" };
      at = skipSpace(bytes, at, limit);
    }
    const found = memberAt(bytes, at, limit, key, reading);
    if (!found.ok) return found;
    values += found.member.span.values;
    keys += found.member.span.keys + (key === undefined ? 0 : 1);
    depth = Math.max(depth, found.member.span.depth + 1);
    // The list read member by member is kept whatever its place: it is what the reading is for.
    if (count++ < (reading.max ?? Infinity) || found.member.members) members.push(found.member);
    at = skipSpace(bytes, found.member.span.end, limit);
    if (bytes[at] === close) return { ok: true, span: { start, end: at + 1, values, keys, depth }, members, count };
    if (bytes[at] !== COMMA) return { ok: false, at, expected: `',' or '${String.fromCharCode(close)}'` };
    at = skipSpace(bytes, at + 1, limit);
  }
};

/** The members of the object or array `span` (first `max` kept). */
export const membersOf = (bytes: Buffer, span: Span, max = Infinity): Container =>
  containerAt(bytes, span.start, span.end, { max });

/**
 * The whole body as one value, with nothing but spaces after it: an object or array read member by
 * member as `reading` says (one pass over the bytes), anything else as a single value.
 */
export const scanBody = (bytes: Buffer, reading: Reading = {}): Container | ValueScan => {
  const start = skipSpace(bytes, 0, bytes.length);
  const byte = bytes[start];
  const value =
    byte === OPEN_BRACE || byte === OPEN_BRACKET
      ? containerAt(bytes, start, bytes.length, reading)
      : scanValue(bytes, start, bytes.length);
  if (!value.ok) return value;
  const rest = skipSpace(bytes, value.span.end, bytes.length);
  return rest < bytes.length ? { ok: false, at: rest, expected: 'the end of the body' } : value;
};

/** What a value is, from its first byte: enough to say what came without building it. */
export const kindOf = (bytes: Uint8Array, span: Span): 'object' | 'array' | 'other' =>
  bytes[span.start] === OPEN_BRACE ? 'object' : bytes[span.start] === OPEN_BRACKET ? 'array' : 'other';
