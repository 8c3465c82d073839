import { Column, Entity, PrimaryColumn } from 'typeorm';

export const TEMPLATE_CATEGORIES = ['ecommerce', 'services', 'data_collection', 'events', 'quiz', 'polls'] as const;
export type TemplateCategory = (typeof TEMPLATE_CATEGORIES)[number];

/** Row of `form_templates` (forms-extras.md 1.5; `created_by` is a plain uuid: users live in auth). */
@Entity({ name: 'form_templates' })
export class FormTemplateEntity {
  @PrimaryColumn({ name: 'id', type: 'uuid', default: () => 'gen_random_uuid()' })
  id: string;

  @Column({ name: 'name', type: 'varchar', length: 255 })
  name: string;

  @Column({ name: 'description', type: 'text', nullable: true })
  description: string | null;

  @Column({ name: 'category', type: 'varchar', length: 50 })
  category: TemplateCategory;

  @Column({ name: 'preview_image_url', type: 'text', nullable: true })
  previewImageUrl: string | null;

  @Column({ name: 'template_schema', type: 'jsonb' })
  templateSchema: Record<string, unknown>;

  @Column({ name: 'business_logic_config', type: 'jsonb', nullable: true })
  businessLogicConfig: Record<string, unknown> | null;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @Column({ name: 'is_active', type: 'boolean' })
  isActive: boolean;

  @Column({ name: 'usage_count', type: 'integer' })
  usageCount: number;

  @Column({ name: 'created_at', type: 'timestamptz', nullable: true })
  createdAt: Date | null;

  @Column({ name: 'updated_at', type: 'timestamptz', nullable: true })
  updatedAt: Date | null;
}
