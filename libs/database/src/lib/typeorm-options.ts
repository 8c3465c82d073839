import type { DataSourceOptions, EntitySchema, MixedList } from 'typeorm';

import type { DatabaseSettings } from './database-settings';

export interface SchemaDefinition {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: Function[];
}

/**
 * TypeORM options for one service. Schema changes only ever come from migrations (never
 * `synchronize`), so the tables stay byte-compatible with the legacy schema.
 */
export function typeOrmOptions(settings: DatabaseSettings, schema: SchemaDefinition): DataSourceOptions {
  return {
    type: 'postgres',
    host: settings.host,
    port: settings.port,
    username: settings.user,
    password: settings.password,
    database: settings.database,
    ssl: settings.ssl ? { rejectUnauthorized: false } : undefined,
    entities: schema.entities,
    migrations: schema.migrations,
    migrationsTableName: 'typeorm_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    // Bounded wait for a connection: while the database is unreachable, requests fail fast (503) instead of queueing.
    extra: { max: settings.poolSize, connectionTimeoutMillis: settings.connectTimeoutMs ?? 3000 },
  };
}
