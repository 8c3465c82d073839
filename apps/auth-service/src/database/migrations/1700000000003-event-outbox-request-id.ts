import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The X-Request-Id of the request that wrote an event, carried into its stream entry for the logs. */
export class EventOutboxRequestId1700000000003 implements MigrationInterface {
  name = 'EventOutboxRequestId1700000000003';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE event_outbox ADD COLUMN request_id varchar(128)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE event_outbox DROP COLUMN IF EXISTS request_id`);
  }
}
