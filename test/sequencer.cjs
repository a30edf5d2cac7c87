// Starts the slowest test files first, so that with several workers the run is not left waiting for one
// long file started last. The list is the slow end of a measured run with four workers (`npx jest --json`),
// slowest first; every other file follows in Jest's own order (slow and failed first when Jest has timings
// cached).
// A file missing from the list only starts later: nothing here decides whether a test runs.
'use strict';

const { relative } = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;

const SLOWEST_FIRST = [
  'test/package/tarball.test.ts',
  'test/package/gitInstall.test.ts',
  'test/hostile.test.ts',
  'test/cli/edges.test.ts',
  'test/cli/resume.test.ts',
  'test/rules/properties.property.test.ts',
  'test/e2e/examples.test.ts',
  'test/e2e/csp.test.ts',
  'test/e2e/legacySdk.test.ts',
  'test/cli/stop.test.ts',
  'test/cli/exactlyOnce.test.ts',
  'test/cli/cli.test.ts',
  'test/e2e/deviceMode.test.ts',
  'test/e2e/bundlerExample.test.ts',
  'test/cli/order.test.ts',
  'test/e2e/demo.test.ts',
];

class SlowestFirst extends Sequencer {
  async sort(tests) {
    const rank = (test) => {
      const index = SLOWEST_FIRST.indexOf(relative(test.context.config.rootDir, test.path).split('\\').join('/'));
      return index === -1 ? SLOWEST_FIRST.length : index;
    };
    const rest = await super.sort(tests.filter((test) => rank(test) === SLOWEST_FIRST.length));
    return [...tests.filter((test) => rank(test) < SLOWEST_FIRST.length).sort((a, b) => rank(a) - rank(b)), ...rest];
  }
}

module.exports = SlowestFirst;
