import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Row of `tool_registry`, column for column as in the legacy schema. */
@Entity({ name: 'tool_registry' })
export class ToolRegistryEntryEntity {
  @PrimaryColumn({ name: 'id', type: 'uuid', default: () => 'uuid_generate_v4()' })
  id: string;

  @Column({ name: 'tool_id', type: 'varchar', length: 100 })
  toolId: string;

  @Column({ name: 'name', type: 'varchar', length: 255 })
  name: string;

  @Column({ name: 'description', type: 'text', nullable: true })
  description: string | null;

  @Column({ name: 'version', type: 'varchar', length: 20 })
  version: string;

  @Column({ name: 'icon', type: 'varchar', length: 50, nullable: true })
  icon: string | null;

  @Column({ name: 'route', type: 'varchar', length: 255 })
  route: string;

  @Column({ name: 'api_base', type: 'varchar', length: 255 })
  apiBase: string;

  @Column({ name: 'permissions', type: 'text', array: true, nullable: true })
  permissions: string[] | null;

  @Column({ name: 'status', type: 'varchar', length: 20, nullable: true })
  status: string | null;

  @Column({ name: 'is_exported', type: 'boolean', nullable: true })
  isExported: boolean | null;

  @Column({ name: 'exported_at', type: 'timestamptz', nullable: true })
  exportedAt: Date | null;

  @Column({ name: 'service_url', type: 'varchar', length: 255, nullable: true })
  serviceUrl: string | null;

  @Column({ name: 'database_name', type: 'varchar', length: 100, nullable: true })
  databaseName: string | null;

  @Column({ name: 'manifest_json', type: 'jsonb', nullable: true })
  manifestJson: unknown | null;

  @Column({ name: 'created_at', type: 'timestamptz', nullable: true })
  createdAt: Date | null;

  @Column({ name: 'updated_at', type: 'timestamptz', nullable: true })
  updatedAt: Date | null;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;
}
