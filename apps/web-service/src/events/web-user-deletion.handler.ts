import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AUTH_EVENTS, type AuthEvent, type UserDeletedPayload } from '@nafs/contracts';
import { applyUserOnDeleteRules, type AuthEventHandler } from '@nafs/events';

/**
 * The legacy ON DELETE rules of web's former foreign keys to users (CROSS_SERVICE_REFERENCES):
 * drawing_projects.user_id CASCADE; tool_registry.created_by and export_jobs.user_id SET NULL.
 * Runs inside the consumer's transaction, together with the processed-event record.
 */
@Injectable()
export class WebUserDeletionHandler implements AuthEventHandler {
  readonly name = 'web-service: legacy ON DELETE rules of users';
  readonly eventTypes = [AUTH_EVENTS.userDeleted];
  private readonly logger = new Logger('WebUserDeletionHandler');

  async handle(event: AuthEvent, manager: EntityManager): Promise<void> {
    const { userId } = event.payload as UserDeletedPayload;
    const results = await applyUserOnDeleteRules(manager, 'web', userId);
    const summary = results.map((result) => `${result.table}.${result.column} ${result.onDelete}: ${result.rows}`).join(', ');
    this.logger.log(`user ${userId} deleted in auth (event ${event.id}): ${summary}`);
  }
}
