import type { EntityManager, EntityMetadata, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

import { quoteIdent } from './ensure-database';

interface PrimaryKeyRead {
  sql: string;
  columns: ColumnMetadata[];
}

const reads = new WeakMap<EntityMetadata, PrimaryKeyRead>();

/** The SELECT for one entity, built once from its metadata; refused for what a plain column-to-property copy cannot map. */
function primaryKeyRead(metadata: EntityMetadata): PrimaryKeyRead {
  let read = reads.get(metadata);
  if (read) return read;
  const where = `${metadata.targetName}: findByPrimaryKey`;
  if (metadata.primaryColumns.length !== 1) throw new Error(`${where} needs exactly one primary column`);
  if (metadata.relations.length || metadata.embeddeds.length)
    throw new Error(`${where} maps plain columns only (no relations or embeddeds)`);
  // find would also filter soft-deleted rows and leave out select: false columns.
  if (metadata.deleteDateColumn) throw new Error(`${where} does not apply soft-delete filtering`);
  const odd = metadata.columns.find((c) => c.isVirtual || c.isVirtualProperty || c.relationMetadata || c.embeddedMetadata || !c.isSelect);
  if (odd) throw new Error(`${where}: column ${odd.propertyName} is not a plain column`);
  const table = metadata.schema ? `${quoteIdent(metadata.schema)}.${quoteIdent(metadata.tableName)}` : quoteIdent(metadata.tableName);
  read = {
    sql: `SELECT ${metadata.columns.map((c) => quoteIdent(c.databaseName)).join(', ')} FROM ${table} WHERE ${quoteIdent(metadata.primaryColumns[0].databaseName)} = $1`,
    columns: metadata.columns,
  };
  reads.set(metadata, read);
  return read;
}

/**
 * `manager.findOneBy(Entity, { id })` for the reads on every request (the caller's own user on
 * GET /auth/profile): the same entity, read with one statement built once per entity. TypeORM's
 * find builds and regex-rewrites its SQL on every call, ~150 µs of CPU each, 15% of that route
 * (bench/gateway). Values go through the driver's hydration, as in find. For entities of plain
 * columns and one primary key; anything else is refused at the first call.
 */
export async function findByPrimaryKey<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  key: unknown,
): Promise<T | null> {
  const metadata = manager.connection.getMetadata(entity);
  const { sql, columns } = primaryKeyRead(metadata);
  const rows: Record<string, unknown>[] = await manager.query(sql, [key]);
  if (!rows.length) return null;
  // The driver's own conversion (dates, booleans, transformers), as TypeORM's find applies it.
  const { driver } = manager.connection;
  const found = metadata.create() as T;
  for (const column of columns) column.setEntityValue(found, driver.prepareHydratedValue(rows[0][column.databaseName], column));
  return found;
}
