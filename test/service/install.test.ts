/**
 * examples/rudder-server/install.sh, which the Dockerfile runs to install our service in the image,
 * run here with `npm` and `apk` replaced by stand-ins that record what they were asked.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const INSTALL = resolve(__dirname, '../../examples/rudder-server/install.sh');

let folder = '';

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'km-install-'));
  copyFileSync(INSTALL, join(folder, 'install.sh'));
  for (const tool of ['npm', 'apk']) {
    writeFileSync(join(folder, tool), `#!/bin/sh\necho "${tool} $*" >> "$(dirname "$0")/calls"\n`);
    chmodSync(join(folder, tool), 0o755);
  }
});
afterEach(() => {
  rmSync(folder, { recursive: true, force: true });
});

/** Runs install.sh as the Dockerfile does, in a folder holding `files`: its exit status, stderr and the tools it ran. */
const install = (files: string[], args: string[]): { status: number | null; stderr: string; calls: string[] } => {
  for (const file of files) writeFileSync(join(folder, file), 'tarball');
  const run = spawnSync('sh', ['./install.sh', ...args], {
    cwd: folder,
    env: { ...process.env, PATH: `${folder}:${process.env.PATH ?? ''}` },
    encoding: 'utf8',
  });
  let calls: string[] = [];
  try {
    calls = readFileSync(join(folder, 'calls'), 'utf8').trim().split('\n');
  } catch {
    // No tool was run.
  }
  return { status: run.status, stderr: run.stderr, calls };
};

const NPM_INSTALL = 'npm install --global --omit=dev --no-audit --no-fund';

describe('examples/rudder-server/install.sh', () => {
  it('is a POSIX shell script (sh -n)', () => {
    expect(() => execFileSync('sh', ['-n', INSTALL])).not.toThrow();
  });

  it('installs the tarball next to the Dockerfile when PACKAGE is empty (the default)', () => {
    expect(install(['rudderstack-kissmetrics-0.1.0.tgz'], [''])).toEqual({
      status: 0,
      stderr: '',
      calls: [`${NPM_INSTALL} ./rudderstack-kissmetrics-0.1.0.tgz`],
    });
  });

  it('says how to get a tarball when there is none, and installs nothing', () => {
    const result = install([], ['']);
    expect([result.status, result.calls]).toEqual([1, []]);
    expect(result.stderr).toContain("run 'npm ci && npm pack' and copy the .tgz here");
  });

  it('refuses to guess between several tarballs', () => {
    const result = install(['rudderstack-kissmetrics-0.1.0.tgz', 'rudderstack-kissmetrics-0.2.0.tgz'], ['']);
    expect([result.status, result.calls]).toEqual([1, []]);
    expect(result.stderr).toContain('several tarballs next to the Dockerfile');
  });

  it('installs a tarball named in PACKAGE, and a git URL of the repository (with git)', () => {
    expect(install(['km.tgz'], ['./km.tgz']).calls).toEqual([`${NPM_INSTALL} ./km.tgz`]);
    rmSync(join(folder, 'calls'));
    const url = 'git+https://example.invalid/team/rudderstack-kissmetrics.git#v0.1.0';
    expect(install([], [url]).calls).toEqual(['apk add --no-cache git', `${NPM_INSTALL} ${url}`]);
  });

  it.each([
    'rudderstack-kissmetrics',
    'rudderstack-kissmetrics@0.1.0',
    '@someone/rudderstack-kissmetrics',
    './missing.tgz',
  ])('refuses PACKAGE=%s: never a registry name, never a missing file', (name) => {
    const result = install([], [name]);
    expect([result.status, result.calls]).toEqual([1, []]);
  });
});
