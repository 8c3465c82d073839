import { SERVICES, WEB_EVENT_STREAM } from '@nafs/contracts';
import { AuthEventsConsumerModule } from '@nafs/events';
import { type DynamicModule, Module } from '@nestjs/common';

import type { FormsConfig } from '../config/forms.config';
import { ToolFlagsHandler } from './tool-flags.handler';
import { ToolFlagsRepository } from './tool-flags.repository';
import { ToolFlagsService } from './tool-flags.service';

/**
 * The read model of web's tools' active flags: forms-service's consumer group on `events:web`
 * (libs/events, the machinery forms uses for auth's stream) feeding `tool_flags`.
 */
@Module({})
export class ToolFlagsModule {
  static register(config: FormsConfig): DynamicModule {
    return {
      module: ToolFlagsModule,
      global: true,
      imports: [
        AuthEventsConsumerModule.forRoot({
          group: SERVICES.forms.app,
          stream: WEB_EVENT_STREAM,
          settings: config,
          providers: [ToolFlagsRepository, ToolFlagsHandler],
          inject: [ToolFlagsHandler],
          handlers: (handler: ToolFlagsHandler) => ({ handlers: [handler] }),
        }),
      ],
      providers: [ToolFlagsRepository, ToolFlagsService],
      exports: [ToolFlagsService],
    };
  }
}
