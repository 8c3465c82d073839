import { OUTBOX_TABLE } from '@nafs/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One event waiting to be (or already) published by the relay. */
@Entity({ name: OUTBOX_TABLE })
export class OutboxEntity {
  @PrimaryColumn({ name: 'id', type: 'uuid', default: () => 'gen_random_uuid()' })
  id: string;

  @Column({ name: 'type', type: 'varchar', length: 100 })
  type: string;

  @Column({ name: 'payload', type: 'jsonb' })
  payload: unknown;

  @Column({ name: 'occurred_at', type: 'timestamptz', default: () => 'now()' })
  occurredAt: Date;

  /** X-Request-Id of the request that caused the event (for following it through the logs). */
  @Column({ name: 'request_id', type: 'varchar', length: 128, nullable: true })
  requestId: string | null;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt: Date | null;
}
