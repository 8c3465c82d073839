// Runs the identity benchmark through the workspace Jest preset (SWC, tsconfig paths, the global
// setup that finds PostgreSQL and Redis and the teardown that drops the run's databases).
module.exports = {
  displayName: 'bench-identity',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/**/*.bench.ts'],
  testTimeout: 600000,
};
