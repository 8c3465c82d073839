import { Client } from 'pg';

import { type DatabaseSettings, pgClientConfig } from './database-settings';

const DUPLICATE_DATABASE = '42P04';

/**
 * Creates the service's database when it is missing, connecting to the server's `postgres`
 * database with the same credentials. Returns true when it created it. Safe against a concurrent
 * replica doing the same (the loser sees duplicate_database and carries on).
 */
export async function ensureDatabaseExists(settings: DatabaseSettings): Promise<boolean> {
  const client = new Client(pgClientConfig(settings, 'postgres'));
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [settings.database]);
    if (rowCount) return false;
    await client.query(`CREATE DATABASE ${quoteIdent(settings.database)}`);
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === DUPLICATE_DATABASE) return false;
    throw error;
  } finally {
    await client.end();
  }
}

export function quoteIdent(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}
