// How long one call takes on each hostile input of test/hostileCases.cjs (a benchmark, not a test):
// the device-mode rules (what the browser script runs for a track, prefixing off and on) and the cloud
// translator, from the built files. Prints the slowest of a few calls per case, next to the time the
// input took to build: what a page or an export spent making it.
//   npm run build && node bench/hostile.mjs
import { createRequire } from 'node:module';
import { toKmqCommands } from '../dist/index.mjs';
import { toKissmetricsRequests } from '../dist/cloud.mjs';

const { CASES } = createRequire(import.meta.url)('../test/hostileCases.cjs');
const KEY = 'a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2';
const CALLS = 5;

/** The slowest of `CALLS` runs, in ms. */
const slowest = (run) => {
  let worst = 0;
  for (let i = 0; i < CALLS; i++) {
    const started = performance.now();
    run();
    worst = Math.max(worst, performance.now() - started);
  }
  return worst;
};

const ms = (value) => `${value.toFixed(2)} ms`.padStart(10);

const columns = ['built in', 'track', 'prefixed', 'cloud'];
console.log(`${'case'.padEnd(48)}${columns.map((c) => c.padStart(10)).join('')}`);
let worst = 0;
for (const [name, props] of CASES) {
  const building = performance.now();
  const properties = props();
  const built = performance.now() - building;
  const message = { type: 'track', userId: 'u1', event: 'Order Completed', properties };
  const device = slowest(() => toKmqCommands(message, {}));
  const prefixed = slowest(() => toKmqCommands(message, { prefixProperties: true }));
  const cloud = slowest(() => toKissmetricsRequests(message, { apiKey: KEY, prefixProperties: true }));
  worst = Math.max(worst, device, prefixed, cloud);
  console.log(`${name.padEnd(48)}${ms(built)}${ms(device)}${ms(prefixed)}${ms(cloud)}`);
}
console.log(`slowest call: ${worst.toFixed(1)} ms`);
