import { AuthGuard, CurrentUser } from '@nafs/auth-client';
import type { AuthenticatedUser } from '@nafs/contracts';
import { e6Ok, Idempotent, LegacyFamily } from '@nafs/http';
import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Put, Query, UseGuards } from '@nestjs/common';

import {
  RegisterToolDto,
  RegistryIdParamsDto,
  RegistrySearchQueryDto,
  RegistryToolIdParamsDto,
  toRegistryRecord,
  UpdateRegistryDto,
} from './dto/tool-registry.dto';
import { ToolRegistryService } from './tool-registry.service';

/**
 * The tool registry (W19–W24, E6/V4), any authenticated user. Served at the legacy paths
 * (`/api/v1/tools/registry/registry…`, `/register`, `/search`) and at the paths the web app calls
 * (`/api/v1/tools/registry`, `/api/v1/tools/registry/:toolId`, `/api/v1/tools/search`). This
 * module is registered before ToolsModule, so these win over the public `GET /api/v1/tools/:key`.
 * Declaration order matters inside the controller too: fixed segments before parameters.
 */
@Controller('api/v1/tools')
@UseGuards(AuthGuard)
@LegacyFamily({ errors: 'E6', validation: 'V4' })
export class ToolRegistryController {
  constructor(private readonly registry: ToolRegistryService) {}

  /** W19, and the web app's `GET /tools/registry` (frontend #33). */
  @Get(['registry/registry', 'registry'])
  async list() {
    return e6Ok('Tools retrieved successfully', (await this.registry.list()).map(toRegistryRecord));
  }

  /** W24, and the web app's `GET /tools/search` (frontend #35). */
  @Get(['registry/search', 'search'])
  async search(@Query() { q }: RegistrySearchQueryDto) {
    const { query, entries } = await this.registry.search(q);
    return { ...e6Ok('Search completed successfully', entries.map(toRegistryRecord)), query };
  }

  /** W20. */
  @Get('registry/registry/:id')
  async get(@Param() { id }: RegistryIdParamsDto) {
    return e6Ok('Tool retrieved successfully', toRegistryRecord(await this.registry.get(id)));
  }

  /** The web app's `GET /tools/registry/:toolId` (frontend #34). */
  @Get('registry/:toolId')
  async getByToolId(@Param() { toolId }: RegistryToolIdParamsDto) {
    return e6Ok('Tool retrieved successfully', toRegistryRecord(await this.registry.get(toolId)));
  }

  /** W21. */
  @Post('registry/register')
  @Idempotent()
  @HttpCode(HttpStatus.CREATED)
  async register(@CurrentUser() user: AuthenticatedUser, @Body() body: RegisterToolDto) {
    return e6Ok('Tool registered successfully', toRegistryRecord(await this.registry.register(body, user.id)));
  }

  /** W22. */
  @Put('registry/registry/:id')
  async update(@Param() { id }: RegistryIdParamsDto, @Body() body: UpdateRegistryDto) {
    return e6Ok('Tool updated successfully', toRegistryRecord(await this.registry.update(id, body)));
  }

  /** W23. */
  @Delete('registry/registry/:id')
  async remove(@Param() { id }: RegistryIdParamsDto) {
    await this.registry.remove(id);
    return e6Ok('Tool deleted successfully');
  }
}
