module.exports = {
  displayName: 'forms-service',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/apps/forms-service',
};
