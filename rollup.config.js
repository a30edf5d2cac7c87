import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';

// Library entry points, each published as ESM (.mjs), CJS (.cjs) and types (.d.ts, .d.cts).
const entries = { index: 'src/index.ts', cloud: 'src/cloud/index.ts' };

// The maps ship without src/, so they carry the TypeScript sources inline (sourcesContent) instead of
// pointing at files a user does not have.
const ts = (compilerOptions = {}) =>
  typescript({ tsconfig: './tsconfig.build.json', compilerOptions: { inlineSources: true, ...compilerOptions } });

export default [
  {
    // The script the RudderStack SDK loads: a standalone IIFE with no runtime dependency.
    input: 'src/device/browser.ts',
    plugins: [ts({ target: 'ES2022' })],
    output: [
      { file: 'dist/Kissmetrics.js', format: 'iife', strict: false, sourcemap: true },
      {
        file: 'dist/Kissmetrics.min.js',
        format: 'iife',
        strict: false,
        // The map ships next to the script but is not linked from it: the comment alone would cost 46
        // of the 2,048 gzipped bytes every page downloads. Load the map in the browser's devtools, or
        // serve it with a `SourceMap: Kissmetrics.min.js.map` response header.
        sourcemap: 'hidden',
        plugins: [
          terser({
            ecma: 2020,
            toplevel: true,
            compress: {
              passes: 5,
              pure_getters: true,
              unsafe: true,
              unsafe_arrows: true,
              unsafe_methods: true,
              unsafe_comps: true,
              unsafe_regexp: true,
              // `Number(text)` → `+text` (text is always a string there); `Object.prototype.x` → `{}.x`.
              unsafe_math: true,
              unsafe_proto: true,
              // Message helpers used once are inlined into their call sites (their arguments are plain
              // variables there, so no temporary is needed).
              inline: 3,
            },
            // Internal fields that never leave the script: shorter names in the minified file only.
            mangle: {
              properties: {
                regex:
                  /^(omitted|omissions|values|above|count|budget|out|started|config|quiet|analytics|deliver|say|send)$/,
                builtins: true,
              },
            },
          }),
          // Rollup ends the file with a newline: 3 of the gzipped bytes every page downloads, for nothing.
          {
            name: 'no-final-newline',
            generateBundle: (_options, bundle) => {
              for (const file of Object.values(bundle)) if (file.type === 'chunk') file.code = file.code.trimEnd();
            },
          },
        ],
      },
    ],
  },
  {
    input: entries,
    plugins: [ts()],
    external: (id) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0'),
    output: [
      {
        dir: 'dist',
        format: 'es',
        entryFileNames: '[name].mjs',
        chunkFileNames: 'chunks/[name]-[hash].mjs',
        sourcemap: true,
      },
      {
        dir: 'dist',
        format: 'cjs',
        entryFileNames: '[name].cjs',
        chunkFileNames: 'chunks/[name]-[hash].cjs',
        sourcemap: true,
      },
    ],
  },
  {
    // The `rudderstack-kissmetrics` command (package.json `bin`): Node ESM, dependencies left to npm.
    input: 'src/cli/main.ts',
    plugins: [ts()],
    external: (id) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0'),
    output: { file: 'dist/cli.mjs', format: 'es', banner: '#!/usr/bin/env node', sourcemap: true },
  },
  ...['d.ts', 'd.cts'].map((ext) => ({
    input: entries,
    plugins: [dts({ tsconfig: './tsconfig.build.json' })],
    output: { dir: 'dist', entryFileNames: `[name].${ext}`, chunkFileNames: `chunks/[name]-[hash].${ext}` },
  })),
];
