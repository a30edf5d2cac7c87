import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** One fenced code block of a Markdown file. */
export interface CodeBlock {
  /** `README.md:120`: the file (relative to the repository) and the line of the opening fence. */
  where: string;
  /** The first word of the info string (`ts`, `sh` …), lower-cased; '' for a bare fence. */
  lang: string;
  /** The words after it (`runnable`, `output` …). */
  flags: string[];
  /** The block's text, without the indentation of its fence (blocks inside list items). */
  code: string;
}

const FENCE = /^( *)(`{3,}|~{3,})\s*([^\s`]*)(.*)$/;

/** The fenced code blocks of `text`, in order. An unclosed fence runs to the end of the file, as CommonMark says. */
export const codeBlocks = (text: string, file: string): CodeBlock[] => {
  const blocks: CodeBlock[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i] ?? '');
    if (!open) continue;
    const [, indent = '', fence = '', lang = '', rest = ''] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const line = lines[j] ?? '';
      const close = FENCE.exec(line);
      if (close && close[2]?.[0] === fence[0] && (close[2]?.length ?? 0) >= fence.length && close[3] === '') break;
      body.push(line.startsWith(indent) ? line.slice(indent.length) : line.trimStart());
    }
    blocks.push({
      where: `${file}:${i + 1}`,
      lang: lang.toLowerCase(),
      flags: rest.trim().split(/\s+/).filter(Boolean),
      code: body.join('\n'),
    });
    i = j;
  }
  return blocks;
};

/** README.md and every Markdown file under docs/, relative to `root`. */
export const userDocs = (root: string): string[] => {
  const docs: string[] = ['README.md'];
  const walk = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(join(root, dir), { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.md')) docs.push(path);
    }
  };
  walk('docs');
  return docs.map((file) => relative(root, join(root, file)));
};

export const blocksOf = (root: string, file: string): CodeBlock[] =>
  codeBlocks(readFileSync(join(root, file), 'utf8'), file);
