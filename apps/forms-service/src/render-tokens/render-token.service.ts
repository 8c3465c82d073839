import { createSecretKey } from 'node:crypto';

import { isUuid } from '@nafs/contracts';
import { GoneError, NotFoundError } from '@nafs/http';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';

import type { FormsConfig } from '../config/forms.config';
import { FORMS_CONFIG } from '../config/forms-config.module';

/** What a verified render token says (legacy payload, legacy-api.md 5.4). */
export interface RenderTokenClaims {
  formSchemaId: string;
  /** The form's expiry as written into the token, if any. */
  expiresAt: Date | null;
}

export const RENDER_TOKEN_MESSAGES = { expired: 'This form has expired', invalid: 'Invalid form link' } as const;

/**
 * Form render tokens exactly as the legacy signed them: HS256 with FORM_RENDER_TOKEN_SECRET,
 * payload `{ formSchemaId, iss: "form-builder", iat, expiresAt? }` plus `exp` when the form
 * expires. No issuer check on verification (the legacy made none), so every token published
 * before the move still verifies. The argument of `sign` is the schema version's id
 * (`form_schemas.id`), which is what the legacy put into `formSchemaId`.
 */
@Injectable()
export class RenderTokenService {
  private readonly jwt: JwtService;

  constructor(@Inject(FORMS_CONFIG) config: FormsConfig) {
    // A KeyObject made once: given a string, jsonwebtoken tries it as a PEM key first and throws, on every call.
    this.jwt = new JwtService({ secret: createSecretKey(Buffer.from(config.FORM_RENDER_TOKEN_SECRET, 'utf8')) });
  }

  sign(formId: string, expiresAt?: Date | null): string {
    const payload: Record<string, unknown> = { formSchemaId: formId, iss: 'form-builder' };
    if (expiresAt) {
      payload.expiresAt = expiresAt.toISOString();
      payload.exp = Math.floor(expiresAt.getTime() / 1000);
    }
    return this.jwt.sign(payload, { algorithm: 'HS256' });
  }

  /** Expired → GoneError (410); forged, malformed or without a schema id → NotFoundError (404). */
  verify(token: string): RenderTokenClaims {
    let claims: Record<string, unknown>;
    try {
      claims = this.jwt.verify<Record<string, unknown>>(token, { algorithms: ['HS256'] });
    } catch (error) {
      if ((error as Error).name === 'TokenExpiredError') throw new GoneError('TOKEN_EXPIRED', RENDER_TOKEN_MESSAGES.expired);
      throw new NotFoundError('INVALID_TOKEN', RENDER_TOKEN_MESSAGES.invalid);
    }
    const formSchemaId = claims.formSchemaId;
    // A signed token whose id is not a uuid would otherwise reach PostgreSQL as a cast error.
    if (typeof formSchemaId !== 'string' || !isUuid(formSchemaId)) throw new NotFoundError('INVALID_TOKEN', RENDER_TOKEN_MESSAGES.invalid);
    const expiresAt =
      typeof claims.expiresAt === 'string' && !Number.isNaN(Date.parse(claims.expiresAt)) ? new Date(claims.expiresAt) : null;
    return { formSchemaId, expiresAt };
  }
}
