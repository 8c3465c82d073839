module.exports = {
  displayName: 'auth-service',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/apps/auth-service',
};
