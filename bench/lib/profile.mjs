// Reads a Chromium CPU profile (CDP `Profiler.stop`): self time per function, in our code and
// elsewhere, with our bundle's locations mapped back to src/ through its source map.
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, relative, resolve } from 'node:path';

const US_PER_MS = 1000;

/**
 * `(frame) => 'src/rules/properties.ts:62'` for frames of `bundleUrlSuffix` (the non-minified bundle,
 * mapped back through its source map), `name.js:line` for other scripts, `(native)` for V8 builtins
 * and `(evaluated):line` for the harness's own in-page functions.
 * CDP line and column numbers are 0-based; the printed lines are 1-based, as editors show them.
 */
export const locator = (root, bundlePath, bundleUrlSuffix) => {
  const map = new SourceMap(JSON.parse(readFileSync(`${bundlePath}.map`, 'utf8')));
  return ({ url, lineNumber, columnNumber }) => {
    // No URL: a V8 builtin (no line either) or a function the harness evaluated in the page.
    if (!url) return lineNumber < 0 ? '(native)' : `(evaluated):${lineNumber + 1}`;
    if (url.endsWith(bundleUrlSuffix)) {
      const { originalSource, originalLine } = map.findEntry(lineNumber, columnNumber);
      if (originalSource !== undefined && originalLine !== undefined)
        return `${relative(root, resolve(dirname(bundlePath), originalSource))}:${originalLine + 1}`;
    }
    return `${url.slice(url.lastIndexOf('/') + 1)}:${lineNumber + 1}`;
  };
};

const sortedRows = (byKey, ofMs) =>
  [...byKey.values()]
    .sort((a, b) => b.selfMs - a.selfMs)
    .map((row) => ({ ...row, percent: ofMs > 0 ? (100 * row.selfMs) / ofMs : 0 }));

/**
 * Self time per function, split in two: samples with a frame `isOurs` accepts anywhere on their stack
 * (% of the time in our code), and the rest, idle excluded (% of all busy time).
 */
export const selfTimes = (profile, isOurs, locate) => {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const oursById = new Map();
  const inOurs = (id) => {
    if (!oursById.has(id)) {
      const parent = parents.get(id);
      oursById.set(id, isOurs(nodes.get(id).callFrame) || (parent !== undefined && inOurs(parent)));
    }
    return oursById.get(id);
  };
  const ours = new Map();
  const rest = new Map();
  let busyMs = 0;
  let oursMs = 0;
  profile.samples.forEach((id, i) => {
    // A sample stands for the time until the next one; the last has none after it.
    const ms = (profile.timeDeltas[i + 1] ?? 0) / US_PER_MS;
    const frame = nodes.get(id).callFrame;
    if (frame.functionName === '(idle)') return;
    busyMs += ms;
    const rows = inOurs(id) ? ours : rest;
    if (rows === ours) oursMs += ms;
    const name = frame.functionName || '(anonymous)';
    const key = `${name} ${frame.url}:${frame.lineNumber}:${frame.columnNumber}`;
    const row = rows.get(key) ?? { name, location: locate(frame), selfMs: 0 };
    row.selfMs += ms;
    rows.set(key, row);
  });
  return { busyMs, oursMs, ours: sortedRows(ours, oursMs), rest: sortedRows(rest, busyMs) };
};
