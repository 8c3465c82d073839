import { BadRequestError, ConflictError, ForbiddenError, NotFoundError, RequestValidationError } from '@nafs/http';
import { Inject, Injectable } from '@nestjs/common';
import { hash } from 'bcrypt';
import { DataSource, type EntityManager } from 'typeorm';

import type { RequestIdentity } from '../access/request-identity';
import { AuditLogsService } from '../audit-logs/audit-logs.service';
import { AUTH_CONFIG, type AuthConfig } from '../config/auth.config';
import { SessionEntity } from '../sessions/session.entity';
import type { ClientMeta } from '../sessions/sessions.service';
import { toUserDto, type UserDto } from './user.dto';
import { UserEntity } from './user.entity';
import type { CreateUserInput, ListUsersQuery, PatchUserInput, ReplaceUserInput } from './users.schemas';
import { type UserChanges, UsersService } from './users.service';

const NOT_FOUND = () => new NotFoundError('NOT_FOUND', 'User not found');
const EMAIL_TAKEN = () => new ConflictError('CONFLICT', 'Email already exists');
const isUniqueViolation = (error: unknown) => (error as { code?: string })?.code === '23505';

/** The audit `changes` of U4/U5 (legacy 2.11): provided truthy texts and role, flags when defined. */
function auditChanges(input: PatchUserInput): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  for (const key of ['email', 'firstName', 'lastName', 'role'] as const) if (input[key]) changes[key] = input[key];
  for (const key of ['isActive', 'emailVerified'] as const) if (input[key] !== undefined) changes[key] = input[key];
  return changes;
}

/**
 * /api/v1/users (legacy-api.md 3.1 U1-U6). An admin manages the users of their own tenant (or the
 * tenant-less users when they have none); others only read and patch themselves. Role changes are
 * persisted (legacy dropped them). Each change, its audit row and its outbox event share one
 * transaction.
 */
