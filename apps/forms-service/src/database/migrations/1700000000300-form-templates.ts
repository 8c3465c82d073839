import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * forms-api's `form_templates` (its migration 034, forms-extras.md 1.5), without the foreign key
 * to `users` (auth's table): `created_by` is a plain uuid like the other cross-service references.
 */
export class FormTemplates1700000000300 implements MigrationInterface {
  name = 'FormTemplates1700000000300';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE form_templates (
        id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name                   varchar(255) NOT NULL UNIQUE,
        description            text,
        category               varchar(50) NOT NULL,
        preview_image_url      text,
        template_schema        jsonb NOT NULL,
        business_logic_config  jsonb,
        created_by             uuid,
        is_active              boolean NOT NULL DEFAULT true,
        usage_count            integer NOT NULL DEFAULT 0,
        created_at             timestamptz DEFAULT CURRENT_TIMESTAMP,
        updated_at             timestamptz DEFAULT CURRENT_TIMESTAMP,
        CONSTRAINT check_form_templates_category CHECK (category IN ('ecommerce', 'services', 'data_collection', 'events', 'quiz', 'polls')),
        CONSTRAINT check_form_templates_schema_size CHECK (pg_column_size(template_schema) <= 102400),
        CONSTRAINT check_form_templates_usage_count CHECK (usage_count >= 0),
        CONSTRAINT check_form_templates_name_length CHECK (length(name) >= 1 AND length(name) <= 255)
      )`);
    await queryRunner.query(`CREATE INDEX idx_templates_is_active ON form_templates (is_active) WHERE is_active = true`);
    await queryRunner.query(`CREATE INDEX idx_templates_category ON form_templates (category)`);
    await queryRunner.query(`CREATE INDEX idx_templates_usage_count ON form_templates (usage_count DESC)`);
    await queryRunner.query(`CREATE INDEX idx_templates_created_by ON form_templates (created_by) WHERE created_by IS NOT NULL`);
    await queryRunner.query(`
      CREATE TRIGGER trigger_form_templates_updated_at
        BEFORE UPDATE ON form_templates FOR EACH ROW EXECUTE FUNCTION update_updated_at_column()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS form_templates`);
  }
}
