import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PACKAGE, REPO_ROOT, node } from './run';
import type { Result } from './run';

/** What a page-less Node process saw while loading the package and calling `register()`. */
export interface ServerSideReport {
  /** Browser globals read while loading both entry points (each is a trap that records reads). */
  touched: string[];
  /** Globals the loading created. */
  added: string[];
  /** What `register()` threw without a `window`, or null. */
  registerThrew: string | null;
  windowAfterRegister: boolean;
  kissmetricsRsAfterRegister: boolean;
}

/** Browser globals an import must not read in Node; Node 21+ has its own `navigator`, kept aside. */
const BROWSER_GLOBALS = ['window', 'document', 'navigator', 'self', 'location', 'localStorage'];

const serverSideBody = (load: string): string => `
const names = ${JSON.stringify(BROWSER_GLOBALS)};
const touched = [];
const saved = new Map();
for (const name of names) {
  const own = Object.getOwnPropertyDescriptor(globalThis, name);
  if (own) saved.set(name, own);
  Object.defineProperty(globalThis, name, {
    configurable: true,
    get() {
      touched.push(name);
      return undefined;
    },
  });
}
const before = new Set(Object.getOwnPropertyNames(globalThis));
const root = ${load.replace('$', PACKAGE)};
${load.replace('$', `${PACKAGE}/cloud`)};
const added = Object.getOwnPropertyNames(globalThis).filter((name) => !before.has(name));
for (const name of names) {
  delete globalThis[name];
  if (saved.has(name)) Object.defineProperty(globalThis, name, saved.get(name));
}
let registerThrew = null;
try {
  root.register();
} catch (error) {
  registerThrew = String(error);
}
process.stdout.write(JSON.stringify({
  touched,
  added,
  registerThrew,
  windowAfterRegister: 'window' in globalThis,
  kissmetricsRsAfterRegister: 'Kissmetrics_RS' in globalThis,
}));
`;

const parse = (result: Result): unknown => {
  if (result.code !== 0) throw new Error(`probe exited with ${result.code}:\n${result.stderr}`);
  return JSON.parse(result.stdout);
};

export const serverSide = async (consumer: string, flavour: 'cjs' | 'esm'): Promise<unknown> =>
  parse(
    await node(
      flavour === 'cjs'
        ? ['--input-type=commonjs', '-e', serverSideBody("require('$')")]
        : ['--input-type=module', '-e', serverSideBody("await import('$')")],
      consumer,
    ),
  );

/**
 * Loads one shipped JavaScript file in a fresh Node process that has a stub `window` (a bundler
 * includes a file in a browser build): `.cjs` by `require`, `.mjs` by `import`, `.js` (the IIFE) as a
 * classic script. Returns null when loading it changed nothing, else what it did.
 */
const sideEffectBody = `
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { runInThisContext } from 'node:vm';
const file = process.argv[1];
const stub = {};
globalThis.window = stub;
const before = new Set(Object.getOwnPropertyNames(globalThis));
if (file.endsWith('.cjs')) createRequire(import.meta.url)(file);
else if (file.endsWith('.mjs')) await import(pathToFileURL(file).href);
else runInThisContext(readFileSync(file, 'utf8'), { filename: file });
const added = Object.getOwnPropertyNames(globalThis).filter((name) => !before.has(name));
process.stdout.write(JSON.stringify({ added, window: Object.keys(stub) }));
`;

export const sideEffectOf = async (file: string, cwd: string): Promise<string | null> => {
  const result = await node(['--input-type=module', '-e', sideEffectBody, file], cwd);
  const quiet = '{"added":[],"window":[]}';
  if (result.code === 0 && result.stderr === '' && result.stdout === quiet) return null;
  return `exit ${result.code}, stdout ${JSON.stringify(result.stdout.slice(0, 200))}, stderr ${JSON.stringify(result.stderr.slice(0, 200))}`;
};

/** Resolves and evaluates `rudderstack-kissmetrics/Kissmetrics.min.js` as a page would (classic script). */
const scriptBody = `
const { readFileSync } = require('node:fs');
const { runInNewContext } = require('node:vm');
const file = require.resolve('${PACKAGE}/Kissmetrics.min.js');
const window = {};
runInNewContext(readFileSync(file, 'utf8'), { window });
process.stdout.write(JSON.stringify({
  file,
  mounted: Object.keys(window),
  isClass: typeof window.Kissmetrics_RS.Kissmetrics === 'function',
}));
`;

