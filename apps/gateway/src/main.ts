import 'reflect-metadata';
import { createLogger } from '@nafs/observability';
import { loadGatewayConfig } from './config/gateway.config';
import { createGateway } from './gateway';

async function main(): Promise<void> {
  let config;
  try {
    config = loadGatewayConfig(process.env);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
  const app = await createGateway(config);
  await app.listen(config.PORT);
  createLogger('gateway', config.LOG_LEVEL).log(`gateway listening on port ${config.PORT}`);
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});
