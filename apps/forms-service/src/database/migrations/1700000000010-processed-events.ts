import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ids of auth events forms-service has applied (libs/events): the consumer records an id in
 * the same transaction as the event's changes and skips ids already here, so a redelivered event
 * is applied once. Not a legacy table.
 */
export class ProcessedEvents1700000000010 implements MigrationInterface {
  name = 'ProcessedEvents1700000000010';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE processed_events (
        event_id      uuid PRIMARY KEY,
        type          varchar(100) NOT NULL,
        processed_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX idx_processed_events_processed_at ON processed_events (processed_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS processed_events`);
  }
}
