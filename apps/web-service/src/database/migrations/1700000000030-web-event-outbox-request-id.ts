import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The X-Request-Id of the request that wrote an event, carried into its events:web entry (as auth's outbox does). */
export class WebEventOutboxRequestId1700000000030 implements MigrationInterface {
  name = 'WebEventOutboxRequestId1700000000030';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE event_outbox ADD COLUMN request_id varchar(128)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE event_outbox DROP COLUMN IF EXISTS request_id`);
  }
}
