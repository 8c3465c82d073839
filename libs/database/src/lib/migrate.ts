import { DataSource } from 'typeorm';

import type { DatabaseSettings } from './database-settings';
import { ensureDatabaseExists } from './ensure-database';
import { type SchemaDefinition, typeOrmOptions } from './typeorm-options';

export interface MigrationReport {
  createdDatabase: boolean;
  applied: string[];
}

/** Creates the database if needed and applies pending migrations, each in its own transaction. */
export async function migrateDatabase(settings: DatabaseSettings, schema: SchemaDefinition): Promise<MigrationReport> {
  const createdDatabase = await ensureDatabaseExists(settings);
  const dataSource = new DataSource({ ...typeOrmOptions(settings, schema), logging: ['error'] });
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return { createdDatabase, applied: applied.map((migration) => migration.name) };
  } finally {
    await dataSource.destroy();
  }
}
