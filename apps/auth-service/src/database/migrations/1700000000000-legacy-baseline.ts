import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The auth tables (tenants, users, sessions, password_resets, audit_logs, api_tokens and api_token_usage) exactly as the legacy monolith's final schema (its migrations 001-029)
 * had them: same columns in the same order, types, defaults, CHECK and UNIQUE constraints, indexes
 * and the triggers whose behaviour the data depends on. The schema-equality test compares the
 * result with fixtures/legacy/monolith-schema.sql, so that rows copy across 1:1.
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

CREATE OR REPLACE FUNCTION update_deleted_at_on_deactivation()
RETURNS trigger
LANGUAGE plpgsql
AS $fn$
BEGIN
  IF OLD.is_active = true AND NEW.is_active = false AND NEW.deleted_at IS NULL THEN
    NEW.deleted_at := CURRENT_TIMESTAMP;
  ELSIF OLD.is_active = false AND NEW.is_active = true THEN
    NEW.deleted_at := NULL;
  END IF;
  RETURN NEW;
END;
$fn$;

CREATE OR REPLACE FUNCTION validate_tenant_settings()
RETURNS trigger
LANGUAGE plpgsql
AS $fn$
DECLARE
  color text := NEW.settings -> 'branding' ->> 'primaryColor';
BEGIN
  -- Each rule applies only when its value is present and not JSON null.
  IF color IS NOT NULL AND color !~ '^#[0-9a-fA-F]{6}$' THEN
    RAISE EXCEPTION 'Invalid branding.primaryColor %, expected #RRGGBB', color;
  END IF;

  IF jsonb_typeof(NEW.settings -> 'features') = 'object'
     AND EXISTS (SELECT FROM jsonb_each(NEW.settings -> 'features') f
                 WHERE jsonb_typeof(f.value) <> 'boolean') THEN
    RAISE EXCEPTION 'Every features.* flag must be a JSON boolean';
  END IF;

  IF (NEW.settings -> 'isolation' ->> 'rls') IS NOT NULL
     AND jsonb_typeof(NEW.settings -> 'isolation' -> 'rls') <> 'boolean' THEN
    RAISE EXCEPTION 'isolation.rls must be a JSON boolean';
  END IF;

  IF (NEW.settings -> 'limits' ->> 'maxStorage') IS NOT NULL
     AND (NEW.settings -> 'limits' ->> 'maxStorage')::bigint <= 0 THEN
    RAISE EXCEPTION 'limits.maxStorage must be positive';
  END IF;

  -- integer, not bigint: values above 2147483647 raise "out of range" (legacy behaviour)
  IF (NEW.settings -> 'limits' ->> 'maxApiCalls') IS NOT NULL
     AND (NEW.settings -> 'limits' ->> 'maxApiCalls')::integer <= 0 THEN
    RAISE EXCEPTION 'limits.maxApiCalls must be positive';
  END IF;

  IF (NEW.settings -> 'security' ->> 'sessionTimeout') IS NOT NULL
     AND (NEW.settings -> 'security' ->> 'sessionTimeout')::integer <= 0 THEN
    RAISE EXCEPTION 'security.sessionTimeout must be positive';
  END IF;

  RETURN NEW;
END;
$fn$;

CREATE TABLE tenants (
  id          uuid PRIMARY KEY DEFAULT uuid_generate_v4(),
  name        varchar(255) NOT NULL,
  slug        varchar(100) NOT NULL UNIQUE,
  settings    jsonb DEFAULT '{}'::jsonb,
  is_active   boolean DEFAULT true,
  created_at  timestamptz DEFAULT CURRENT_TIMESTAMP,
  updated_at  timestamptz DEFAULT CURRENT_TIMESTAMP,
  -- added later in the legacy history (003)
  plan        varchar(50) DEFAULT 'free',
  max_users   integer DEFAULT 5,
  status      varchar(50) DEFAULT 'active',
  CONSTRAINT valid_plan CHECK (plan IN ('free', 'starter', 'professional', 'enterprise')),
  CONSTRAINT valid_status CHECK (status IN ('active', 'suspended', 'inactive', 'pending')),
  CONSTRAINT valid_max_users CHECK (max_users > 0 AND max_users <= 10000),
  CONSTRAINT valid_settings_structure CHECK (
    jsonb_typeof(settings) = 'object'
    AND jsonb_typeof(settings -> 'branding') = 'object'
    AND jsonb_typeof(settings -> 'features') = 'object'
    AND jsonb_typeof(settings -> 'isolation') = 'object'
    AND jsonb_typeof(settings -> 'limits') = 'object'
    AND jsonb_typeof(settings -> 'security') = 'object'
  ),
  CONSTRAINT valid_isolation_level CHECK (
    (settings -> 'isolation' ->> 'level') IN ('row', 'schema', 'database')
  )
);
CREATE INDEX idx_tenants_slug ON tenants (slug);
CREATE INDEX idx_tenants_active ON tenants (is_active);
CREATE INDEX idx_tenants_plan ON tenants (plan);
CREATE INDEX idx_tenants_status ON tenants (status);
CREATE INDEX idx_tenants_max_users ON tenants (max_users);
CREATE INDEX idx_tenants_settings_gin ON tenants USING gin (settings);
CREATE INDEX idx_tenants_features ON tenants USING gin ((settings -> 'features'));
CREATE INDEX idx_tenants_isolation ON tenants USING gin ((settings -> 'isolation'));

