module.exports = {
  displayName: 'web-service',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/apps/web-service',
};
