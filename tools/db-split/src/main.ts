import { runCli } from './cli';
import { processOutput } from './lib/output';

// Entry point of dist/tools/db-split/main.js. process.exit (not exitCode) so that a lingering
// socket can never keep a finished command alive; stdout and stderr are synchronous on Linux.
void runCli(process.argv.slice(2), process.env, processOutput()).then((code) => process.exit(code));
