module.exports = {
  displayName: 'events',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/libs/events',
};
