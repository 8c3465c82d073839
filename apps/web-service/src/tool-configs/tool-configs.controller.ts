import { AuthGuard, Roles } from '@nafs/auth-client';
import { e5Ok, Idempotent, LegacyFamily } from '@nafs/http';
import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Put, UseGuards } from '@nestjs/common';

import { XssScreenGuard } from '../tools/admin-security';
import { ConfigParamsDto, CreateToolConfigDto, ToolKeyParamsDto, toToolConfigDto, UpdateToolConfigDto } from './dto/tool-config.dto';
import { ToolConfigsService } from './tool-configs.service';

/**
 * `/api/v1/admin/tools/:toolKey/configs` (W6–W11): E5/V3, part of the admin router (XSS screen,
 * security headers). Admins only, except W6, which every authenticated user may read: the
 * dashboard and form analytics call it for everyone (legacy answered non-admins 403).
 */
@Controller('api/v1/admin/tools/:toolKey/configs')
@UseGuards(AuthGuard, XssScreenGuard)
@LegacyFamily({ errors: 'E5', validation: 'V3' })
@Roles('admin')
export class ToolConfigsController {
  constructor(private readonly configs: ToolConfigsService) {}

  /** W6. */
  @Get('active')
  @Roles('admin', 'user', 'readonly')
  async active(@Param() { toolKey }: ToolKeyParamsDto) {
    return e5Ok({ config: toToolConfigDto(await this.configs.active(toolKey)) });
  }

  /** W7. */
  @Get()
  async list(@Param() { toolKey }: ToolKeyParamsDto) {
    const { configs, activeConfig } = await this.configs.list(toolKey);
    return e5Ok({ configs: configs.map(toToolConfigDto), activeConfig: activeConfig ? toToolConfigDto(activeConfig) : null });
  }

  /** W8. */
  @Post()
  @Idempotent()
  @HttpCode(HttpStatus.CREATED)
  async create(@Param() { toolKey }: ToolKeyParamsDto, @Body() body: CreateToolConfigDto) {
    return e5Ok({ config: toToolConfigDto(await this.configs.create(toolKey, body)) });
  }

  /** W10 (registered before W9's `:configId` so `activate` is never read as an id). */
  @Put(':configId/activate')
  async activate(@Param() { toolKey, configId }: ConfigParamsDto) {
    return e5Ok({ config: toToolConfigDto(await this.configs.activate(toolKey, configId)) });
  }

  /** W9. */
  @Put(':configId')
  async update(@Param() { toolKey, configId }: ConfigParamsDto, @Body() body: UpdateToolConfigDto) {
    return e5Ok({ config: toToolConfigDto(await this.configs.update(toolKey, configId, body)) });
  }

  /** W11. */
  @Delete(':configId')
  async remove(@Param() { toolKey, configId }: ConfigParamsDto) {
    await this.configs.remove(toolKey, configId);
    return { success: true, message: 'Configuration deleted successfully' };
  }
}
