import type { TenantIdentity, UserIdentity } from '@nafs/contracts';
import { DomainError, type ErrorKind } from '@nafs/http';
import { Injectable } from '@nestjs/common';

import { IdentityLookupError, IdentityUnavailableError } from './errors';
import { IdentityClient } from './identity-client';
import { IdentityMetrics } from './identity-metrics';

export type ReferenceFailureReason = 'not_found' | 'inactive' | 'unavailable';

const REFERENCE_FAILURES: Record<ReferenceFailureReason, { kind: ErrorKind; code: string }> = {
  not_found: { kind: 'not_found', code: 'INVALID_REFERENCE' },
  inactive: { kind: 'bad_request', code: 'INACTIVE_REFERENCE' },
  unavailable: { kind: 'service_unavailable', code: 'SERVICE_UNAVAILABLE' },
};

/**
 * A write refused because a referenced user or tenant does not exist (404 INVALID_REFERENCE), is
 * inactive (400 INACTIVE_REFERENCE), or auth cannot confirm it right now (503). A domain error:
 * the global filter of @nafs/http renders it in the route's family.
 */
export class IdentityReferenceError extends DomainError {
  readonly kind: ErrorKind;

  constructor(
    readonly subject: 'user' | 'tenant',
    readonly field: string,
    readonly reason: ReferenceFailureReason,
    message: string,
  ) {
    super(REFERENCE_FAILURES[reason].code, message);
    this.kind = REFERENCE_FAILURES[reason].kind;
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
      failure = new IdentityReferenceError(
        kind,
        field,
        'unavailable',
        `${label} ${id} cannot be verified right now (auth-service unavailable)`,
      );
    } else if (error instanceof IdentityLookupError && error.code === 'INACTIVE') {
      failure = new IdentityReferenceError(kind, field, 'inactive', `${label} ${id} referenced by ${field} is inactive`);
    } else if (error instanceof IdentityLookupError) {
      failure = new IdentityReferenceError(kind, field, 'not_found', `${label} ${id} referenced by ${field} does not exist`);
    } else {
      return error as Error;
    }
    this.metrics.referenceFailures.inc({ kind, reason: failure.reason });
    return failure;
  }
}
