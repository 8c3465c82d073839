import { REDIS_CLIENT } from '@nafs/cache';
import { AUTH_EVENTS, type AuthEvent, type AuthEventPayloads } from '@nafs/contracts';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';

import { IDENTITY_CLIENT_OPTIONS, type IdentityClientOptions } from './auth-client.config';
import { IdentityClient } from './identity-client';

type Kind = 'user' | 'tenant' | 'api-token';

interface InvalidationMessage {
  kind: Kind;
  id: string;
  /** The replica that sent it (it has already dropped its own entry). */
  origin: string;
}

/**
 * Drops identity cache entries everywhere: the Redis level once, and every replica's in-process
 * level through a Redis pub/sub broadcast on `<prefix>identity:invalidate`. The events consumer
 * calls `handleAuthEventForIdentityCache(event)` for each auth event it reads.
 */
@Injectable()
export class IdentityCacheInvalidator implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('IdentityCacheInvalidator');
  private readonly origin = `${process.pid}:${Math.random().toString(36).slice(2, 10)}`;
  private subscriber?: Redis;
  readonly channel: string;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(IDENTITY_CLIENT_OPTIONS) options: IdentityClientOptions,
    private readonly identity: IdentityClient,
  ) {
    this.channel = `${options.keyPrefix}identity:invalidate`;
  }

  async onModuleInit(): Promise<void> {
    const subscriber = this.redis.duplicate({ connectionName: 'identity-invalidations', maxRetriesPerRequest: null });
    this.subscriber = subscriber;
    subscriber.on('message', (_channel: string, raw: string) => this.onMessage(raw));
    subscriber.on('error', () => undefined);
    // On every (re)connection ioredis re-subscribes by itself; the in-process level may have
    // missed messages while disconnected, so it starts empty again.
    subscriber.on('ready', () => this.clearAllLocal());
    try {
      await subscriber.subscribe(this.channel);
    } catch (error) {
      this.logger.warn(`cannot subscribe to ${this.channel} yet (${(error as Error).message}); ioredis keeps retrying`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }

  invalidateUser(userId: string): Promise<void> {
    return this.invalidate('user', userId.toLowerCase());
  }

  invalidateTenant(tenantId: string): Promise<void> {
    return this.invalidate('tenant', tenantId.toLowerCase());
  }

  /** `tokenSha256`: sha256 hex of the plaintext token (what auth puts in api-token events). */
  invalidateApiToken(tokenSha256: string): Promise<void> {
    return this.invalidate('api-token', tokenSha256.toLowerCase());
  }

  /** Maps one auth event to the invalidations it implies. Unknown event types are ignored. */
  async handleAuthEventForIdentityCache(event: AuthEvent): Promise<void> {
    switch (event.type) {
      case AUTH_EVENTS.userUpdated:
      case AUTH_EVENTS.userDeactivated:
      case AUTH_EVENTS.userDeleted: {
        const payload = event.payload as AuthEventPayloads['auth.user.updated'];
        await this.invalidateUser(payload.userId);
        return;
      }
      case AUTH_EVENTS.tenantUpdated:
        await this.invalidateTenant((event.payload as AuthEventPayloads['auth.tenant.updated']).tenantId);
        return;
      case AUTH_EVENTS.apiTokenRevoked:
      case AUTH_EVENTS.apiTokenUpdated: {
        const payload = event.payload as AuthEventPayloads['auth.api-token.revoked'];
        if (payload.tokenSha256) {
          await this.invalidateApiToken(payload.tokenSha256);
        } else {
          // Without the hash the token's entry cannot be found; dropping the owner forces the
          // next use of any of their tokens through auth for the user part at least.
          await this.invalidateUser(payload.userId);
        }
        return;
      }
      default:
        return;
    }
  }

  private cacheOf(kind: Kind) {
    return kind === 'user' ? this.identity.users : kind === 'tenant' ? this.identity.tenants : this.identity.apiTokens;
  }

  private async invalidate(kind: Kind, id: string): Promise<void> {
    await this.cacheOf(kind).invalidate(id);
    const message: InvalidationMessage = { kind, id, origin: this.origin };
    await this.redis.publish(this.channel, JSON.stringify(message));
  }

  private onMessage(raw: string): void {
    try {
      const message = JSON.parse(raw) as InvalidationMessage;
      if (message.origin === this.origin) return;
      if (message.kind === 'user' || message.kind === 'tenant' || message.kind === 'api-token') {
        this.cacheOf(message.kind).dropLocal(message.id);
      }
    } catch {
      this.logger.warn(`ignoring malformed invalidation message on ${this.channel}`);
    }
  }

  private clearAllLocal(): void {
    this.identity.users.clearLocal();
    this.identity.tenants.clearLocal();
    this.identity.apiTokens.clearLocal();
  }
}
