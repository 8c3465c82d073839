import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Row of `form_themes`, column for column as in the legacy schema. */
@Entity({ name: 'form_themes' })
export class FormThemeEntity {
  @PrimaryColumn({ name: 'id', type: 'uuid', default: () => 'uuid_generate_v4()' })
  id: string;

  @Column({ name: 'name', type: 'varchar', length: 100 })
  name: string;

  @Column({ name: 'description', type: 'text', nullable: true })
  description: string | null;

  @Column({ name: 'thumbnail_url', type: 'varchar', length: 500, nullable: true })
  thumbnailUrl: string | null;

  @Column({ name: 'theme_config', type: 'jsonb' })
  themeConfig: unknown;

  @Column({ name: 'usage_count', type: 'integer' })
  usageCount: number;

  @Column({ name: 'is_active', type: 'boolean' })
  isActive: boolean;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', nullable: true })
  createdAt: Date | null;

  @Column({ name: 'updated_at', type: 'timestamptz', nullable: true })
  updatedAt: Date | null;

  @Column({ name: 'is_custom', type: 'boolean' })
  isCustom: boolean;

  @Column({ name: 'creator_id', type: 'uuid', nullable: true })
  creatorId: string | null;

  @Column({ name: 'theme_definition', type: 'jsonb', nullable: true })
  themeDefinition: unknown | null;
}
