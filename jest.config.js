/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // The project sets isolatedModules, so ts-jest only transpiles: types are checked by `npm run
    // typecheck` and, for the type tests, by test/types/compile.test.ts.
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json', diagnostics: true }],
  },
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  // Only stops a hung test; nothing is timed. With four files at once on a machine whose every core is
  // kept busy (CI), a test of the CLI as a process takes several times its quiet time: up to 34 s measured
  // with six busy loops on two cores, where the quiet figure is a few seconds.
  testTimeout: 120000,
  // Most files wait on browsers, child processes and npm rather than on the CPU, so more workers than
  // cores overlap well; test/sequencer.cjs starts the slowest files first. Every server listens on port
  // 0 and every file works in its own mkdtemp folder, so files running side by side never collide.
  maxWorkers: 4,
  testSequencer: '<rootDir>/test/sequencer.cjs',
};
