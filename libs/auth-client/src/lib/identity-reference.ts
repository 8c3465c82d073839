import { HttpStatus, Injectable } from '@nestjs/common';
import type { TenantIdentity, UserIdentity } from '@nafs/contracts';
import { IdentityLookupError, IdentityUnavailableError } from './errors';
import { IdentityClient } from './identity-client';
import { IdentityMetrics } from './identity-metrics';

export type ReferenceFailureReason = 'not_found' | 'inactive' | 'unavailable';

/**
 * A write refused because a referenced user or tenant does not exist (404), is inactive (400), or
 * auth cannot confirm it right now (503). Feature code maps it to its route family's envelope
 * (`status`, `message`).
 */
export class IdentityReferenceError extends Error {
  constructor(
    readonly kind: 'user' | 'tenant',
    readonly field: string,
    readonly reason: ReferenceFailureReason,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'IdentityReferenceError';
  }
}

/**
 * App-layer foreign keys: web and forms call this before writing a row that references a user or
 * a tenant (owner, creator), since the database can no longer check `REFERENCES users(id)`.
 * Goes through the cached identity client; each refusal is counted in
 * `identity_reference_check_failures_total{kind,reason}`.
 */
@Injectable()
export class IdentityReferences {
  constructor(
    private readonly identity: IdentityClient,
    private readonly metrics: IdentityMetrics,
  ) {}

  async requireActiveUser(userId: string, field = 'userId'): Promise<UserIdentity> {
    try {
      return await this.identity.getUser(userId);
    } catch (error) {
      throw this.fail('user', field, userId, error);
    }
  }

  async requireActiveTenant(tenantId: string, field = 'tenantId'): Promise<TenantIdentity> {
    try {
      return await this.identity.getTenant(tenantId);
    } catch (error) {
      throw this.fail('tenant', field, tenantId, error);
    }
  }

  private fail(kind: 'user' | 'tenant', field: string, id: string, error: unknown): Error {
    const label = kind === 'user' ? 'User' : 'Tenant';
    let failure: IdentityReferenceError;
    if (error instanceof IdentityUnavailableError) {
      failure = new IdentityReferenceError(kind, field, 'unavailable', HttpStatus.SERVICE_UNAVAILABLE, `${label} ${id} cannot be verified right now (auth-service unavailable)`);
    } else if (error instanceof IdentityLookupError && error.code === 'INACTIVE') {
      failure = new IdentityReferenceError(kind, field, 'inactive', HttpStatus.BAD_REQUEST, `${label} ${id} referenced by ${field} is inactive`);
    } else if (error instanceof IdentityLookupError) {
      failure = new IdentityReferenceError(kind, field, 'not_found', HttpStatus.NOT_FOUND, `${label} ${id} referenced by ${field} does not exist`);
    } else {
      return error as Error;
    }
    this.metrics.referenceFailures.inc({ kind, reason: failure.reason });
    return failure;
  }
}
