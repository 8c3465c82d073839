import { AUTH_EVENTS, type AuthEvent, type ServiceName, type UserDeletedPayload } from '@nafs/contracts';
import { Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import type { AuthEventHandler } from './event-handlers';
import { applyUserOnDeleteRules } from './legacy-on-delete';

/**
 * Applies, on `auth.user.deleted`, the legacy ON DELETE rules of the service's former foreign keys
 * to users (CROSS_SERVICE_REFERENCES), inside the consumer's transaction with the processed-event
 * record. A service with extra rules overrides `beforeSetNull` and returns what it did, for the log.
 */
export class UserDeletionHandler implements AuthEventHandler {
  readonly name: string;
  readonly eventTypes = [AUTH_EVENTS.userDeleted];
  private readonly logger: Logger;

  constructor(private readonly service: ServiceName) {
    this.name = `${service}-service: legacy ON DELETE rules of users`;
    this.logger = new Logger(`${service}-service user deletion`);
  }

  /** Runs after the CASCADE deletes and before the SET NULL updates. */
  protected async beforeSetNull(_manager: EntityManager, _userId: string): Promise<string | undefined> {
    return undefined;
  }

  async handle(event: AuthEvent, manager: EntityManager): Promise<void> {
    const { userId } = event.payload as UserDeletedPayload;
    let extra: string | undefined;
    const results = await applyUserOnDeleteRules(manager, this.service, userId, {
      beforeSetNull: async () => {
        extra = await this.beforeSetNull(manager, userId);
      },
    });
    const summary = results.map((result) => `${result.table}.${result.column} ${result.onDelete}: ${result.rows}`);
    if (extra) summary.push(extra);
    this.logger.log(`user ${userId} deleted in auth (event ${event.id}): ${summary.join(', ')}`);
  }
}
