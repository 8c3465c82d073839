import { IdentityCacheInvalidator } from '@nafs/auth-client';
import { SERVICES } from '@nafs/contracts';
import { AuthEventsConsumerModule } from '@nafs/events';
import { type DynamicModule, Module } from '@nestjs/common';

import type { WebConfig } from '../config/web.config';
import { WebUserDeletionHandler } from './web-user-deletion.handler';

/**
 * web-service's consumer group on auth's event stream (libs/events README): replays the legacy
 * ON DELETE rules when a user is deleted, and drops the identity cache entries an event makes
 * stale when the identity client (AuthClientModule) is part of the application.
 */
@Module({})
export class WebEventsModule {
  static register(config: WebConfig): DynamicModule {
    return {
      module: WebEventsModule,
      imports: [
        AuthEventsConsumerModule.forRoot({
          group: SERVICES.web.app,
          settings: config,
          providers: [WebUserDeletionHandler],
          inject: [WebUserDeletionHandler, { token: IdentityCacheInvalidator, optional: true }],
          handlers: (userDeletion: WebUserDeletionHandler, invalidator?: IdentityCacheInvalidator) => ({
            handlers: [userDeletion],
            listeners: invalidator ? [(event) => invalidator.handleAuthEventForIdentityCache(event)] : [],
          }),
        }),
      ],
    };
  }
}
