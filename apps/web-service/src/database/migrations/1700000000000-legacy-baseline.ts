import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The web tables (tools, tool_configs, tool_registry, export_jobs and drawing_projects) exactly as the legacy monolith's final schema (its migrations 001-029)
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

CREATE TYPE export_job_status AS ENUM (
  'pending', 'in_progress', 'completed', 'failed', 'cancelled', 'cancelling', 'rolled_back'
);

CREATE OR REPLACE FUNCTION update_updated_at_column()
RETURNS trigger
LANGUAGE plpgsql
AS $fn$
BEGIN
  NEW.updated_at := CURRENT_TIMESTAMP;
  RETURN NEW;
END;
$fn$;

CREATE OR REPLACE FUNCTION update_tools_updated_at()
RETURNS trigger
LANGUAGE plpgsql
AS $fn$
BEGIN
  NEW.updated_at := CURRENT_TIMESTAMP;
  RETURN NEW;
END;
$fn$;

CREATE OR REPLACE FUNCTION generate_slug(input_text text)
RETURNS text
LANGUAGE plpgsql
AS $fn$
DECLARE
  s text;
BEGIN
  s := lower(trim(input_text));
  s := regexp_replace(s, '[^a-z0-9\s-]', '', 'g');
  s := regexp_replace(s, '\s+', '-', 'g');
  RETURN s;
END;
$fn$;

