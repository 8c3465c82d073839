import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';

export interface ToolFlagChange {
  toolId: string;
  key: string;
  name: string;
  active: boolean;
  deleted: boolean;
  occurredAt: Date;
}

/** `tool_flags`, forms' copy of web's tools' active flags (raw SQL: a conditional upsert). */
@Injectable()
export class ToolFlagsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Applies a change unless a newer one for the key is already here (out-of-order safe). */
  async apply(manager: EntityManager, change: ToolFlagChange): Promise<void> {
    await manager.query(
      `INSERT INTO tool_flags (key, tool_id, name, active, deleted, event_occurred_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, now())
       ON CONFLICT (key) DO UPDATE SET tool_id = EXCLUDED.tool_id, name = EXCLUDED.name, active = EXCLUDED.active,
         deleted = EXCLUDED.deleted, event_occurred_at = EXCLUDED.event_occurred_at, updated_at = now()
       WHERE tool_flags.event_occurred_at <= EXCLUDED.event_occurred_at`,
      [change.key, change.toolId, change.name.slice(0, 255), change.active, change.deleted, change.occurredAt],
    );
  }

  /** The flag of `key`, and whether web has ever been heard from at all. */
  async state(key: string): Promise<{ heardFromWeb: boolean; active: boolean | null }> {
    const rows = (await this.dataSource.query(
      `SELECT (SELECT active AND NOT deleted FROM tool_flags WHERE key = $1) AS active, EXISTS (SELECT 1 FROM tool_flags) AS heard`,
      [key],
    )) as { active: boolean | null; heard: boolean }[];
    return { heardFromWeb: rows[0].heard, active: rows[0].active };
  }
}
