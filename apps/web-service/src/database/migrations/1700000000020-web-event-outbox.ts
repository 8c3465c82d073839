import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * web-service's transactional outbox (libs/contracts web-events.ts), the same table as auth's:
 * tool changes and audit records are written here in the same transaction as the change; web's
 * relay publishes unpublished rows, in order, to `<REDIS_KEY_PREFIX>events:web`. Not a legacy table.
 */
export class WebEventOutbox1700000000020 implements MigrationInterface {
  name = 'WebEventOutbox1700000000020';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE event_outbox (
        id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        type          varchar(100) NOT NULL,
        payload       jsonb NOT NULL,
        occurred_at   timestamptz NOT NULL DEFAULT now(),
        published_at  timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX idx_event_outbox_unpublished ON event_outbox (occurred_at) WHERE published_at IS NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS event_outbox`);
  }
}
