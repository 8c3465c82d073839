import { createMigratedDatabase, type TestDatabase, testInfra, uniqueRedisPrefix } from '@nafs/database/testing';
import type { INestApplication } from '@nestjs/common';

import { type BaseServiceConfig, createServiceApp, type CreateServiceAppOptions, type ServiceDefinition } from '../lib/bootstrap';

export interface RunningTestService {
  app: INestApplication;
  url: string;
  database: TestDatabase;
  /** The environment the service was started with (database URL, Redis, prefixes). */
  env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * Starts a service in this process on a random port, on a database of its own (migrated from the
 * run's template) and with Redis keys and RPC channels under a prefix of its own. Pass
 * `RPC_CHANNEL_PREFIX` in `overrides` to let services of one test file talk to each other.
 */
export async function startTestService<C extends BaseServiceConfig>(
  definition: ServiceDefinition<C>,
  overrides: Record<string, string> = {},
  options: CreateServiceAppOptions = {},
): Promise<RunningTestService> {
  const database = await createMigratedDatabase(definition.service, definition.schema);
  const prefix = uniqueRedisPrefix(definition.service);
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'error',
    REDIS_URL: testInfra().redisUrl,
    REDIS_KEY_PREFIX: prefix,
    RPC_CHANNEL_PREFIX: prefix,
    ...database.env(definition.service),
    ...overrides,
  };
  const config = definition.loadConfig(env);
  const app = await createServiceApp(definition, config, options);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return {
    app,
    url: `http://127.0.0.1:${address.port}`,
    database,
    env,
    close: async () => {
      await app.close();
      await database.drop();
    },
  };
}
