import { type DynamicModule, Module } from '@nestjs/common';

import { ApiDocsModule } from './api-docs/api-docs.module';
import { type GatewayConfig, upstreams } from './config/gateway.config';
import { GatewayHealthController } from './health/gateway-health.controller';
import { InfoController } from './info/info.controller';
import { GATEWAY_UPSTREAMS } from './proxy/tokens';

@Module({})
export class AppModule {
  static register(config: GatewayConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ApiDocsModule.register(upstreams(config))],
      controllers: [GatewayHealthController, InfoController],
      providers: [{ provide: GATEWAY_UPSTREAMS, useValue: upstreams(config) }],
    };
  }
}
