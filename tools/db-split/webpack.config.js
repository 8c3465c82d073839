const { nodeAppWebpackConfig } = require('../build/node-app.webpack');

// Bundled like the services: workspace libraries inlined, node_modules (pg, pg-copy-streams,
// commander, cli-progress) left external and resolved from the workspace.
module.exports = nodeAppWebpackConfig('dist/tools/db-split', {
  // @nafs/database re-exports its TypeORM migration runner, which the tool never uses (`schema`
  // runs the services themselves). Marking the workspace libraries side-effect free lets webpack
  // drop unused re-exports, so the CLI does not load typeorm at start-up (~120 ms a command).
  module: { rules: [{ test: /[\\/]libs[\\/][^\\/]+[\\/]src[\\/]/, sideEffects: false }] },
  optimization: { sideEffects: true, usedExports: true },
});
