import {
  type ApiTokenIdentity,
  AUTH_PATTERNS,
  type GetUsersByIdsRequest,
  type GetUsersByIdsResponse,
  type PingResponse,
  type TenantIdentity,
  type UserIdentity,
  type ValidateTenantRequest,
  type ValidateUserRequest,
  type VerifyApiTokenRequest,
} from '@nafs/contracts';
import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';

import { IdentityService } from './identity.service';
import { toRpcException } from './rpc-error';

const field = <T>(payload: unknown, name: keyof T): unknown =>
  typeof payload === 'object' && payload !== null ? (payload as T)[name] : undefined;

async function answer<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toRpcException(error);
  }
}

/** Identity questions web and forms ask over the Redis transport. Read-only by design. */
@Controller()
export class IdentityController {
  constructor(private readonly identity: IdentityService) {}

  @MessagePattern(AUTH_PATTERNS.ping)
  ping(): PingResponse {
    return { service: 'auth-service', uptime: Math.floor(process.uptime()), timestamp: new Date().toISOString() };
  }

  @MessagePattern(AUTH_PATTERNS.validateUser)
  validateUser(@Payload() payload: unknown): Promise<UserIdentity> {
    return answer(() => this.identity.validateUser(field<ValidateUserRequest>(payload, 'userId')));
  }

  @MessagePattern(AUTH_PATTERNS.validateTenant)
  validateTenant(@Payload() payload: unknown): Promise<TenantIdentity> {
    return answer(() => this.identity.validateTenant(field<ValidateTenantRequest>(payload, 'tenantId')));
  }

  @MessagePattern(AUTH_PATTERNS.getUsersByIds)
  getUsersByIds(@Payload() payload: unknown): Promise<GetUsersByIdsResponse> {
    return answer(() => this.identity.getUsersByIds(field<GetUsersByIdsRequest>(payload, 'ids')));
  }

  @MessagePattern(AUTH_PATTERNS.verifyApiToken)
  verifyApiToken(@Payload() payload: unknown): Promise<ApiTokenIdentity> {
    const clientIp = field<VerifyApiTokenRequest>(payload, 'clientIp');
    return answer(() =>
      this.identity.verifyApiToken(field<VerifyApiTokenRequest>(payload, 'token'), typeof clientIp === 'string' ? clientIp : undefined),
    );
  }
}