CREATE TABLE users (
  id              uuid PRIMARY KEY DEFAULT uuid_generate_v4(),
  tenant_id       uuid REFERENCES tenants (id) ON DELETE CASCADE,
  email           varchar(255) NOT NULL,
  password_hash   varchar(255) NOT NULL,
  first_name      varchar(100) NOT NULL,
  last_name       varchar(100) NOT NULL,
  role            varchar(50) DEFAULT 'user',
  created_at      timestamptz DEFAULT CURRENT_TIMESTAMP,
  updated_at      timestamptz DEFAULT CURRENT_TIMESTAMP,
  last_login      timestamptz,
  is_active       boolean DEFAULT true,
  email_verified  boolean DEFAULT false,
  -- added later (002, 007)
  deleted_at      timestamptz,
  avatar_url      varchar(500),
  CONSTRAINT unique_email_per_tenant UNIQUE (email, tenant_id),
  CONSTRAINT valid_email CHECK (email ~* '^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$'),
  CONSTRAINT valid_role CHECK (role IN ('admin', 'user', 'readonly')),
  CONSTRAINT valid_names CHECK (
    length(first_name) >= 1 AND length(first_name) <= 100
    AND length(last_name) >= 1 AND length(last_name) <= 100
  )
);
CREATE INDEX idx_users_email ON users (email);
CREATE INDEX idx_users_tenant_id ON users (tenant_id);
CREATE INDEX idx_users_email_tenant ON users (email, tenant_id);
CREATE INDEX idx_users_role ON users (role);
CREATE INDEX idx_users_active ON users (is_active);
CREATE INDEX idx_users_created_at ON users (created_at);
CREATE INDEX idx_users_last_login ON users (last_login);
CREATE INDEX idx_users_deleted_at ON users (deleted_at);
CREATE INDEX idx_users_email_not_deleted ON users (email) WHERE deleted_at IS NULL;
CREATE INDEX idx_users_avatar_url ON users (avatar_url) WHERE avatar_url IS NOT NULL;

CREATE TABLE sessions (
  id             uuid PRIMARY KEY DEFAULT uuid_generate_v4(),
  user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  refresh_token  varchar(500) NOT NULL UNIQUE,
  expires_at     timestamptz NOT NULL,
  ip_address     inet,
  user_agent     text,
  created_at     timestamptz DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT valid_expiry CHECK (expires_at > created_at)
);
CREATE INDEX idx_sessions_user_id ON sessions (user_id);
CREATE INDEX idx_sessions_refresh_token ON sessions (refresh_token);
CREATE INDEX idx_sessions_expires_at ON sessions (expires_at);
CREATE INDEX idx_sessions_created_at ON sessions (created_at);
CREATE INDEX idx_sessions_ip_address ON sessions (ip_address);

CREATE TABLE password_resets (
  id          uuid PRIMARY KEY DEFAULT uuid_generate_v4(),
  user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token       varchar(255) NOT NULL UNIQUE,
  expires_at  timestamptz NOT NULL,
  used        boolean DEFAULT false,
  created_at  timestamptz DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT valid_reset_expiry CHECK (expires_at > created_at)
);
CREATE INDEX idx_password_resets_user_id ON password_resets (user_id);
CREATE INDEX idx_password_resets_token ON password_resets (token);
CREATE INDEX idx_password_resets_expires_at ON password_resets (expires_at);
CREATE INDEX idx_password_resets_used ON password_resets (used);

