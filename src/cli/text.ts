/** Text that reaches a terminal: input echoed safely, commands printed so that they can be pasted. */

// C0 and C1 control characters, DEL, the line and paragraph separators and the bidirectional
// overrides: an input line holding them could move the cursor, recolour or hide what follows.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const hex = (c: string, width: number): string => c.charCodeAt(0).toString(16).padStart(width, '0');

/** `text` with every control or bidi character written as `\xNN` / `\uNNNN`: one safe line for a terminal. */
export const escapeControls = (text: string): string =>
  text.replace(UNSAFE, (c) => (c.charCodeAt(0) < 0x100 ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`));

const PLAIN_WORD = /^[\w@%+=:,./-]+$/;

/**
 * One shell word for `arg`: as is when it is plain, in single quotes otherwise, and in `$'…'`
 * (bash, zsh, ksh) when it holds a control character, which must not reach the terminal raw.
 */
export const shellQuote = (arg: string): string => {
  if (PLAIN_WORD.test(arg)) return arg;
  UNSAFE.lastIndex = 0;
  if (!UNSAFE.test(arg)) return `'${arg.replace(/'/g, `'\\''`)}'`;
  return `$'${escapeControls(arg.replace(/\\/g, '\\\\').replace(/'/g, "\\'"))}'`;
};

export const shellCommand = (args: readonly string[]): string => args.map(shellQuote).join(' ');

export const plural = (n: number, word: string, many = `${word}s`): string => `${n} ${n === 1 ? word : many}`;
