import { AuthGuard, CurrentUser } from '@nafs/auth-client';
import type { AuthenticatedUser } from '@nafs/contracts';
import { e2Ok, Idempotent, MaxBodyBytes } from '@nafs/http';
import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Put,
  UploadedFile,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';

import { CreateThemeDto, MAX_THEME_BODY_BYTES, ThemeIdParamsDto, toThemeDto, UpdateThemeDto } from './dto/theme.dto';
import type { FormThemeEntity } from './form-theme.entity';
import { EditableTheme, ThemeOwnerGuard } from './theme-owner.guard';
import { ThemeThumbnailStorage, type UploadedThumbnail } from './theme-thumbnail.storage';
import { ThemesService } from './themes.service';

/** `/api/v1/themes` (F13-F20): all authenticated, family E2, validation V2 (forms' LegacyHttpModule routes). */
@Controller('api/v1/themes')
@UseGuards(AuthGuard)
export class ThemesController {
  constructor(
    private readonly themes: ThemesService,
    private readonly thumbnails: ThemeThumbnailStorage,
  ) {}

  @Post('upload-thumbnail')
  @HttpCode(HttpStatus.OK)
  // Multer's own limit is above the 5 MB rule, so an oversize image gets the legacy 400 below.
  @UseInterceptors(FileInterceptor('thumbnail', { limits: { fileSize: 6 * 1024 * 1024, files: 1 } }))
  async uploadThumbnail(@CurrentUser() user: AuthenticatedUser, @UploadedFile() file?: UploadedThumbnail) {
    return e2Ok({ thumbnailUrl: await this.thumbnails.save(user.id, file) }, 'Thumbnail uploaded successfully');
  }

  @Get()
  async list() {
    const themes = await this.themes.listActive();
    return e2Ok(themes.map(toThemeDto), 'Themes retrieved successfully');
  }

  @Get(':id')
  async get(@Param() { id }: ThemeIdParamsDto) {
    return e2Ok(toThemeDto(await this.themes.getActive(id)), 'Theme retrieved successfully');
  }

  @Post()
  @Idempotent()
  @HttpCode(HttpStatus.CREATED)
  @MaxBodyBytes(MAX_THEME_BODY_BYTES)
  async create(@CurrentUser() user: AuthenticatedUser, @Body() body: CreateThemeDto) {
    return e2Ok(toThemeDto(await this.themes.create(user, body)), 'Theme created successfully');
  }

  @Put(':id')
  @UseGuards(ThemeOwnerGuard)
  @MaxBodyBytes(MAX_THEME_BODY_BYTES)
  async update(@EditableTheme() theme: FormThemeEntity, @Body() body: UpdateThemeDto) {
    return e2Ok(toThemeDto(await this.themes.update(theme, body)), 'Theme updated successfully');
  }

  @Delete(':id')
  @UseGuards(ThemeOwnerGuard)
  async remove(@EditableTheme() theme: FormThemeEntity) {
    await this.themes.softDelete(theme);
    return { success: true, message: 'Theme deleted successfully', timestamp: new Date().toISOString() };
  }

  @Post(':id/apply')
  @HttpCode(HttpStatus.OK)
  async apply(@Param() { id }: ThemeIdParamsDto) {
    return e2Ok({ usageCount: await this.themes.apply(id) }, 'Theme application tracked successfully');
  }

  @Get(':id/usage')
  async usage(@CurrentUser() user: AuthenticatedUser, @Param() { id }: ThemeIdParamsDto) {
    return e2Ok(await this.themes.usage(id, user), 'Theme usage retrieved successfully');
  }
}