CREATE TABLE audit_logs (
  id             uuid PRIMARY KEY DEFAULT uuid_generate_v4(),
  tenant_id      uuid REFERENCES tenants (id),
  user_id        uuid REFERENCES users (id),
  action         varchar(100) NOT NULL,
  resource_type  varchar(50) NOT NULL,
  resource_id    uuid,
  changes        jsonb,
  ip_address     inet,
  user_agent     text,
  created_at     timestamptz DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_audit_logs_user_id ON audit_logs (user_id);
CREATE INDEX idx_audit_logs_resource ON audit_logs (resource_type, resource_id);
CREATE INDEX idx_audit_logs_created_at ON audit_logs (created_at);
CREATE INDEX idx_audit_logs_tenant_id ON audit_logs (tenant_id);
CREATE INDEX idx_audit_logs_action ON audit_logs (action);

CREATE TABLE api_tokens (
  id            uuid PRIMARY KEY DEFAULT uuid_generate_v4(),
  user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  tenant_id     uuid REFERENCES tenants (id) ON DELETE CASCADE,
  token_hash    varchar(255) NOT NULL UNIQUE,
  name          varchar(100) NOT NULL,
  scopes        text[] NOT NULL DEFAULT ARRAY['read'],
  expires_at    timestamptz NOT NULL DEFAULT (CURRENT_TIMESTAMP + interval '1 year'),
  created_at    timestamptz DEFAULT CURRENT_TIMESTAMP,
  updated_at    timestamptz DEFAULT CURRENT_TIMESTAMP,
  last_used_at  timestamptz,
  is_active     boolean DEFAULT true,
  CONSTRAINT unique_token_name_per_user UNIQUE (user_id, name),
  CONSTRAINT valid_token_name CHECK (length(name) >= 1 AND length(name) <= 100),
  CONSTRAINT valid_scopes CHECK (array_length(scopes, 1) > 0 AND scopes <@ ARRAY['read', 'write']),
  CONSTRAINT valid_expires_at CHECK (expires_at > created_at)
);
CREATE INDEX idx_api_tokens_user_id ON api_tokens (user_id);
CREATE INDEX idx_api_tokens_tenant_id ON api_tokens (tenant_id);
CREATE INDEX idx_api_tokens_token_hash ON api_tokens (token_hash);
CREATE INDEX idx_api_tokens_expires_at ON api_tokens (expires_at);
CREATE INDEX idx_api_tokens_active ON api_tokens (is_active);
CREATE INDEX idx_api_tokens_created_at ON api_tokens (created_at);
CREATE INDEX idx_api_tokens_last_used_at ON api_tokens (last_used_at);

CREATE TABLE api_token_usage (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  token_id         uuid NOT NULL REFERENCES api_tokens (id) ON DELETE CASCADE,
  endpoint         varchar(512) NOT NULL,
  method           varchar(10) NOT NULL,
  "timestamp"      timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
  processing_time  integer,
  response_status  integer NOT NULL,
  ip_address       inet,
  user_agent       text,
  tenant_id        uuid REFERENCES tenants (id) ON DELETE CASCADE,
  created_at       timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_api_token_usage_token_id ON api_token_usage (token_id);
CREATE INDEX idx_api_token_usage_timestamp ON api_token_usage ("timestamp" DESC);
CREATE INDEX idx_api_token_usage_endpoint ON api_token_usage (endpoint);
CREATE INDEX idx_api_token_usage_token_timestamp ON api_token_usage (token_id, "timestamp" DESC);
CREATE INDEX idx_api_token_usage_tenant_token_timestamp
  ON api_token_usage (tenant_id, token_id, "timestamp" DESC) WHERE tenant_id IS NOT NULL;
CREATE INDEX idx_api_token_usage_success_failure
  ON api_token_usage (token_id, response_status, "timestamp" DESC);

CREATE TRIGGER update_tenants_updated_at
  BEFORE UPDATE ON tenants FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
CREATE TRIGGER validate_tenant_settings_trigger
  BEFORE INSERT OR UPDATE ON tenants FOR EACH ROW EXECUTE FUNCTION validate_tenant_settings();

CREATE TRIGGER update_users_updated_at
  BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
CREATE TRIGGER trigger_update_deleted_at
  BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION update_deleted_at_on_deactivation();




CREATE TRIGGER update_api_tokens_updated_at
  BEFORE UPDATE ON api_tokens FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();


-- Kept for compatibility with tools and reports that read it; users of inactive accounts are hidden.
CREATE VIEW tenant_users AS
SELECT u.id,
       u.tenant_id,
       u.email,
       u.first_name,
       u.last_name,
       u.role,
       u.created_at,
       u.updated_at,
       u.last_login,
       u.is_active,
       u.email_verified,
       t.name AS tenant_name,
       t.slug AS tenant_slug,
       t.plan AS tenant_plan
  FROM users u
  LEFT JOIN tenants t ON u.tenant_id = t.id
 WHERE u.is_active = true;

-- Legacy migration 001 inserted the default tenant; code and data depend on its fixed id.
INSERT INTO tenants (id, name, slug, settings, is_active, plan, max_users, status)
VALUES (
  '00000000-0000-0000-0000-000000000000',
  'Default Tenant',
  'default',
  jsonb_build_object(
    'branding',  jsonb_build_object('primaryColor', '#2563eb', 'logo', NULL),
    'features',  jsonb_build_object('userManagement', true, 'apiAccess', true, 'customBranding', true,
                                    'advancedReports', true, 'sso', true),
    'isolation', jsonb_build_object('level', 'row', 'rls', true),
    'limits',    jsonb_build_object('maxStorage', 107374182400, 'maxApiCalls', 1000000),
    'security',  jsonb_build_object('requireMFA', false, 'sessionTimeout', 3600, 'ipWhitelist', NULL)
  ),
  true,
  'enterprise',
  1000,
  'active'
);
`;

const DOWN = String.raw`
DROP VIEW IF EXISTS tenant_users;
DROP TABLE IF EXISTS api_token_usage;
DROP TABLE IF EXISTS api_tokens;
DROP TABLE IF EXISTS audit_logs;
DROP TABLE IF EXISTS password_resets;
DROP TABLE IF EXISTS sessions;
DROP TABLE IF EXISTS users;
DROP TABLE IF EXISTS tenants;
DROP FUNCTION IF EXISTS validate_tenant_settings();
DROP FUNCTION IF EXISTS update_deleted_at_on_deactivation();
DROP FUNCTION IF EXISTS update_updated_at_column();
`;
