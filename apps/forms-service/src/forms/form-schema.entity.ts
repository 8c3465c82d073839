import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Row of `form_schemas`, column for column as in the legacy schema. */
@Entity({ name: 'form_schemas' })
export class FormSchemaEntity {
  @PrimaryColumn({ name: 'id', type: 'uuid', default: () => 'uuid_generate_v4()' })
  id: string;

  @Column({ name: 'form_id', type: 'uuid' })
  formId: string;

  @Column({ name: 'schema_version', type: 'integer' })
  schemaVersion: number;

  @Column({ name: 'schema_json', type: 'jsonb' })
  schemaJson: unknown;

  @Column({ name: 'is_published', type: 'boolean' })
  isPublished: boolean;

  @Column({ name: 'render_token', type: 'varchar', length: 512, nullable: true })
  renderToken: string | null;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', nullable: true })
  createdAt: Date | null;

  @Column({ name: 'updated_at', type: 'timestamptz', nullable: true })
  updatedAt: Date | null;

  @Column({ name: 'theme_id', type: 'uuid', nullable: true })
  themeId: string | null;
}
