import type { AuthEventPayloads, AuthEventType } from '@nafs/contracts';
import { currentRequestId } from '@nafs/observability';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import { OutboxEntity } from './outbox.entity';

/**
 * Writes AUTH_EVENTS rows through the caller's transaction, so an event exists exactly when its
 * change was committed. Refuses a manager outside a transaction: that would break the guarantee.
 */
@Injectable()
export class OutboxWriter {
  async write<T extends AuthEventType>(manager: EntityManager, type: T, payload: AuthEventPayloads[T]): Promise<string> {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error(`OutboxWriter.write(${type}) needs the EntityManager of an open transaction`);
    }
    const rows = await manager
      .createQueryBuilder()
      .insert()
      .into(OutboxEntity)
      // clock_timestamp(), not the column default now(): events of one transaction keep their order.
      .values({ type, payload: payload as object, requestId: currentRequestId() ?? null, occurredAt: () => 'clock_timestamp()' })
      .returning(['id'])
      .execute();
    return (rows.identifiers[0] as { id: string }).id;
  }
}
