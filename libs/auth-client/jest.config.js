module.exports = {
  displayName: 'auth-client',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/libs/auth-client',
};
