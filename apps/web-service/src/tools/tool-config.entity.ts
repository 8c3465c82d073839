import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Row of `tool_configs`, column for column as in the legacy schema. */
@Entity({ name: 'tool_configs' })
export class ToolConfigEntity {
  @PrimaryColumn({ name: 'id', type: 'uuid', default: () => 'uuid_generate_v4()' })
  id: string;

  @Column({ name: 'tool_id', type: 'uuid' })
  toolId: string;

  @Column({ name: 'version', type: 'varchar', length: 20 })
  version: string;

  @Column({ name: 'display_mode', type: 'varchar', length: 50 })
  displayMode: string;

  @Column({ name: 'layout_settings', type: 'jsonb', nullable: true })
  layoutSettings: unknown | null;

  @Column({ name: 'is_active', type: 'boolean' })
  isActive: boolean;

  @Column({ name: 'created_at', type: 'timestamptz', nullable: true })
  createdAt: Date | null;

  @Column({ name: 'updated_at', type: 'timestamptz', nullable: true })
  updatedAt: Date | null;
}
