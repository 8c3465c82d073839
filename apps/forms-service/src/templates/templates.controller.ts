import { AuthGuard, Public, Roles } from '@nafs/auth-client';
import { Idempotent } from '@nafs/http';
import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Put, Query, UseGuards } from '@nestjs/common';

import { CreateTemplateDto, ListTemplatesQueryDto, TemplateIdParamsDto, toTemplateDto, UpdateTemplateDto } from './dto/template.dto';
import { TemplatesService } from './templates.service';

const now = () => new Date().toISOString();

/** `/api/v1/templates` (X1–X6, frontend #67–#72): errors G, create/update validation VT. */
@Controller('api/v1/templates')
@UseGuards(AuthGuard)
export class TemplatesController {
  constructor(private readonly templates: TemplatesService) {}

  @Get()
  @Public()
  async list(@Query() { category, page, limit }: ListTemplatesQueryDto) {
    const { rows, total } = await this.templates.list(category, page, limit);
    return {
      success: true,
      data: rows.map(toTemplateDto),
      pagination: { total, page, limit, totalPages: Math.ceil(total / limit) },
      timestamp: now(),
    };
  }

  @Get(':id')
  @Public()
  async get(@Param() { id }: TemplateIdParamsDto) {
    return { success: true, data: toTemplateDto(await this.templates.getActive(id)), timestamp: now() };
  }

  @Post()
  @Idempotent()
  @Roles('admin')
  @HttpCode(HttpStatus.CREATED)
  async create(@Body() body: CreateTemplateDto) {
    const template = await this.templates.create(body as CreateTemplateDto & Parameters<TemplatesService['create']>[0]);
    return { success: true, message: 'Template created successfully', data: toTemplateDto(template), timestamp: now() };
  }

  @Put(':id')
  @Roles('admin')
  async update(@Param() { id }: TemplateIdParamsDto, @Body() body: UpdateTemplateDto) {
    const template = await this.templates.update(id, body as Parameters<TemplatesService['update']>[1]);
    return { success: true, message: 'Template updated successfully', data: toTemplateDto(template), timestamp: now() };
  }

  @Delete(':id')
  @Roles('admin')
  async remove(@Param() { id }: TemplateIdParamsDto) {
    await this.templates.softDelete(id);
    return { success: true, message: 'Template deleted successfully', timestamp: now() };
  }

  @Post(':id/apply')
  @HttpCode(HttpStatus.OK)
  async apply(@Param() { id }: TemplateIdParamsDto) {
    return { success: true, data: await this.templates.apply(id), timestamp: now() };
  }
}
