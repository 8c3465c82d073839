// Loaded with `node -r` to run a service straight from its TypeScript sources (ServiceProcess with
// `fromSources`: web's export-jobs test runs forms-service, and a web replica it can SIGKILL,
// without a fresh webpack build):
// SWC transpiles .ts files as Jest does, and the tsconfig.base.json paths resolve @nafs/* libraries.
const Module = require('node:module');
const fs = require('node:fs');
const path = require('node:path');
const swc = require('@swc/core');

const root = path.resolve(__dirname, '../../../..');
const { paths } = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.base.json'), 'utf8')).compilerOptions;

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const mapped = paths[request];
  return resolve.call(this, mapped ? path.join(root, mapped[0]) : request, ...rest);
};

require.extensions['.ts'] = function (module, filename) {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  });
  module._compile(code, filename);
};
