import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The forms tables (forms, form_themes, form_schemas, form_submissions and short_links) exactly as the legacy monolith's final schema (its migrations 001-029)
 * had them: same columns in the same order, types, defaults, CHECK and UNIQUE constraints, indexes
 * and the triggers whose behaviour the data depends on. The schema-equality test compares the
 * result with fixtures/legacy/monolith-schema.sql, so that rows copy across 1:1.
 * The foreign keys to users.id that legacy had on these tables are not here: users live in
 * auth-service's database. The columns stay (plain uuid); the references are checked in the
 * application on write and the legacy ON DELETE rules are replayed from auth's events.
 * Row-level-security policies, tenant-context helpers and cleanup functions are not recreated:
 * tenant isolation is enforced in the service.
 *
 * Never edit this migration; add a new one.
 */
export class LegacyBaseline1700000000000 implements MigrationInterface {
  name = 'LegacyBaseline1700000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(UP);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(DOWN);
  }
}

const UP = String.raw`
CREATE EXTENSION IF NOT EXISTS "uuid-ossp";

CREATE OR REPLACE FUNCTION update_updated_at_column()
RETURNS trigger
LANGUAGE plpgsql
AS $fn$
BEGIN
  NEW.updated_at := CURRENT_TIMESTAMP;
  RETURN NEW;
END;
$fn$;

CREATE OR REPLACE FUNCTION update_short_links_updated_at()
RETURNS trigger
LANGUAGE plpgsql
AS $fn$
BEGIN
  NEW.updated_at := CURRENT_TIMESTAMP;
  RETURN NEW;
END;
$fn$;

CREATE TABLE forms (
  id           uuid PRIMARY KEY DEFAULT uuid_generate_v4(),
  user_id      uuid NOT NULL,
  tenant_id    uuid,            -- deliberately no FK in the legacy schema
  title        varchar(255) NOT NULL,
  description  text,
  status       varchar(20) NOT NULL DEFAULT 'draft',
  created_at   timestamptz DEFAULT CURRENT_TIMESTAMP,
  updated_at   timestamptz DEFAULT CURRENT_TIMESTAMP,
  -- added later (025)
  qr_code_url  varchar(500),
  CONSTRAINT check_forms_status CHECK (status IN ('draft', 'published'))
);
CREATE INDEX idx_forms_user_id ON forms (user_id);
CREATE INDEX idx_forms_tenant_id ON forms (tenant_id) WHERE tenant_id IS NOT NULL;
CREATE INDEX idx_forms_status ON forms (status);
CREATE INDEX idx_forms_qr_code_url ON forms (qr_code_url) WHERE qr_code_url IS NOT NULL;

CREATE TABLE form_themes (
  id                uuid PRIMARY KEY DEFAULT uuid_generate_v4(),
  name              varchar(100) NOT NULL,
  description       text,
  thumbnail_url     varchar(500),
  theme_config      jsonb NOT NULL,
  usage_count       integer NOT NULL DEFAULT 0,
  is_active         boolean NOT NULL DEFAULT true,
  created_by        uuid,
  created_at        timestamptz DEFAULT CURRENT_TIMESTAMP,
  updated_at        timestamptz DEFAULT CURRENT_TIMESTAMP,
  -- added later (023)
  is_custom         boolean NOT NULL DEFAULT false,
  creator_id        uuid,
  theme_definition  jsonb,
  CONSTRAINT unique_form_themes_name UNIQUE (name),
  CONSTRAINT check_form_themes_name_length CHECK (length(name) >= 1 AND length(name) <= 100),
  CONSTRAINT check_form_themes_usage_count CHECK (usage_count >= 0),
  CONSTRAINT check_form_themes_thumbnail_url_length CHECK (thumbnail_url IS NULL OR length(thumbnail_url) <= 500),
  CONSTRAINT check_custom_theme_requirements CHECK (
    is_custom = false OR (is_custom = true AND creator_id IS NOT NULL AND theme_definition IS NOT NULL)
  ),
  CONSTRAINT check_theme_definition_size CHECK (
    theme_definition IS NULL OR pg_column_size(theme_definition) <= 51200
  )
);
CREATE INDEX idx_form_themes_usage ON form_themes (usage_count DESC);
CREATE INDEX idx_form_themes_active ON form_themes (is_active) WHERE is_active = true;
CREATE INDEX idx_form_themes_created_by ON form_themes (created_by) WHERE created_by IS NOT NULL;
CREATE INDEX idx_form_themes_is_custom ON form_themes (is_custom) WHERE is_custom = true;
CREATE INDEX idx_form_themes_creator_id ON form_themes (creator_id) WHERE creator_id IS NOT NULL;

CREATE TABLE form_schemas (
  id              uuid PRIMARY KEY DEFAULT uuid_generate_v4(),
  form_id         uuid NOT NULL,
  schema_version  integer NOT NULL DEFAULT 1,
  schema_json     jsonb NOT NULL,
  is_published    boolean NOT NULL DEFAULT false,
  render_token    varchar(512),
  expires_at      timestamptz,
  created_at      timestamptz DEFAULT CURRENT_TIMESTAMP,
  updated_at      timestamptz DEFAULT CURRENT_TIMESTAMP,
  -- added later (018)
  theme_id        uuid,
  CONSTRAINT fk_form_schemas_form_id FOREIGN KEY (form_id) REFERENCES forms (id) ON DELETE CASCADE,
  CONSTRAINT uq_form_schemas_render_token UNIQUE (render_token),
  CONSTRAINT fk_form_schemas_theme_id FOREIGN KEY (theme_id) REFERENCES form_themes (id) ON DELETE SET NULL
);
CREATE INDEX idx_form_schemas_form_id ON form_schemas (form_id);
CREATE INDEX idx_form_schemas_render_token ON form_schemas (render_token) WHERE render_token IS NOT NULL;
CREATE INDEX idx_form_schemas_expires_at ON form_schemas (expires_at) WHERE expires_at IS NOT NULL;
CREATE INDEX idx_form_schemas_is_published ON form_schemas (is_published);
CREATE INDEX idx_form_schemas_theme ON form_schemas (theme_id) WHERE theme_id IS NOT NULL;

CREATE TABLE form_submissions (
  id              uuid PRIMARY KEY DEFAULT uuid_generate_v4(),
  form_schema_id  uuid NOT NULL,
  values_json     jsonb NOT NULL,
  submitted_at    timestamptz DEFAULT CURRENT_TIMESTAMP,
  submitter_ip    inet NOT NULL,
  user_id         uuid,
  metadata        jsonb,
  CONSTRAINT fk_form_submissions_form_schema_id FOREIGN KEY (form_schema_id) REFERENCES form_schemas (id) ON DELETE CASCADE
);
CREATE INDEX idx_form_submissions_form_schema_id ON form_submissions (form_schema_id);
CREATE INDEX idx_form_submissions_user_id ON form_submissions (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX idx_form_submissions_submitted_at ON form_submissions (submitted_at);

CREATE TABLE short_links (
  id              uuid PRIMARY KEY DEFAULT uuid_generate_v4(),
  code            varchar(30) NOT NULL UNIQUE,
  original_url    text NOT NULL,
  expires_at      timestamptz,
  created_by      uuid,
  click_count     integer NOT NULL DEFAULT 0,
  last_accessed   timestamptz,
  created_at      timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at      timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
  -- added later (016, 019)
  qr_code_url     varchar(512),
  form_schema_id  uuid REFERENCES form_schemas (id) ON DELETE CASCADE,
  CONSTRAINT chk_short_links_code_length CHECK (length(code) >= 3 AND length(code) <= 30),
  CONSTRAINT chk_short_links_code_format CHECK (code ~ '^[a-zA-Z0-9-]+$'),
  CONSTRAINT chk_short_links_no_consecutive_hyphens CHECK (code !~ '--'),
  CONSTRAINT chk_short_links_no_edge_hyphens CHECK (code !~ '^-' AND code !~ '-$'),
  CONSTRAINT chk_short_links_url_length CHECK (length(original_url) <= 2048),
  CONSTRAINT chk_short_links_click_count CHECK (click_count >= 0)
);
CREATE UNIQUE INDEX idx_short_links_code ON short_links (code);
CREATE INDEX idx_short_links_expires_at ON short_links (expires_at) WHERE expires_at IS NOT NULL;
CREATE INDEX idx_short_links_created_by ON short_links (created_by) WHERE created_by IS NOT NULL;
CREATE INDEX idx_short_links_created_at ON short_links (created_at);
CREATE INDEX idx_short_links_qr_code_url ON short_links (qr_code_url);
CREATE INDEX idx_short_links_form_schema_id ON short_links (form_schema_id) WHERE form_schema_id IS NOT NULL;

CREATE TRIGGER trigger_forms_updated_at
  BEFORE UPDATE ON forms FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();

CREATE TRIGGER trigger_form_themes_updated_at
  BEFORE UPDATE ON form_themes FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();

CREATE TRIGGER trigger_form_schemas_updated_at
  BEFORE UPDATE ON form_schemas FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();


CREATE TRIGGER trigger_short_links_updated_at
  BEFORE UPDATE ON short_links FOR EACH ROW EXECUTE FUNCTION update_short_links_updated_at();
`;

const DOWN = String.raw`
DROP TABLE IF EXISTS short_links;
DROP TABLE IF EXISTS form_submissions;
DROP TABLE IF EXISTS form_schemas;
DROP TABLE IF EXISTS form_themes;
DROP TABLE IF EXISTS forms;
DROP FUNCTION IF EXISTS update_short_links_updated_at();
DROP FUNCTION IF EXISTS update_updated_at_column();
`;
