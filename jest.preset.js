const nxPreset = require('@nx/jest/preset').default;

// Every project tests TypeScript through SWC: it is fast and, unlike esbuild, emits the decorator
// metadata that NestJS dependency injection and TypeORM entities rely on.
module.exports = {
  ...nxPreset,
  testEnvironment: 'node',
  transform: {
    '^.+\\.[tj]s$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  globalSetup: `${__dirname}/libs/database/src/testing/jest-global-setup.js`,
  globalTeardown: `${__dirname}/libs/database/src/testing/jest-global-teardown.js`,
  testTimeout: 60000,
};
