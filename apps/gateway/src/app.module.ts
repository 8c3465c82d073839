import { type DynamicModule, Module } from '@nestjs/common';
import { type GatewayConfig, upstreams } from './config/gateway.config';
import { GatewayHealthController } from './health/gateway-health.controller';
import { InfoController } from './info/info.controller';
import { GATEWAY_UPSTREAMS } from './proxy/tokens';

@Module({})
export class AppModule {
  static register(config: GatewayConfig): DynamicModule {
    return {
      module: AppModule,
      controllers: [GatewayHealthController, InfoController],
      providers: [{ provide: GATEWAY_UPSTREAMS, useValue: upstreams(config) }],
    };
  }
}
