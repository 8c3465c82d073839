module.exports = {
  displayName: 'db-split',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/tools/db-split',
  // Real servers: create + schema + seeding per file, and logical slots that wait for every
  // transaction running on the shared server; 60 s is too tight when the machine is busy.
  testTimeout: 180_000,
};
