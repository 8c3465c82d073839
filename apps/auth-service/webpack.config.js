const { nodeAppWebpackConfig } = require('../../tools/build/node-app.webpack');

module.exports = nodeAppWebpackConfig('dist/apps/auth-service');
