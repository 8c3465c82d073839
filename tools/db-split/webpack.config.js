const { NxAppWebpackPlugin } = require('@nx/webpack/app-plugin');
const { join } = require('path');

// Bundled like the services: workspace libraries inlined, node_modules (pg, pg-copy-streams,
// commander, cli-progress) left external and resolved from the workspace.
module.exports = {
  output: { path: join(__dirname, '../../dist/tools/db-split'), clean: true },
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
