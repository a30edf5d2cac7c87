/** An example folder as a user gets it: copied alone, with only the placeholders filled in. */
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './browser';
import { WRITE_KEY } from './scenario';
import { DATA_PLANE_URL, openSite } from './world';
import type { ExamplePage, WorldOptions } from './world';

export const EXAMPLES_DIR = join(__dirname, '..', '..', 'examples');

/**
 * What a user of an example must fill in, exactly as the examples write it, and what the tests write
 * there. Anything else the examples need (the SDK, this package's script) they must get as shipped.
 */
export const PLACEHOLDERS: readonly (readonly [placeholder: string, filled: string])[] = [
  ["'YOUR_WRITE_KEY'", `'${WRITE_KEY}'`],
  ["'https://your-data-plane.example.com'", `'${DATA_PLANE_URL}'`],
];

/** What a build or an install makes: never part of an example as shipped. */
const NOT_SHIPPED = new Set(['node_modules', 'dist']);
/** The files a page runs, where placeholders are filled in (READMEs only talk about them). */
const PAGE_FILES = new Set(['.html', '.js', '.mjs']);

const filesUnder = async (folder: string): Promise<string[]> => {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
};

const count = (text: string, part: string): number => text.split(part).length - 1;

/**
 * Copies `examples/<name>` into a new temporary folder (`<tmp>/<name>`) and fills in PLACEHOLDERS.
 * Throws unless each placeholder occurs exactly once in the page files, so that the tests notice
 * when an example asks its users to change something else.
 */
export const copyExample = async (name: string): Promise<string> => {
  const source = join(EXAMPLES_DIR, name);
  const target = join(await mkdtemp(join(tmpdir(), 'km-example-')), name);
  await cp(source, target, { recursive: true, filter: (path) => !NOT_SHIPPED.has(basename(path)) });
  const files = (await filesUnder(target)).filter((file) => PAGE_FILES.has(extname(file)));
  const texts = await Promise.all(files.map((file) => readFile(file, 'utf8')));
  for (const [placeholder] of PLACEHOLDERS) {
    const found = texts.reduce((sum, text) => sum + count(text, placeholder), 0);
    if (found !== 1)
      throw new Error(
        `examples/${name}: expected the placeholder ${placeholder} exactly once in its pages, found ${found}`,
      );
  }
  await Promise.all(
    files.map(async (file, i) => {
      const text = texts[i] ?? '';
      const filled = PLACEHOLDERS.reduce((result, [placeholder, value]) => result.split(placeholder).join(value), text);
      if (filled !== text) await writeFile(file, filled);
    }),
  );
  return target;
};

/** Serves a copied site by name in a fresh context; `sites` holds the copies (a test may add one). */
export interface SiteOpener {
  (name: string, options?: Omit<WorldOptions, 'site'>, prepare?: (page: Page) => Promise<void>): Promise<ExamplePage>;
  sites: Record<string, string>;
}

/**
 * For one browser suite: Chromium and a copy of each example of `names`, made once. The function it
 * returns serves a copy in a fresh context (`prepare` runs before the page opens), closed after the
 * test; every copy is removed after the suite.
 */
export const useExampleSites = (chromiumPath: string, names: string[]): SiteOpener => {
  let browser: Browser | undefined;
  const sites: Record<string, string> = {};
  let opened: ExamplePage | undefined;

  beforeAll(async () => {
    browser = await launchChromium(chromiumPath);
    for (const name of names) sites[name] = await copyExample(name);
  });

  afterEach(async () => {
    await opened?.context.close();
    opened = undefined;
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all(Object.values(sites).map((site) => rm(dirname(site), { recursive: true, force: true })));
  });

  const open = async (
    name: string,
    options: Omit<WorldOptions, 'site'> = {},
    prepare?: (page: Page) => Promise<void>,
  ): Promise<ExamplePage> => {
    const site = sites[name];
    if (site === undefined || !browser) throw new Error(`no copy of examples/${name}`);
    opened = await openSite(browser, { site, ...options }, prepare);
    return opened;
  };
  return Object.assign(open, { sites });
};
