import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Constant-time API-token lookup. Legacy rows hold only a bcrypt hash of the 64-hex plaintext, so
 * the column starts NULL for them and is filled on their first successful verification; tokens
 * created by this service get it at creation. The partial index on NULL keeps the legacy fallback
 * (bcrypt over the rows not yet filled) from scanning the filled ones.
 */
export class ApiTokenSha2561700000000001 implements MigrationInterface {
  name = 'ApiTokenSha2561700000000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE api_tokens ADD COLUMN token_sha256 char(64)`);
    await queryRunner.query(`CREATE UNIQUE INDEX idx_api_tokens_token_sha256 ON api_tokens (token_sha256) WHERE token_sha256 IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX idx_api_tokens_sha256_missing ON api_tokens (id) WHERE token_sha256 IS NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX IF EXISTS idx_api_tokens_sha256_missing`);
    await queryRunner.query(`DROP INDEX IF EXISTS idx_api_tokens_token_sha256`);
    await queryRunner.query(`ALTER TABLE api_tokens DROP COLUMN IF EXISTS token_sha256`);
  }
}
