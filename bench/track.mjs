// Benchmark (not a test): translating a typical track event, as a ratio to JSON.stringify of the
// same message, both measured in this one process, interleaved, so machine noise cancels out.
// The message is the one the RudderStack SDK handed to our integration in Chromium (full context, nested
// properties, two products), captured by `npm run bench:browser -- --write-fixture`.
import { readFileSync } from 'node:fs';
import { translate } from '../dist/index.mjs';

const message = JSON.parse(readFileSync(new URL('./fixtures/track-message.json', import.meta.url), 'utf8'));
const ITERATIONS_PER_SAMPLE = 20_000;
const SAMPLES = 15;
let sink = 0;

const timeNs = (fn) => {
  const start = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS_PER_SAMPLE; i += 1) sink += fn().length;
  return Number(process.hrtime.bigint() - start) / ITERATIONS_PER_SAMPLE;
};
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const baseline = () => JSON.stringify(message);

for (const prefixProperties of [false, true]) {
  const settings = { apiKey: 'abc', prefixProperties };
  const ours = () => translate('track', message, settings, 0);
  // Warm both paths up so the JIT has optimised them before anything is measured.
  for (let i = 0; i < 5; i += 1) {
    timeNs(ours);
    timeNs(baseline);
  }
  const ratios = [];
  const oursNs = [];
  const baselineNs = [];
  for (let i = 0; i < SAMPLES; i += 1) {
    const a = timeNs(ours);
    const b = timeNs(baseline);
    oursNs.push(a);
    baselineNs.push(b);
    ratios.push(a / b);
  }
  console.log(`prefixProperties ${prefixProperties}`);
  console.log(`  translate(track, 2 products):  ${median(oursNs).toFixed(0)} ns/event (median of ${SAMPLES})`);
  console.log(`  JSON.stringify(same message):  ${median(baselineNs).toFixed(0)} ns/event`);
  console.log(`  ratio translate / JSON.stringify: ${median(ratios).toFixed(2)}x (target <= 1.00x)`);
}
if (sink === 0) console.log('unreachable');