export const browserScript = async (consumer: string): Promise<unknown> =>
  parse(await node(['--input-type=commonjs', '-e', scriptBody], consumer));

export const importResolve = async (consumer: string, specifier: string): Promise<string> => {
  const result = await node(
    ['--input-type=module', '-e', `process.stdout.write(import.meta.resolve(${JSON.stringify(specifier)}))`],
    consumer,
  );
  if (result.code !== 0) throw new Error(`import.meta.resolve(${specifier}) failed:\n${result.stderr}`);
  return result.stdout;
};

/**
 * A TypeScript user of both entry points. It compiles only when the package's types are found and
 * are real: each `@ts-expect-error` line fails the build if an import is typed `any` or a typo compiles.
 */
const CONSUMER_SOURCE = `import { Kissmetrics, register, toKmqCommands } from '${PACKAGE}';
import type { KmqCommand } from '${PACKAGE}';
import { sendRequests, toKissmetricsRequests } from '${PACKAGE}/cloud';
import type { KissmetricsRequest, SendOutcome } from '${PACKAGE}/cloud';

const track = { type: 'track', event: 'Signed Up', userId: 'u1' } as const;
const commands: KmqCommand[] = toKmqCommands(track, { prefixProperties: false });
const requests: KissmetricsRequest[] = toKissmetricsRequests(track, { apiKey: 'k' });
const outcomes: Promise<SendOutcome[]> = sendRequests(requests);
// @ts-expect-error a request list is not a string: the types are real, not \`any\`
const notAString: string = toKissmetricsRequests(track, { apiKey: 'k' });
// @ts-expect-error 'trak' is not a message type: the shipped types catch typos
toKmqCommands({ type: 'trak', event: 'x' });
// @ts-expect-error \`apiKy\` is not a destination setting
new Kissmetrics({ apiKy: 'x' });
// @ts-expect-error \`trackingHst\` is not a cloud setting
toKissmetricsRequests(track, { apiKey: 'k', trackingHst: 'x' });
register();
new Kissmetrics({ apiKey: 'k' }).init();
export { commands, notAString, outcomes };
`;

export type Resolution = 'node10' | 'node16' | 'bundler';

/**
 * The settings a user of each resolution has. Server code (node10, node16) gets Node's types from
 * this repository's `@types/node`; bundler code gets the DOM's. `skipLibCheck` is off so our own
 * declaration files are checked too.
 */
const tsconfigFor = (resolution: Resolution): object => {
  const node = { lib: ['ES2022'], types: ['node'], typeRoots: [join(REPO_ROOT, 'node_modules', '@types')] };
  const shared = { strict: true, noEmit: true, skipLibCheck: false };
  switch (resolution) {
    case 'node10':
      return {
        compilerOptions: { ...shared, ...node, module: 'commonjs', moduleResolution: 'node10' },
        files: ['consumer.ts'],
      };
    case 'node16':
      // The same source as an ES module and as CommonJS: each must find its own declarations.
      return {
        compilerOptions: { ...shared, ...node, module: 'node16', moduleResolution: 'node16' },
        files: ['consumer.mts', 'consumer.cts'],
      };
    case 'bundler':
      return {
        compilerOptions: {
          ...shared,
          lib: ['ES2022', 'DOM'],
          types: [],
          module: 'esnext',
          moduleResolution: 'bundler',
        },
        files: ['consumer.ts'],
      };
  }
};

/** Type-checks the consumer source with this repository's `tsc`; resolves with its output. */
export const typeCheck = async (consumer: string, resolution: Resolution): Promise<Result> => {
  const dir = join(consumer, `ts-${resolution}`);
  await mkdir(dir, { recursive: true });
  for (const name of ['consumer.ts', 'consumer.mts', 'consumer.cts']) await writeFile(join(dir, name), CONSUMER_SOURCE);
  await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(tsconfigFor(resolution), null, 2));
  return node([join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], dir);
};
