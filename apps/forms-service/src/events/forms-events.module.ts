import { IdentityCacheInvalidator } from '@nafs/auth-client';
import { SERVICES } from '@nafs/contracts';
import { AuthEventsConsumerModule } from '@nafs/events';
import { type DynamicModule, Module } from '@nestjs/common';

import type { FormsConfig } from '../config/forms.config';
import { FormsUserDeletionHandler } from './forms-user-deletion.handler';

/**
 * forms-service's consumer group on auth's event stream (libs/events README): replays the legacy
 * ON DELETE rules when a user is deleted, and drops the identity cache entries an event makes
 * stale when the identity client (AuthClientModule) is part of the application.
 */
@Module({})
export class FormsEventsModule {
  static register(config: FormsConfig): DynamicModule {
    return {
      module: FormsEventsModule,
      imports: [
        AuthEventsConsumerModule.forRoot({
          group: SERVICES.forms.app,
          settings: config,
          providers: [FormsUserDeletionHandler],
          inject: [FormsUserDeletionHandler, { token: IdentityCacheInvalidator, optional: true }],
          handlers: (userDeletion: FormsUserDeletionHandler, invalidator?: IdentityCacheInvalidator) => ({
            handlers: [userDeletion],
            listeners: invalidator ? [(event) => invalidator.handleAuthEventForIdentityCache(event)] : [],
          }),
        }),
      ],
    };
  }
}
