import { type AuthEvent, type ToolChangedPayload, WEB_EVENTS } from '@nafs/contracts';
import type { AuthEventHandler } from '@nafs/events';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import { ToolFlagsRepository } from './tool-flags.repository';

const TOOL_EVENTS: string[] = [WEB_EVENTS.toolCreated, WEB_EVENTS.toolUpdated, WEB_EVENTS.toolDeleted];

/**
 * Keeps `tool_flags` in step with web's `web.tool.*` events. It runs in the transaction that
 * records the event id in `processed_events` (libs/events), so a redelivery is applied once;
 * events older than the stored state are ignored.
 */
@Injectable()
export class ToolFlagsHandler implements AuthEventHandler {
  readonly name = 'tool-flags';
  readonly eventTypes = TOOL_EVENTS;

  constructor(private readonly flags: ToolFlagsRepository) {}

  async handle(event: AuthEvent, manager: EntityManager): Promise<void> {
    // The consumer machinery is typed for auth's stream; web's envelope is the same shape.
    const payload = event.payload as unknown as Partial<ToolChangedPayload>;
    if (typeof payload.key !== 'string' || typeof payload.toolId !== 'string' || typeof payload.active !== 'boolean') return;
    const deleted = (event.type as string) === WEB_EVENTS.toolDeleted;
    await this.flags.apply(manager, {
      toolId: payload.toolId,
      key: payload.key.slice(0, 100),
      name: typeof payload.name === 'string' ? payload.name : payload.key,
      active: deleted ? false : payload.active,
      deleted,
      occurredAt: Number.isNaN(Date.parse(event.occurredAt)) ? new Date() : new Date(event.occurredAt),
    });
  }
}
