import { SERVICES, WEB_EVENT_STREAM } from '@nafs/contracts';
import { OutboxRelayModule, WEB_EVENT_CONSUMER_GROUPS } from '@nafs/events';
import { type DynamicModule, Global, Module } from '@nestjs/common';

import type { WebConfig } from '../config/web.config';
import { WebOutboxWriter } from './web-outbox.writer';

/**
 * web-service as a producer: WebOutboxWriter for the features, and the relay that publishes web's
 * event_outbox to `<REDIS_KEY_PREFIX>events:web` (libs/events README), creating the auth-service
 * and forms-service consumer groups so the stream keeps events for a consumer not started yet.
 */
@Global()
@Module({})
export class WebOutboxModule {
  static register(config: WebConfig): DynamicModule {
    return {
      module: WebOutboxModule,
      imports: [
        OutboxRelayModule.forRoot({
          service: SERVICES.web.app,
          settings: config,
          consumerGroups: WEB_EVENT_CONSUMER_GROUPS,
          stream: WEB_EVENT_STREAM,
        }),
      ],
      providers: [WebOutboxWriter],
      exports: [WebOutboxWriter],
    };
  }
}
