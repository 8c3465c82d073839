import 'reflect-metadata';

import { loadGatewayConfig } from './config/gateway.config';
import { createGateway, gatewayLogger } from './gateway';

async function main(): Promise<void> {
  let config;
  try {
    config = loadGatewayConfig(process.env);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
  const logger = gatewayLogger(config);
  const app = await createGateway(config, logger);
  await app.listen(config.PORT);
  logger.log(`gateway listening on port ${config.PORT}`);
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});
