import { AuthRpcCaller, IdentityClient } from '@nafs/auth-client';
import { AUTH_PATTERNS, type GetUsersByIdsResponse, type UserIdentity } from '@nafs/contracts';
import { Injectable, Logger } from '@nestjs/common';

export interface FormOwner {
  id: string;
  email: string | null;
}

/**
 * Owners of a page of forms, the seed plan's application-layer join: ids already in this
 * process's identity cache are answered from it, the rest with ONE `auth.users.by-ids` RPC for
 * the page, whose answers prime the identity cache (so the next page of the same owners costs no
 * RPC). When auth cannot answer, owners come back without an email rather than failing the list.
 */
@Injectable()
export class FormOwners {
  private readonly logger = new Logger(FormOwners.name);

  constructor(
    private readonly identity: IdentityClient,
    private readonly rpc: AuthRpcCaller,
  ) {}

  async byIds(ids: string[]): Promise<Map<string, FormOwner>> {
    const owners = new Map<string, FormOwner>();
    const misses: string[] = [];
    for (const id of new Set(ids.map((value) => value.toLowerCase()))) {
      const cached = this.identity.users.peekLocal(id);
      if (cached?.ok) owners.set(id, { id, email: cached.value.email });
      else misses.push(id);
    }
    if (!misses.length) return owners;
    let answer: GetUsersByIdsResponse | null = null;
    try {
      answer = await this.rpc.call<GetUsersByIdsResponse>(AUTH_PATTERNS.getUsersByIds, { ids: misses });
    } catch (error) {
      this.logger.warn(`owner lookup failed: ${(error as Error).message}`);
    }
    for (const user of answer?.users ?? []) {
      owners.set(user.id, { id: user.id, email: user.email });
      this.identity.users.prime(
        user.id,
        user.isActive ? { ok: true, value: user as UserIdentity } : { ok: false, code: 'INACTIVE', message: 'User is inactive' },
      );
    }
    for (const id of misses) if (!owners.has(id)) owners.set(id, { id, email: null });
    return owners;
  }
}
