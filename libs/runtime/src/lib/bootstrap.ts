import type { ServiceName } from '@nafs/contracts';
import { databaseSettingsFromEnv, migrateDatabase, type SchemaDefinition } from '@nafs/database';
import {
  createLogger,
  requestLogging,
  RpcRequestContextInterceptor,
  serveOpenApiDocument,
  type ServiceLogger,
  wantsPrettyLogs,
} from '@nafs/observability';
import { createRpcServer } from '@nafs/rpc';
import type { DynamicModule, INestApplication, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { DestinationStream } from 'pino';

/** What every service's validated config carries (see @nafs/config commonEnvShape). */
export interface BaseServiceConfig {
  PORT: number;
  NODE_ENV: string;
  LOG_LEVEL: LogLevel;
  LOG_PRETTY?: boolean;
  DB_MIGRATE_ON_START: boolean;
  [variable: string]: unknown;
}

export interface ServiceDefinition<C extends BaseServiceConfig> {
  service: ServiceName;
  app: string;
  schema: SchemaDefinition;
  loadConfig: (env: NodeJS.ProcessEnv) => C;
  rootModule: (config: C) => DynamicModule;
  /** auth-service also answers RPC requests over the Redis transport (a hybrid app). */
  rpcServer?: boolean;
  /**
   * Service-wide HTTP setup (trust proxy, body limits, filters). Validation is not global: each
   * legacy route family answers bad input in its own shape (V1, V2, ...), so pipes are per route.
   */
  configureApp?: (app: INestApplication, config: C) => void;
}

export async function migrate<C extends BaseServiceConfig>(definition: ServiceDefinition<C>, config: C) {
  const settings = databaseSettingsFromEnv(definition.service, config);
  const report = await migrateDatabase(settings, definition.schema);
  return { database: settings.database, host: settings.host, ...report };
}

export interface CreateServiceAppOptions {
  /** The service's logger; default one from LOG_LEVEL / LOG_PRETTY / NODE_ENV on stdout. */
  logger?: ServiceLogger;
}

/** The service's logger as its config asks: LOG_LEVEL, pretty single lines in development. */
export function serviceLogger(
  definition: Pick<ServiceDefinition<BaseServiceConfig>, 'app'>,
  config: BaseServiceConfig,
  destination?: DestinationStream,
): ServiceLogger {
  return createLogger(definition.app, config.LOG_LEVEL, { pretty: wantsPrettyLogs(config), destination });
}

/** Builds the Nest application the same way for `main.ts` and for tests. */
export async function createServiceApp<C extends BaseServiceConfig>(
  definition: ServiceDefinition<C>,
  config: C,
  options: CreateServiceAppOptions = {},
): Promise<INestApplication> {
  const logger = options.logger ?? serviceLogger(definition, config);
  const app = await NestFactory.create(definition.rootModule(config), { logger, abortOnError: false });
  // First, so every request (a body the parser refuses included) gets its id and access line.
  app.use(requestLogging(logger.pinoLogger));
  serveOpenApiDocument(app, definition.app);
  definition.configureApp?.(app, config);
  app.enableShutdownHooks();
  if (definition.rpcServer) {
    app.useGlobalInterceptors(new RpcRequestContextInterceptor());
    app.connectMicroservice({ strategy: createRpcServer(config) }, { inheritAppConfig: true });
    await app.startAllMicroservices();
  }
  return app;
}

/**
 * The process entry point: `node main.js` serves; `node main.js migrate` creates the database if
 * missing, applies the migrations and exits. Config errors end the process with exit code 2 and
 * a message naming each bad variable.
 */
export async function runService<C extends BaseServiceConfig>(
  definition: ServiceDefinition<C>,
  argv = process.argv.slice(2),
): Promise<void> {
  let config: C;
  try {
    config = definition.loadConfig(process.env);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
  const logger = serviceLogger(definition, config);
  if (argv[0] === 'migrate' || config.DB_MIGRATE_ON_START) {
    const report = await migrate(definition, config);
    logger.log(
      `migrations on ${report.host}/${report.database}: ${report.applied.length ? report.applied.join(', ') : 'none pending'}${report.createdDatabase ? ' (database created)' : ''}`,
    );
    if (argv[0] === 'migrate') return;
  }
  const app = await createServiceApp(definition, config, { logger });
  await app.listen(config.PORT);
  logger.log(`${definition.app} listening on port ${config.PORT}`);
}