CREATE OR REPLACE FUNCTION ensure_unique_slug(base_slug text, tool_id uuid DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql
AS $fn$
DECLARE
  candidate text := base_slug;
  n integer := 0;
BEGIN
  LOOP
    EXIT WHEN NOT EXISTS (
      SELECT 1 FROM tools t
      WHERE t.slug = candidate
        AND (ensure_unique_slug.tool_id IS NULL OR t.id <> ensure_unique_slug.tool_id)
    );
    n := n + 1;
    candidate := base_slug || '-' || n;
  END LOOP;
  RETURN candidate;
END;
$fn$;

CREATE OR REPLACE FUNCTION update_tool_slug()
RETURNS trigger
LANGUAGE plpgsql
AS $fn$
BEGIN
  IF NEW.slug IS NULL OR (TG_OP = 'UPDATE' AND OLD.name <> NEW.name) THEN
    NEW.slug := ensure_unique_slug(generate_slug(NEW.name), NEW.id);
  END IF;
  RETURN NEW;
END;
$fn$;

CREATE OR REPLACE FUNCTION auto_create_tool_config()
RETURNS trigger
LANGUAGE plpgsql
AS $fn$
BEGIN
  INSERT INTO tool_configs (tool_id, version, display_mode, layout_settings, is_active)
  VALUES (NEW.id, '1.0.0', 'standard', '{"maxWidth": "1200px", "padding": "2rem"}'::jsonb, true)
  ON CONFLICT DO NOTHING;
  RETURN NEW;
END;
$fn$;

CREATE OR REPLACE FUNCTION ensure_single_active_config()
RETURNS trigger
LANGUAGE plpgsql
AS $fn$
BEGIN
  IF NEW.is_active = true THEN
    UPDATE tool_configs
       SET is_active = false
     WHERE tool_id = NEW.tool_id
       AND id <> NEW.id
       AND is_active = true;
  END IF;
  RETURN NEW;
END;
$fn$;

CREATE OR REPLACE FUNCTION update_tool_configs_updated_at()
RETURNS trigger
LANGUAGE plpgsql
AS $fn$
BEGIN
  NEW.updated_at := CURRENT_TIMESTAMP;
  RETURN NEW;
END;
$fn$;

CREATE OR REPLACE FUNCTION update_drawing_projects_updated_at()
RETURNS trigger
LANGUAGE plpgsql
AS $fn$
BEGIN
  NEW.updated_at := CURRENT_TIMESTAMP;
  RETURN NEW;
END;
$fn$;

CREATE TABLE tools (
  id           uuid PRIMARY KEY DEFAULT uuid_generate_v4(),
  key          varchar(255) NOT NULL UNIQUE,
  name         varchar(255) NOT NULL,
  description  text,
  active       boolean NOT NULL DEFAULT true,
  created_at   timestamptz DEFAULT CURRENT_TIMESTAMP,
  updated_at   timestamptz DEFAULT CURRENT_TIMESTAMP,
  -- added later (010, 011); slug has no default, the trigger fills it
  slug         varchar(255) NOT NULL,
  code_path    varchar(500)
);
CREATE UNIQUE INDEX idx_tools_key_unique ON tools (key);
CREATE INDEX idx_tools_active ON tools (active);
CREATE INDEX idx_tools_name ON tools (name);
CREATE UNIQUE INDEX idx_tools_slug_unique ON tools (slug);
CREATE INDEX idx_tools_slug ON tools (slug);
CREATE INDEX idx_tools_code_path ON tools (code_path);

CREATE TABLE tool_configs (
  id               uuid PRIMARY KEY DEFAULT uuid_generate_v4(),
  tool_id          uuid NOT NULL REFERENCES tools (id) ON DELETE CASCADE,
  version          varchar(20) NOT NULL DEFAULT '1.0.0',
  display_mode     varchar(50) NOT NULL DEFAULT 'standard',
  layout_settings  jsonb DEFAULT '{}'::jsonb,
  is_active        boolean NOT NULL DEFAULT false,
  created_at       timestamptz DEFAULT CURRENT_TIMESTAMP,
  updated_at       timestamptz DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT check_display_mode CHECK (display_mode IN ('standard', 'full-width', 'compact', 'modal', 'embedded')),
  CONSTRAINT check_version_format CHECK (version ~ '^\d+\.\d+\.\d+$')
);
CREATE UNIQUE INDEX idx_tool_configs_tool_version_unique ON tool_configs (tool_id, version);
CREATE UNIQUE INDEX idx_tool_configs_tool_active_unique
  ON tool_configs (tool_id, is_active) WHERE is_active = true;
CREATE INDEX idx_tool_configs_tool_id ON tool_configs (tool_id);
CREATE INDEX idx_tool_configs_active ON tool_configs (is_active) WHERE is_active = true;
CREATE INDEX idx_tool_configs_version ON tool_configs (version);

CREATE TABLE tool_registry (
  id             uuid PRIMARY KEY DEFAULT uuid_generate_v4(),
  tool_id        varchar(100) NOT NULL UNIQUE,
  name           varchar(255) NOT NULL,
  description    text,
  version        varchar(20) NOT NULL,
  icon           varchar(50),
  route          varchar(255) NOT NULL,
  api_base       varchar(255) NOT NULL,
  permissions    text[],
  status         varchar(20) DEFAULT 'beta',
  is_exported    boolean DEFAULT false,
  exported_at    timestamptz,
  service_url    varchar(255),
  database_name  varchar(100),
  manifest_json  jsonb,
  created_at     timestamptz DEFAULT CURRENT_TIMESTAMP,
  updated_at     timestamptz DEFAULT CURRENT_TIMESTAMP,
  created_by     uuid,
  CONSTRAINT check_tool_registry_status CHECK (status IN ('beta', 'active', 'deprecated'))
);
CREATE INDEX idx_tool_registry_tool_id ON tool_registry (tool_id);
CREATE INDEX idx_tool_registry_status ON tool_registry (status);
CREATE INDEX idx_tool_registry_is_exported ON tool_registry (is_exported);
CREATE INDEX idx_tool_registry_created_at ON tool_registry (created_at DESC);

CREATE TABLE export_jobs (
  job_id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tool_id                 uuid NOT NULL REFERENCES tool_registry (id) ON DELETE CASCADE,
  user_id                 uuid,
  status                  export_job_status NOT NULL DEFAULT 'pending',
  steps_completed         integer NOT NULL DEFAULT 0,
  steps_total             integer NOT NULL DEFAULT 0,
  current_step            varchar(255),
  progress_percentage     integer NOT NULL DEFAULT 0,
  package_path            varchar(500),
  package_size_bytes      bigint,
  error_message           text,
  created_at              timestamptz NOT NULL DEFAULT now(),
  updated_at              timestamptz NOT NULL DEFAULT now(),
  started_at              timestamptz,
  completed_at            timestamptz,
  -- added later (028)
  download_count          integer NOT NULL DEFAULT 0,
  last_downloaded_at      timestamptz,
  package_expires_at      timestamptz,
  package_retention_days  integer NOT NULL DEFAULT 30,
  -- added later (029)
  package_checksum        varchar(64),
  package_algorithm       varchar(20) NOT NULL DEFAULT 'sha256',
  checksum_verified_at    timestamptz,
  CONSTRAINT check_status_valid CHECK (status IN ('pending', 'in_progress', 'completed', 'failed',
                                                  'cancelled', 'cancelling', 'rolled_back')),
  CONSTRAINT check_steps_valid CHECK (steps_completed <= steps_total),
  CONSTRAINT check_progress_valid CHECK (progress_percentage >= 0 AND progress_percentage <= 100),
  CONSTRAINT check_package_size_valid CHECK (package_size_bytes IS NULL OR package_size_bytes >= 0),
  CONSTRAINT check_download_count_valid CHECK (download_count >= 0),
  CONSTRAINT check_package_retention_valid CHECK (package_retention_days > 0),
  CONSTRAINT check_package_checksum_format CHECK (
    package_checksum IS NULL OR (package_checksum ~ '^[0-9a-f]{64}$' AND length(package_checksum) = 64)
  ),
  CONSTRAINT check_package_algorithm_valid CHECK (package_algorithm IN ('sha256', 'sha512', 'sha3-256', 'sha3-512')),
  CONSTRAINT check_checksum_verified_after_completion CHECK (
    checksum_verified_at IS NULL OR completed_at IS NULL OR checksum_verified_at >= completed_at
  )
);
CREATE INDEX idx_export_jobs_tool_id ON export_jobs (tool_id);
CREATE INDEX idx_export_jobs_user_id ON export_jobs (user_id);
CREATE INDEX idx_export_jobs_status ON export_jobs (status);
CREATE INDEX idx_export_jobs_created_at ON export_jobs (created_at);
CREATE INDEX idx_export_jobs_user_created ON export_jobs (user_id, created_at DESC);
CREATE INDEX idx_export_jobs_package_expires_at
  ON export_jobs (package_expires_at) WHERE package_expires_at IS NOT NULL;
CREATE INDEX idx_export_jobs_completed_packages
  ON export_jobs (job_id, package_path, package_expires_at)
  WHERE status = 'completed' AND package_path IS NOT NULL;
CREATE INDEX idx_export_jobs_package_checksum
  ON export_jobs (package_checksum) WHERE package_checksum IS NOT NULL;
CREATE INDEX idx_export_jobs_checksum_verification
  ON export_jobs (status, checksum_verified_at, package_checksum)
  WHERE status = 'completed' AND package_checksum IS NOT NULL;

CREATE TABLE drawing_projects (
  id             uuid PRIMARY KEY DEFAULT uuid_generate_v4(),
  user_id        uuid NOT NULL,
  name           varchar(255) NOT NULL,
  description    text,
  template_data  jsonb NOT NULL,
  thumbnail      text,
  is_active      boolean NOT NULL DEFAULT true,
  created_at     timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at     timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT drawing_projects_name_length CHECK (char_length(name) >= 1 AND char_length(name) <= 255)
);
CREATE INDEX idx_drawing_projects_user_id ON drawing_projects (user_id);
CREATE INDEX idx_drawing_projects_created_at ON drawing_projects (created_at DESC);
CREATE INDEX idx_drawing_projects_user_active ON drawing_projects (user_id, is_active);

CREATE TRIGGER trigger_tools_updated_at
  BEFORE UPDATE ON tools FOR EACH ROW EXECUTE FUNCTION update_tools_updated_at();
CREATE TRIGGER trigger_tool_slug_generation
  BEFORE INSERT OR UPDATE ON tools FOR EACH ROW EXECUTE FUNCTION update_tool_slug();
CREATE TRIGGER trigger_auto_create_tool_config
  AFTER INSERT ON tools FOR EACH ROW EXECUTE FUNCTION auto_create_tool_config();

CREATE TRIGGER trigger_tool_configs_updated_at
  BEFORE UPDATE ON tool_configs FOR EACH ROW EXECUTE FUNCTION update_tool_configs_updated_at();
CREATE TRIGGER trigger_ensure_single_active_config
  BEFORE INSERT OR UPDATE ON tool_configs FOR EACH ROW
  WHEN (NEW.is_active = true)
  EXECUTE FUNCTION ensure_single_active_config();

CREATE TRIGGER trigger_tool_registry_updated_at
  BEFORE UPDATE ON tool_registry FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();


CREATE TRIGGER drawing_projects_updated_at_trigger
  BEFORE UPDATE ON drawing_projects FOR EACH ROW EXECUTE FUNCTION update_drawing_projects_updated_at();
`;

const DOWN = String.raw`
DROP TABLE IF EXISTS drawing_projects;
DROP TABLE IF EXISTS export_jobs;
DROP TABLE IF EXISTS tool_registry;
DROP TABLE IF EXISTS tool_configs;
DROP TABLE IF EXISTS tools;
DROP FUNCTION IF EXISTS update_drawing_projects_updated_at();
DROP FUNCTION IF EXISTS update_tool_configs_updated_at();
DROP FUNCTION IF EXISTS ensure_single_active_config();
DROP FUNCTION IF EXISTS auto_create_tool_config();
DROP FUNCTION IF EXISTS update_tool_slug();
DROP FUNCTION IF EXISTS ensure_unique_slug(text, uuid);
DROP FUNCTION IF EXISTS generate_slug(text);
DROP FUNCTION IF EXISTS update_tools_updated_at();
DROP FUNCTION IF EXISTS update_updated_at_column();
DROP TYPE IF EXISTS export_job_status;
`;
