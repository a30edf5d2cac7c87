import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import ts from 'typescript';
import { userEnv } from '../package/run';
import { blocksOf, userDocs } from './markdown';
import type { CodeBlock } from './markdown';

// Every code block of the README and of docs/ is checked, so that a sample cannot drift from the API:
//   ts            compiled with the package's own types (dist/*.d.ts) under strict settings
//   js, html      parsed (the scripts of an html block): a syntax error fails
//   json          parsed
//   sh            `bash -n`; with the flag `runnable` (```sh runnable) run in a scratch folder where
//                 `npx rudderstack-kissmetrics` is this build and `serve` listens where the block says
//                 127.0.0.1:9090; a following ```text output block is its exact stdout, a ```json output
//                 block its stdout as JSON (compared as data, so the block may be laid out for reading)
//   text, yaml, dockerfile   shown as they are (commands' output, files of other tools)

const ROOT = join(__dirname, '..', '..');
const SHOWN_ONLY = new Set(['text', 'yaml', 'dockerfile']);
const TS = new Set(['ts', 'typescript']);
const JS = new Set(['js', 'javascript', 'mjs', 'cjs']);
const SHELL = new Set(['sh', 'bash', 'shell']);
/** Where a runnable block may say the service listens (rudder-server's default transformer port). */
const SERVE_ADDRESS = '127.0.0.1:9090';
/** A runnable block is stopped after this long: it must never hang the suite. */
const RUN_LIMIT_MS = 60_000;

interface Checked {
  block: CodeBlock;
  /** The ```text output block right after a runnable one. */
  output?: CodeBlock;
}

const checked: Checked[] = [];
for (const file of userDocs(ROOT)) {
  const blocks = blocksOf(ROOT, file);
  blocks.forEach((block, i) => {
    if (block.flags.includes('output')) return;
    const next = blocks[i + 1];
    checked.push(next?.flags.includes('output') ? { block, output: next } : { block });
  });
}

const label = ({ block }: Checked): string => `${block.where} (${block.lang || 'no language'})`;

let scratch = '';
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'snippets-'));
  writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'snippets', private: true, type: 'module' }));
  const modules = join(scratch, 'node_modules');
  mkdirSync(join(modules, '@types'), { recursive: true });
  mkdirSync(join(modules, '@rudderstack'), { recursive: true });
  mkdirSync(join(modules, '.bin'));
  // The package as a user's project has it: its package.json, exports map and built files.
  symlinkSync(ROOT, join(modules, 'rudderstack-kissmetrics'), 'dir');
  symlinkSync(join(ROOT, 'node_modules', '@types', 'node'), join(modules, '@types', 'node'), 'dir');
  symlinkSync(
    join(ROOT, 'node_modules', '@rudderstack', 'analytics-js'),
    join(modules, '@rudderstack', 'analytics-js'),
    'dir',
  );
  symlinkSync(join(ROOT, 'node_modules', 'rudder-sdk-js'), join(modules, 'rudder-sdk-js'), 'dir');
  const bin = join(modules, '.bin', 'rudderstack-kissmetrics');
  writeFileSync(bin, `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, 'dist', 'cli.mjs')}" "$@"\n`);
  chmodSync(bin, 0o755);
});
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

it('every code block says its language', () => {
  expect(checked.filter(({ block }) => block.lang === '').map(label)).toEqual([]);
});

it('every language is one the checker knows', () => {
  const known = (lang: string): boolean =>
    lang === '' ||
    lang === 'json' ||
    lang === 'html' ||
    [TS, JS, SHELL].some((s) => s.has(lang)) ||
    SHOWN_ONLY.has(lang);
  expect(checked.filter(({ block }) => !known(block.lang)).map(label)).toEqual([]);
});

