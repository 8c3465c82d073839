import { BadRequestError, NotFoundError } from '@nafs/http';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import type { ToolEntity } from '../tools/tool.entity';
import type { ToolConfigEntity } from '../tools/tool-config.entity';
import { ToolsRepository } from '../tools/tools.repository';
import { type ConfigFields, ToolConfigsRepository } from './tool-configs.repository';

const toolNotFound = (key: string) => new NotFoundError('TOOL_NOT_FOUND', `Tool with key '${key}' not found`);

/**
 * Display configs of a tool (legacy-api.md 3.2 W6–W11, 5.6). Every write that can change which
 * config is active runs with the tool's row locked (SELECT … FOR UPDATE), so concurrent
 * activations of one tool apply one after the other and leave exactly one active config (the
 * legacy trigger alone would let the second fail on the partial unique index).
 */
@Injectable()
export class ToolConfigsService {
  constructor(
    private readonly tools: ToolsRepository,
    private readonly configs: ToolConfigsRepository,
  ) {}

  private async tool(key: string): Promise<ToolEntity> {
    const tool = await this.tools.findByKey(key);
    if (!tool) throw toolNotFound(key);
    return tool;
  }

  private async lockedTool(key: string, manager: EntityManager): Promise<ToolEntity> {
    const tool = await this.tools.lockByKey(key, manager);
    if (!tool) throw toolNotFound(key);
    return tool;
  }

  private async configOf(tool: ToolEntity, configId: string, manager?: EntityManager): Promise<ToolConfigEntity> {
    const config = await this.configs.findById(configId, manager);
    if (!config) throw new NotFoundError('CONFIG_NOT_FOUND', 'Configuration not found');
    if (config.toolId !== tool.id) throw new NotFoundError('CONFIG_NOT_FOUND', 'Configuration does not belong to this tool');
    return config;
  }

  /** W6. */
  async active(toolKey: string): Promise<ToolConfigEntity> {
    const tool = await this.tool(toolKey);
    const config = await this.configs.findActive(tool.id);
    if (!config) throw new NotFoundError('CONFIG_NOT_FOUND', 'No active configuration found for this tool');
    return config;
  }

  /** W7: creates the default config when the tool has none. */
  async list(toolKey: string): Promise<{ configs: ToolConfigEntity[]; activeConfig: ToolConfigEntity | null }> {
    const tool = await this.tool(toolKey);
    let configs = await this.configs.listForTool(tool.id);
    if (!configs.length) {
      configs = await this.configs.transaction(async (manager) => {
        const locked = await this.lockedTool(toolKey, manager);
        if (!(await this.configs.listForTool(locked.id, manager)).length) await this.configs.insertDefault(locked.id, manager);
        return this.configs.listForTool(locked.id, manager);
      });
    }
    return { configs, activeConfig: configs.find((config) => config.isActive) ?? null };
  }

  /** W8. */
  async create(toolKey: string, input: Required<Pick<ConfigFields, 'version' | 'displayMode'>> & ConfigFields): Promise<ToolConfigEntity> {
    return this.configs.transaction(async (manager) => {
      const tool = await this.lockedTool(toolKey, manager);
      if (await this.configs.versionTaken(tool.id, input.version, null, manager)) {
        throw new BadRequestError('VERSION_EXISTS', `Configuration version '${input.version}' already exists for this tool`);
      }
      return this.configs.insert(tool.id, { ...input, isActive: input.isActive ?? false }, manager);
    });
  }

  /** W9. */
  async update(toolKey: string, configId: string, input: ConfigFields): Promise<ToolConfigEntity> {
    return this.configs.transaction(async (manager) => {
      const tool = await this.lockedTool(toolKey, manager);
      await this.configOf(tool, configId, manager);
      if (input.version !== undefined && (await this.configs.versionTaken(tool.id, input.version, configId, manager))) {
        throw new BadRequestError('VERSION_EXISTS', `Configuration version '${input.version}' already exists for this tool`);
      }
      return this.configs.update(configId, input, manager);
    });
  }

  /** W10. */
  async activate(toolKey: string, configId: string): Promise<ToolConfigEntity> {
    return this.configs.transaction(async (manager) => {
      const tool = await this.lockedTool(toolKey, manager);
      await this.configOf(tool, configId, manager);
      return this.configs.update(configId, { isActive: true }, manager);
    });
  }

  /** W11: the active config cannot be deleted. */
  async remove(toolKey: string, configId: string): Promise<void> {
    await this.configs.transaction(async (manager) => {
      const tool = await this.lockedTool(toolKey, manager);
      const config = await this.configOf(tool, configId, manager);
      if (config.isActive)
        throw new BadRequestError('CONFIG_ACTIVE', 'Cannot delete the active configuration. Activate another config first.');
      await this.configs.delete(configId, manager);
    });
  }
}
