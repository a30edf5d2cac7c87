// Our per-event translation, as the transformer service runs it (src/service/outcome.ts: the translate
// stage, with its bounds and the case-insensitive type, around src/service/transform.ts), bundled
// from the sources for a benchmark in this process: the package exports no service internals.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import typescript from '@rollup/plugin-typescript';
import { rollup } from 'rollup';

const ROOT = new URL('../..', import.meta.url).pathname;
const FILE_NAME = 'km-transform.mjs';

/**
 * Imports src/service/outcome.ts (bundled with its imports, as the build would): its exports, and
 * `locate(callFrame)`, which names a CPU profile frame of the bundle by its source (`src/cloud/requests.ts:120`).
 */
export const loadOurs = async () => {
  const bundle = await rollup({
    input: join(ROOT, 'src/service/outcome.ts'),
    plugins: [
      typescript({
        tsconfig: join(ROOT, 'tsconfig.build.json'),
        filterRoot: ROOT,
        compilerOptions: { inlineSources: false },
      }),
    ],
  });
  const dir = await mkdtemp(join(tmpdir(), 'km-bench-'));
  try {
    const file = join(dir, FILE_NAME);
    const { output } = await bundle.generate({ format: 'es', sourcemap: true, file });
    const [{ code, map }] = output;
    await writeFile(file, code);
    const exports = await import(pathToFileURL(file).href);
    const sourceMap = new SourceMap(map);
    const locate = ({ url, lineNumber, columnNumber }) => {
      if (!url) return '';
      if (url.endsWith(FILE_NAME)) {
        const { originalSource, originalLine } = sourceMap.findEntry(lineNumber, columnNumber);
        if (originalSource !== undefined) return `${relative(ROOT, resolve(dir, originalSource))}:${originalLine + 1}`;
      }
      return `${url.slice(url.lastIndexOf('/') + 1)}:${lineNumber + 1}`;
    };
    return { ...exports, locate };
  } finally {
    await bundle.close();
    await rm(dir, { recursive: true, force: true });
  }
};