describe('TypeScript blocks compile against the package types, strict', () => {
  const blocks = checked.filter(({ block }) => TS.has(block.lang));
  const errors = new Map<string, string[]>();

  beforeAll(() => {
    const files = blocks.map(({ block }, i) => {
      const file = join(scratch, `snippet-${i}.ts`);
      // A block without imports is still a module of its own: its names never meet another block's.
      writeFileSync(file, `${block.code}\nexport {};\n`);
      return file;
    });
    const program = ts.createProgram(files, {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      types: ['node'],
      skipLibCheck: true,
    });
    for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
      const index = files.indexOf(diagnostic.file?.fileName ?? '');
      const where = blocks[index]?.block.where ?? diagnostic.file?.fileName ?? 'the compiler';
      const line =
        diagnostic.file && diagnostic.start !== undefined
          ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line + 1
          : 0;
      const text = `line ${line} of the block: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
      errors.set(where, [...(errors.get(where) ?? []), text]);
    }
  });

  for (const c of blocks)
    it(label(c), () => {
      expect(errors.get(c.block.where) ?? []).toEqual([]);
    });
});

/** Syntax errors of a JavaScript text, as the TypeScript parser reports them. */
const syntaxErrors = (code: string): string[] =>
  (ts.transpileModule(code, { reportDiagnostics: true, compilerOptions: { allowJs: true } }).diagnostics ?? []).map(
    (d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'),
  );

describe('JavaScript and HTML blocks parse', () => {
  const blocks = checked.filter(({ block }) => JS.has(block.lang) || block.lang === 'html');
  for (const { block } of blocks)
    it(label({ block }), () => {
      const scripts =
        block.lang === 'html'
          ? [...block.code.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? '')
          : [block.code];
      expect(scripts.flatMap(syntaxErrors)).toEqual([]);
    });
});

describe('JSON blocks parse', () => {
  const blocks = checked.filter(({ block }) => block.lang === 'json');
  for (const { block } of blocks)
    it(label({ block }), () => {
      expect(() => JSON.parse(block.code) as unknown).not.toThrow();
    });
});

describe('shell blocks', () => {
  const blocks = checked.filter(({ block }) => SHELL.has(block.lang));
  const runnable = blocks.filter(({ block }) => block.flags.includes('runnable'));
  let service: ChildProcessWithoutNullStreams | undefined;
  let address = SERVE_ADDRESS;

  beforeAll(async () => {
    if (!runnable.some(({ block }) => block.code.includes(SERVE_ADDRESS))) return;
    const started = spawn(process.execPath, [join(ROOT, 'dist', 'cli.mjs'), 'serve', '--port', '0'], {
      env: userEnv(),
    });
    service = started;
    address = await new Promise<string>((resolve, reject) => {
      let out = '';
      started.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        const url = /listening on http:\/\/([\d.]+:\d+)/.exec(out);
        if (url?.[1]) resolve(url[1]);
      });
      started.on('exit', (code) => {
        reject(new Error(`serve exited with ${String(code)} before listening: ${out}`));
      });
    });
  });
  afterAll(() => {
    service?.kill('SIGKILL');
  });

  for (const { block } of blocks)
    it(`${label({ block })} is valid bash`, () => {
      const check = spawnSync('bash', ['-n'], { input: block.code, encoding: 'utf8' });
      expect(check.stderr).toBe('');
      expect(check.status).toBe(0);
    });

  for (const { block, output } of runnable)
    it(
      `${label({ block })} runs as written`,
      async () => {
        const here = mkdtempSync(join(scratch, 'run-'));
        const env = userEnv();
        env.PATH = [join(scratch, 'node_modules', '.bin'), env.PATH ?? ''].join(delimiter);
        delete env.KISSMETRICS_API_KEY;
        const code = block.code.split(SERVE_ADDRESS).join(address);
        const result = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
          const child = spawn('bash', ['-eo', 'pipefail', '-c', code], { cwd: here, env, timeout: RUN_LIMIT_MS });
          let stdout = '';
          let stderr = '';
          child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
          child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
          child.on('close', (status) => {
            resolve({ status, stdout, stderr });
          });
        });
        expect({ status: result.status, stderr: result.status === 0 ? '' : result.stderr }).toEqual({
          status: 0,
          stderr: '',
        });
        if (output?.lang === 'json') {
          const asServed = result.stdout.split(address).join(SERVE_ADDRESS);
          expect(JSON.parse(asServed)).toEqual(JSON.parse(output.code));
        } else if (output) {
          const tidy = (text: string): string =>
            text
              .split(address)
              .join(SERVE_ADDRESS)
              .split('\n')
              .map((line) => line.trimEnd())
              .join('\n')
              .trim();
          expect(tidy(result.stdout)).toBe(tidy(output.code));
        }
      },
      RUN_LIMIT_MS * 2,
    );
});
