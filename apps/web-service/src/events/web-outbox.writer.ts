import { OUTBOX_TABLE, type WebEventPayloads, type WebEventType } from '@nafs/contracts';
import { currentRequestId } from '@nafs/observability';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/**
 * Writes WEB_EVENTS rows into web's event_outbox through the caller's transaction, so an event
 * exists exactly when its change was committed, with the current request's id (the relay carries it
 * into the stream entry). Refuses a manager outside a transaction.
 */
@Injectable()
export class WebOutboxWriter {
  async write<T extends WebEventType>(manager: EntityManager, type: T, payload: WebEventPayloads[T]): Promise<string> {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error(`WebOutboxWriter.write(${type}) needs the EntityManager of an open transaction`);
    }
    // clock_timestamp(), not now(): the events of one transaction keep their order.
    const rows = (await manager.query(
      `INSERT INTO ${OUTBOX_TABLE} (type, payload, request_id, occurred_at) VALUES ($1, $2::jsonb, $3, clock_timestamp()) RETURNING id`,
      [type, JSON.stringify(payload), currentRequestId() ?? null],
    )) as { id: string }[];
    return rows[0].id;
  }
}
