const { NxAppWebpackPlugin } = require('@nx/webpack/app-plugin');
const { join } = require('path');

/**
 * The webpack config every Node entry point of the workspace shares: the app bundled with the
 * workspace libraries, node_modules left external and listed in a generated package.json (which
 * the Docker image installs). `outputPath` is relative to the workspace root.
 */
function nodeAppWebpackConfig(outputPath, extra = {}) {
  return {
    output: { path: join(__dirname, '..', '..', outputPath), clean: true },
    ...extra,
    plugins: [
      new NxAppWebpackPlugin({
        target: 'node',
        compiler: 'tsc',
        main: './src/main.ts',
        tsConfig: './tsconfig.app.json',
        optimization: false,
        outputHashing: 'none',
        generatePackageJson: true,
        sourceMap: true,
      }),
    ],
  };
}

module.exports = { nodeAppWebpackConfig };
