module.exports = {
  displayName: 'platform-e2e',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/apps/platform-e2e',
};