@Injectable()
export class UserAdminService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly audit: AuditLogsService,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
  ) {}

  async create(actor: RequestIdentity, input: CreateUserInput, meta: ClientMeta): Promise<UserDto> {
    if (await this.users.emailTaken(input.email, actor.tenantId)) {
      throw new RequestValidationError([{ path: ['email'], message: 'Email already exists' }], 'body', input);
    }
    const passwordHash = await hash(input.password, this.config.BCRYPT_ROUNDS);
    try {
      const user = await this.dataSource.transaction(async (manager) => {
        if (await this.users.emailTaken(input.email, actor.tenantId, undefined, manager)) throw EMAIL_TAKEN();
        const created = await this.users.insert(manager, {
          email: input.email,
          passwordHash,
          firstName: input.firstName,
          lastName: input.lastName,
          role: input.role,
          tenantId: actor.tenantId,
        });
        await this.audit.record(
          {
            userId: actor.id,
            tenantId: actor.tenantId,
            action: 'CREATE',
            resourceType: 'users',
            resourceId: created.id,
            changes: { email: input.email, firstName: input.firstName, lastName: input.lastName, role: input.role },
            meta,
          },
          manager,
        );
        return created;
      });
      return toUserDto(user);
    } catch (error) {
      if (isUniqueViolation(error)) throw EMAIL_TAKEN();
      throw error;
    }
  }

  async list(actor: RequestIdentity, query: ListUsersQuery) {
    const { users, total } = await this.users.list(actor.tenantId, query);
    const pages = Math.ceil(total / query.limit);
    return {
      users: users.map(toUserDto),
      pagination: { page: query.page, limit: query.limit, total, pages, hasNext: query.page < pages, hasPrev: query.page > 1 },
    };
  }

  async get(actor: RequestIdentity, id: string): Promise<UserDto> {
    return toUserDto(await this.visible(actor, id));
  }

  async replace(actor: RequestIdentity, id: string, input: ReplaceUserInput, meta: ClientMeta): Promise<UserDto> {
    return this.change(actor, id, input, 'UPDATE', meta);
  }

  async patch(actor: RequestIdentity, id: string, input: PatchUserInput, meta: ClientMeta): Promise<UserDto> {
    // Non-admins editing themselves may change only their names and email; the rest is ignored.
    const allowed: PatchUserInput =
      actor.role === 'admin' ? input : { email: input.email, firstName: input.firstName, lastName: input.lastName };
    const provided = Object.fromEntries(Object.entries(allowed).filter(([, value]) => value !== undefined)) as PatchUserInput;
    if (!Object.keys(provided).length) {
      await this.visible(actor, id);
      throw new BadRequestError('BAD_REQUEST', 'No valid fields provided for update');
    }
    return this.change(actor, id, provided, 'PATCH', meta);
  }

  async remove(actor: RequestIdentity, id: string, meta: ClientMeta): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const before = await this.lockVisible(manager, actor, id);
      if (!before || before.isActive !== true) throw new NotFoundError('NOT_FOUND', 'User not found or already deleted');
      await this.users.apply(manager, before, { isActive: false });
      await manager.delete(SessionEntity, { userId: id });
      await this.audit.record(
        {
          userId: actor.id,
          tenantId: actor.tenantId,
          action: 'DELETE',
          resourceType: 'users',
          resourceId: id,
          changes: { deleted: true },
          meta,
        },
        manager,
      );
    });
  }

  /**
   * Permanent deletion (new; legacy only soft-deleted): for erasure requests and clean-ups. Admins
   * only, within their tenant, never themselves. The audit row records who erased whom.
   */
  async erase(actor: RequestIdentity, id: string, meta: ClientMeta): Promise<void> {
    if (actor.id === id) throw new BadRequestError('VALIDATION_ERROR', 'You cannot permanently delete your own account');
    await this.dataSource.transaction(async (manager) => {
      const user = await this.lockVisible(manager, actor, id);
      if (!user) throw NOT_FOUND();
      await this.users.erase(manager, user);
      await this.audit.record(
        {
          userId: actor.id,
          tenantId: actor.tenantId,
          action: 'ERASE',
          resourceType: 'users',
          resourceId: id,
          changes: { erased: true },
          meta,
        },
        manager,
      );
    });
  }

  private async change(
    actor: RequestIdentity,
    id: string,
    input: PatchUserInput,
    action: 'UPDATE' | 'PATCH',
    meta: ClientMeta,
  ): Promise<UserDto> {
    try {
      const user = await this.dataSource.transaction(async (manager) => {
        const before = await this.lockVisible(manager, actor, id);
        if (!before) throw NOT_FOUND();
        if (input.email && input.email !== before.email && (await this.users.emailTaken(input.email, before.tenantId, before.id, manager)))
          throw EMAIL_TAKEN();
        const changes: UserChanges = {
          email: input.email,
          firstName: input.firstName,
          lastName: input.lastName,
          role: input.role,
          isActive: input.isActive,
          emailVerified: input.emailVerified,
        };
        const { user: after } = await this.users.apply(manager, before, changes);
        await this.audit.record(
          { userId: actor.id, tenantId: actor.tenantId, action, resourceType: 'users', resourceId: id, changes: auditChanges(input), meta },
          manager,
        );
        return after;
      });
      return toUserDto(user);
    } catch (error) {
      if (isUniqueViolation(error)) throw EMAIL_TAKEN();
      throw error;
    }
  }

  /** The user `actor` may see: themselves, or (admins) anyone of their tenant; 403/404 otherwise. */
  private async visible(actor: RequestIdentity, id: string, manager: EntityManager = this.dataSource.manager): Promise<UserEntity> {
    if (actor.id !== id && actor.role !== 'admin') throw new ForbiddenError('FORBIDDEN', 'Insufficient permissions to access this user');
    const user = await this.users.findById(id, manager);
    if (!user || (actor.id !== id && user.tenantId !== actor.tenantId)) throw NOT_FOUND();
    return user;
  }

  private async lockVisible(manager: EntityManager, actor: RequestIdentity, id: string): Promise<UserEntity | null> {
    if (actor.id !== id && actor.role !== 'admin') throw new ForbiddenError('FORBIDDEN', 'Insufficient permissions to access this user');
    const user = await manager.findOne(UserEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!user || (actor.id !== id && user.tenantId !== actor.tenantId)) return null;
    return user;
  }
}
