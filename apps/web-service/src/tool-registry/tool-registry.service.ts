import { BadRequestError, NotFoundError } from '@nafs/http';
import { Injectable } from '@nestjs/common';

import type { RegisterToolInput, RegistryStatus, UpdateRegistryInput } from './dto/tool-registry.dto';
import { ToolRegistryRepository } from './tool-registry.repository';
import type { ToolRegistryEntryEntity } from './tool-registry-entry.entity';

/** beta → active | deprecated; active → deprecated; deprecated is terminal (legacy-api.md 5.7). */
const TRANSITIONS: Record<RegistryStatus, readonly RegistryStatus[]> = {
  beta: ['active', 'deprecated'],
  active: ['deprecated'],
  deprecated: [],
};

const notFound = (toolId: string) => new NotFoundError('TOOL_NOT_FOUND', `Tool '${toolId}' not found`);

function checkPaths(toolId: string, route: string | undefined, apiBase: string | undefined): void {
  if (route !== undefined && route !== `/tools/${toolId}`) throw new BadRequestError('INVALID_ROUTE', `Route must be /tools/${toolId}`);
  if (apiBase !== undefined && apiBase !== `/api/tools/${toolId}`)
    throw new BadRequestError('INVALID_API_BASE', `API base must be /api/tools/${toolId}`);
}

/** The tool registry (W19–W24): any authenticated user, as in legacy. */
@Injectable()
export class ToolRegistryService {
  constructor(private readonly registry: ToolRegistryRepository) {}

  list(): Promise<ToolRegistryEntryEntity[]> {
    return this.registry.listNewestFirst();
  }

  async get(toolId: string): Promise<ToolRegistryEntryEntity> {
    const entry = await this.registry.findByToolId(toolId);
    if (!entry) throw notFound(toolId);
    return entry;
  }

  async search(query: string | undefined): Promise<{ query: string; entries: ToolRegistryEntryEntity[] }> {
    const text = (query ?? '').trim();
    if (text.length < 2) throw new BadRequestError('INVALID_QUERY', 'Search query must be at least 2 characters');
    return { query: text, entries: await this.registry.search(text) };
  }

  async register(input: RegisterToolInput, userId: string): Promise<ToolRegistryEntryEntity> {
    checkPaths(input.toolId, input.route, input.apiBase);
    const created = await this.registry.insert({
      toolId: input.toolId,
      name: input.name,
      version: input.version,
      route: input.route,
      apiBase: input.apiBase,
      description: input.description ?? null,
      icon: input.icon ?? null,
      permissions: input.permissions ?? null,
      status: input.status ?? 'beta',
      manifestJson: input.manifestJson,
      createdBy: userId,
    });
    if (!created) throw new BadRequestError('TOOL_EXISTS', `Tool with ID '${input.toolId}' already exists`);
    return created;
  }

  async update(toolId: string, input: UpdateRegistryInput): Promise<ToolRegistryEntryEntity> {
    return this.registry.transaction(async (manager) => {
      const entry = await this.registry.lockByToolId(toolId, manager);
      if (!entry) throw notFound(toolId);
      checkPaths(toolId, input.route, input.apiBase);
      const from = (entry.status ?? 'beta') as RegistryStatus;
      if (input.status !== undefined && input.status !== from && !TRANSITIONS[from]?.includes(input.status)) {
        throw new BadRequestError('INVALID_STATUS_TRANSITION', `Invalid status transition from '${from}' to '${input.status}'`);
      }
      return this.registry.update(entry.id, input, manager);
    });
  }

  /** Exported tools cannot be deleted; export_jobs rows cascade. */
  async remove(toolId: string): Promise<void> {
    await this.registry.transaction(async (manager) => {
      const entry = await this.registry.lockByToolId(toolId, manager);
      if (!entry) throw notFound(toolId);
      if (entry.isExported) throw new BadRequestError('TOOL_EXPORTED', `Cannot delete exported tool '${toolId}'`);
      await this.registry.delete(entry.id, manager);
    });
  }
}
