import { SERVICES } from '@nafs/contracts';
import { AUTH_EVENT_CONSUMER_GROUPS, OutboxRelayModule } from '@nafs/events';
import { type DynamicModule, Module } from '@nestjs/common';

import type { AuthConfig } from '../config/auth.config';

/**
 * Publishes auth's event_outbox (written by OutboxWriter in the same transaction as each change)
 * to the Redis stream `<REDIS_KEY_PREFIX>events:auth`, in occurred_at order, from whichever
 * replica holds the relay lock (libs/events README). Creates the web-service and forms-service
 * consumer groups, so the stream keeps events for a consumer that has not started yet.
 */
@Module({})
export class AuthOutboxRelayModule {
  static register(config: AuthConfig): DynamicModule {
    return {
      module: AuthOutboxRelayModule,
      imports: [OutboxRelayModule.forRoot({ service: SERVICES.auth.app, settings: config, consumerGroups: AUTH_EVENT_CONSUMER_GROUPS })],
    };
  }
}
