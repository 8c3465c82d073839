import 'reflect-metadata';

import { loadGatewayConfig } from './config/gateway.config';
import { gatewayLogger, startGateway } from './gateway';

async function main(): Promise<void> {
  let config;
  try {
    config = loadGatewayConfig(process.env);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
  const logger = gatewayLogger(config);
  const gateway = await startGateway(config, { logger });
  logger.log(`gateway listening on port ${config.PORT} (nginx ${gateway.nginx.configPath})`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.log(`gateway: ${signal}, stopping`);
    void gateway.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  // nginx is the gateway: if it dies, so does the process, and the orchestrator restarts both.
  const exit = await gateway.nginx.exited;
  if (exit.unexpected) {
    logger.error(`gateway: nginx exited (code ${exit.code}, signal ${exit.signal}); exiting`);
    await gateway.app.close();
    process.exit(1);
  }
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});
