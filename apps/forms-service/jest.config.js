module.exports = {
  displayName: 'forms-service',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/apps/forms-service',
  // sanitize-html's parser (htmlparser2 12) ships ES modules only; SWC turns them into CommonJS for Jest.
  transformIgnorePatterns: ['/node_modules/(?!(htmlparser2|domhandler|domutils|entities|dom-serializer|domelementtype)/)'],
};
