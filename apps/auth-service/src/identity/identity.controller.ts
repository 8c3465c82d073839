import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { AUTH_PATTERNS, type PingResponse } from '@nafs/contracts';

/** Identity questions web and forms ask over the Redis transport. Read-only by design. */
@Controller()
export class IdentityController {
  @MessagePattern(AUTH_PATTERNS.ping)
  ping(): PingResponse {
    return { service: 'auth-service', uptime: Math.floor(process.uptime()), timestamp: new Date().toISOString() };
  }
}
