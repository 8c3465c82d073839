import { type AuditRecordedPayload, type ToolChangedPayload, WEB_EVENTS } from '@nafs/contracts';
import { ConflictError, NotFoundError, RequestValidationError } from '@nafs/http';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import { WebOutboxWriter } from '../events/web-outbox.writer';
import { type CreateToolInput, type PublicToolDto, toPublicToolDto, toToolDto } from './dto/tool.dto';
import type { ToolEntity } from './tool.entity';
import { ToolsRepository } from './tools.repository';
import { type CachedList, ToolsListCache } from './tools-list.cache';

/** Who made a change, for the audit record auth stores (legacy-api.md 2.11). */
export interface AuditContext {
  userId: string | null;
  tenantId: string | null;
  ipAddress: string | null;
  userAgent: string | null;
}

const toolNotFound = (key: string) => new NotFoundError('TOOL_NOT_FOUND', `Tool with key '${key}' not found`);

/** Admin and public tools (legacy-api.md 3.2 W1–W5, W12–W18; 5.6). */
@Injectable()
export class ToolsService {
  constructor(
    private readonly tools: ToolsRepository,
    private readonly cache: ToolsListCache,
    private readonly outbox: WebOutboxWriter,
  ) {}

  /** W1: `{ tools }` of every tool, by name, with an ETag shared by all replicas (legacy form `W/"<md5>-<epochMs>"`). */
  adminList(): Promise<CachedList> {
    return this.cache.getOrLoad(
      'admin',
      async () => ({ tools: (await this.tools.listAll()).map(toToolDto) }),
      (hash, ms) => `W/"${hash}-${ms}"`,
    );
  }

  /** The admin list's current ETag without touching the database, or null when it must be rebuilt. */
  async adminEtag(): Promise<string | null> {
    return (await this.cache.current('admin')).cached?.etag ?? null;
  }

  /** W16: `{ tools }` of the active tools, public fields only; ETag `"tools-<epochMs>"`, stable until a tool changes. */
  publicList(): Promise<CachedList> {
    return this.cache.getOrLoad(
      'public',
      async () => ({ tools: (await this.tools.listActive()).map(toPublicToolDto) }),
      (_hash, ms) => `"tools-${ms}"`,
    );
  }

  async publicEtag(): Promise<string | null> {
    return (await this.cache.current('public')).cached?.etag ?? null;
  }

  /** W17/W18 from the cached public list: active tools only. */
  async publicTool(match: { key?: string; slug?: string }): Promise<{ tool: PublicToolDto; etag: string }> {
    const list = await this.publicList();
    const { tools } = JSON.parse(list.body) as { tools: PublicToolDto[] };
    const tool = tools.find((candidate) => (match.key !== undefined ? candidate.key === match.key : candidate.slug === match.slug));
    if (!tool) throw new NotFoundError('TOOL_NOT_FOUND', 'Tool not found or disabled');
    return { tool, etag: list.etag };
  }

  async listActive(): Promise<ToolEntity[]> {
    return this.tools.listActive();
  }

  async isKeyAvailable(key: string): Promise<boolean> {
    return !(await this.tools.keyExists(key));
  }

  async getByKey(key: string): Promise<ToolEntity> {
    const tool = await this.tools.findByKey(key);
    if (!tool) throw toolNotFound(key);
    return tool;
  }

  async getBySlug(slug: string): Promise<ToolEntity> {
    const tool = await this.tools.findBySlug(slug);
    if (!tool) throw new NotFoundError('TOOL_NOT_FOUND', `Tool with slug '${slug}' not found`);
    return tool;
  }

  /** W13. The default config comes from the legacy AFTER INSERT trigger only: exactly one. */
  async create(input: CreateToolInput, audit: AuditContext): Promise<ToolEntity> {
    if (await this.tools.keyExists(input.key)) {
      // Legacy reported a taken key as a validation failure (400 V2).
      throw new RequestValidationError([{ path: ['key'], message: 'Tool key already exists' }], 'body', { key: input.key });
    }
    const tool = await this.tools.transaction(async (manager) => {
      const created = await this.tools.insert(
        { key: input.key, name: input.name, description: input.description, active: input.active, slug: input.slug ?? null },
        manager,
      );
      if (!created) {
        // Lost a race for the key, or an explicit slug is taken.
        if (await this.tools.findByKey(input.key, manager))
          throw new ConflictError('TOOL_EXISTS', `Tool with key '${input.key}' already exists`);
        throw new ConflictError('SLUG_EXISTS', `Tool with slug '${input.slug}' already exists`);
      }
      await this.recordChange(manager, WEB_EVENTS.toolCreated, created, created.active);
      await this.recordAudit(manager, audit, 'CREATE', created, {
        key: created.key,
        name: created.name,
        description: created.description,
        active: created.active,
      });
      return created;
    });
    await this.cache.invalidate();
    return tool;
  }

  /** W14. */
  async setActive(key: string, active: boolean, audit: AuditContext): Promise<ToolEntity> {
    const tool = await this.tools.transaction(async (manager) => {
      const updated = await this.tools.setActive(key, active, manager);
      if (!updated) throw toolNotFound(key);
      await this.recordChange(manager, WEB_EVENTS.toolUpdated, updated, updated.active);
      await this.recordAudit(manager, audit, 'UPDATE', updated, { key: updated.key, active: updated.active });
      return updated;
    });
    await this.cache.invalidate();
    return tool;
  }

  /** W15: hard delete, configs cascade. */
  async remove(key: string, audit: AuditContext): Promise<void> {
    await this.tools.transaction(async (manager) => {
      const deleted = await this.tools.deleteByKey(key, manager);
      if (!deleted) throw toolNotFound(key);
      await this.recordChange(manager, WEB_EVENTS.toolDeleted, deleted, false);
      await this.recordAudit(manager, audit, 'DELETE', deleted, { key: deleted.key });
    });
    await this.cache.invalidate();
  }

  private async recordChange(
    manager: EntityManager,
    type: (typeof WEB_EVENTS)['toolCreated' | 'toolUpdated' | 'toolDeleted'],
    tool: ToolEntity,
    active: boolean,
  ) {
    const payload: ToolChangedPayload = { toolId: tool.id, key: tool.key, name: tool.name, active, schemaVersion: 1 };
    await this.outbox.write(manager, type, payload);
  }

  /** The legacy audit rows, with the tool's uuid as resource_id (legacy stored the key, which never fit). */
  private async recordAudit(
    manager: EntityManager,
    audit: AuditContext,
    action: string,
    tool: ToolEntity,
    details: Record<string, unknown>,
  ) {
    const payload: AuditRecordedPayload = {
      schemaVersion: 1,
      userId: audit.userId,
      tenantId: audit.tenantId,
      action,
      resourceType: 'tools',
      resourceId: tool.id,
      details,
      ipAddress: audit.ipAddress,
      userAgent: audit.userAgent,
      occurredAt: new Date().toISOString(),
    };
    await this.outbox.write(manager, WEB_EVENTS.auditRecorded, payload);
  }
}
