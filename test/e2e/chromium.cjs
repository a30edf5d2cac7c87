// How every browser run here starts Debian's Chromium: the browser tests (test/e2e/browser.ts) and the
// browser benchmark (bench/browser.mjs). Plain JavaScript so that both can load it. Nothing is ever
// downloaded; without the background-networking flags Chromium keeps trying hosts this machine cannot reach.
'use strict';

const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** `CHROMIUM_PATH`, else Debian's Chromium. */
const chromiumPath = () => process.env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM_PATH;

module.exports = { CHROMIUM_ARGS, DEFAULT_CHROMIUM_PATH, chromiumPath };
