module.exports = {
  displayName: 'auth-service',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/apps/auth-service',
  // Safety net: a test that leaves a reconnecting client behind must not hold CI open (the suites
  // close what they open; this only bounds the damage of a leak).
  forceExit: true,
};
