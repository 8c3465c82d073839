module.exports = {
  displayName: 'db-split',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/tools/db-split',
};
