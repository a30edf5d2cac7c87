import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

// `npm start` runs scripts/build-if-stale.mjs: it must build a missing or stale dist/ and leave a fresh one alone.
// The script runs on a copy of itself in a scratch project whose `build` only counts its runs.

const SCRIPT = join(__dirname, '..', '..', 'scripts', 'build-if-stale.mjs');
const OUTPUTS = [
  'dist/Kissmetrics.min.js',
  'dist/Kissmetrics.js',
  'dist/index.mjs',
  'dist/cloud.mjs',
  'dist/cli.mjs',
  'dist/index.d.cts',
];
const BUILD = `node -e "const fs=require('fs');fs.appendFileSync('builds.txt','x');${OUTPUTS.map(
  (file) => `fs.mkdirSync('dist',{recursive:true});fs.writeFileSync('${file}','')`,
).join(';')}"`;

let project = '';

const write = (file: string, text = ''): void => {
  mkdirSync(dirname(join(project, file)), { recursive: true });
  writeFileSync(join(project, file), text);
};

/** Sets a file's modification time to `secondsAgo` before now. */
const age = (file: string, secondsAgo: number): void => {
  const time = Date.now() / 1000 - secondsAgo;
  utimesSync(join(project, file), time, time);
};

const start = (): { output: string; builds: number } => {
  const output = execFileSync(process.execPath, [join(project, 'scripts', 'build-if-stale.mjs')], {
    cwd: project,
    encoding: 'utf8',
  });
  let builds = 0;
  try {
    builds = readFileSync(join(project, 'builds.txt'), 'utf8').length;
  } catch {
    // Never built.
  }
  return { output, builds };
};

beforeEach(() => {
  project = mkdtempSync(join(tmpdir(), 'build-if-stale-'));
  write('package.json', JSON.stringify({ name: 'scratch', private: true, scripts: { build: BUILD } }));
  write('src/index.ts', 'export {};\n');
  mkdirSync(join(project, 'scripts'));
  copyFileSync(SCRIPT, join(project, 'scripts', 'build-if-stale.mjs'));
  for (const file of ['package.json', 'src/index.ts']) age(file, 3600);
});

afterEach(() => {
  rmSync(project, { recursive: true, force: true });
});

it('builds when dist/ is missing', () => {
  const { output, builds } = start();
  expect(output).toContain('building: dist/Kissmetrics.min.js is missing');
  expect(builds).toBe(1);
});

it('does not build when every output is newer than every input', () => {
  for (const file of OUTPUTS) write(file);
  const { output, builds } = start();
  expect(output).toContain('dist/ is up to date: not rebuilt');
  expect(builds).toBe(0);
});

it('builds when a source changed after the last build', () => {
  for (const file of OUTPUTS) {
    write(file);
    age(file, 60);
  }
  write('src/rules/new.ts', 'export {};\n');
  const { output, builds } = start();
  expect(output).toContain('building: src changed since the last build');
  expect(builds).toBe(1);
});

it('builds when one output is missing', () => {
  for (const file of OUTPUTS.slice(1)) write(file);
  expect(start().builds).toBe(1);
});
