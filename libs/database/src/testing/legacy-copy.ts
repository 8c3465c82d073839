import { pipeline } from 'node:stream/promises';

import { type ServiceName, tablesOwnedBy } from '@nafs/contracts';
import { Client } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';

async function connect(url: string): Promise<Client> {
  const client = new Client({ connectionString: url });
  await client.connect();
  return client;
}

/**
 * Copies a service's legacy tables from a legacy-schema database into that service's migrated
 * database with COPY, as tools/db-split does (its legacy columns, in order; triggers and foreign
 * keys off during the load). Tests use it to put the seeded fixture behind a service; the split
 * itself is tested in tools/db-split. auth's default tenant row makes way for the legacy one.
 */
export async function copyLegacyTables(sourceUrl: string, targetUrl: string, service: ServiceName): Promise<void> {
  const source = await connect(sourceUrl);
  const target = await connect(targetUrl);
  try {
    await target.query('SET session_replication_role = replica');
    if (service === 'auth') await target.query('DELETE FROM tenants');
    for (const table of tablesOwnedBy(service)) {
      const { rows } = await source.query(
        'SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum',
        [table],
      );
      const columns = rows.map((row: { attname: string }) => `"${row.attname}"`).join(', ');
      await pipeline(
        source.query(copyTo(`COPY (SELECT ${columns} FROM ${table}) TO STDOUT`)),
        target.query(copyFrom(`COPY ${table} (${columns}) FROM STDIN`)),
      );
    }
    await target.query('SET session_replication_role = DEFAULT');
  } finally {
    await source.end();
    await target.end();
  }
}
