import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The transactional outbox (libs/contracts events.ts): every change other services must learn
 * about writes a row here in the same transaction; a relay publishes unpublished rows in order.
 */
export class EventOutbox1700000000002 implements MigrationInterface {
  name = 'EventOutbox1700000000002';

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
