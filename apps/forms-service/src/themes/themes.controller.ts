import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Put, UploadedFile, UseFilters, UseGuards, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { AuthGuard, CurrentUser } from '@nafs/auth-client';
import type { AuthenticatedUser } from '@nafs/contracts';
import { parseThemeBody, toThemeDto } from './dto/theme.dto';
import { E2Exception, V2ValidationException } from './theme.errors';
import { ThemeThumbnailStorage } from './theme-thumbnail.storage';
import { ThemesExceptionFilter } from './themes.filter';
import { isUuid } from '@nafs/contracts';
import { ThemesService } from './themes.service';

/** The part of multer's file object this route reads. */
interface UploadedThumbnail {
  mimetype: string;
  size: number;
  buffer: Buffer;
}

const MAX_THUMBNAIL_BYTES = 5 * 1024 * 1024;
const EXTENSIONS: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' };

function themeId(id: string): string {
  if (!isUuid(id)) throw new V2ValidationException([{ type: 'field', value: id, msg: 'Invalid theme ID', path: 'id', location: 'params' }]);
  return id;
}

const timestamp = () => new Date().toISOString();

/** `/api/v1/themes` (F13-F20): all authenticated, family E2, validation V2. */
@Controller('api/v1/themes')
@UseGuards(AuthGuard)
@UseFilters(ThemesExceptionFilter)
export class ThemesController {
  constructor(
    private readonly themes: ThemesService,
    private readonly thumbnails: ThemeThumbnailStorage,
  ) {}

  @Post('upload-thumbnail')
  @HttpCode(HttpStatus.OK)
  @UseInterceptors(FileInterceptor('thumbnail', { limits: { fileSize: 6 * 1024 * 1024, files: 1 } }))
  async uploadThumbnail(@CurrentUser() user: AuthenticatedUser, @UploadedFile() file?: UploadedThumbnail) {
    if (!file) throw new E2Exception(HttpStatus.BAD_REQUEST, 'NO_FILE', 'No thumbnail file provided');
    const extension = EXTENSIONS[file.mimetype];
    if (!extension) throw new E2Exception(HttpStatus.UNSUPPORTED_MEDIA_TYPE, 'INVALID_FILE_TYPE', 'Only JPEG, PNG and WebP images are allowed');
    if (file.size > MAX_THUMBNAIL_BYTES) throw new E2Exception(HttpStatus.BAD_REQUEST, 'FILE_TOO_LARGE', 'File size exceeds the 5MB limit');
    const thumbnailUrl = await this.thumbnails.save(user.id, extension, file.buffer);
    return { success: true, message: 'Thumbnail uploaded successfully', data: { thumbnailUrl }, timestamp: timestamp() };
  }

  @Get()
  async list() {
    const themes = await this.themes.listActive();
    return { success: true, message: 'Themes retrieved successfully', data: themes.map(toThemeDto), timestamp: timestamp() };
  }

  @Get(':id')
  async get(@Param('id') id: string) {
    const theme = await this.themes.getActive(themeId(id));
    return { success: true, message: 'Theme retrieved successfully', data: toThemeDto(theme), timestamp: timestamp() };
  }

  @Post()
  @HttpCode(HttpStatus.CREATED)
  async create(@CurrentUser() user: AuthenticatedUser, @Body() body: unknown) {
    const { input, errors } = parseThemeBody(body, 'create');
    if (!input?.name || !input.thumbnailUrl || !input.themeConfig) throw new V2ValidationException(errors);
    const theme = await this.themes.create(user, { ...input, name: input.name, thumbnailUrl: input.thumbnailUrl, themeConfig: input.themeConfig });
    return { success: true, message: 'Theme created successfully', data: toThemeDto(theme), timestamp: timestamp() };
  }

  @Put(':id')
  async update(@CurrentUser() user: AuthenticatedUser, @Param('id') id: string, @Body() body: unknown) {
    const theme = await this.themes.getEditable(id, user, 'edit');
    const { input, errors } = parseThemeBody(body, 'update');
    if (!input) throw new V2ValidationException(errors);
    const updated = await this.themes.update(theme, input);
    return { success: true, message: 'Theme updated successfully', data: toThemeDto(updated), timestamp: timestamp() };
  }

  @Delete(':id')
  async remove(@CurrentUser() user: AuthenticatedUser, @Param('id') id: string) {
    const theme = await this.themes.getEditable(id, user, 'delete');
    await this.themes.softDelete(theme);
    return { success: true, message: 'Theme deleted successfully', timestamp: timestamp() };
  }

  @Post(':id/apply')
  @HttpCode(HttpStatus.OK)
  async apply(@Param('id') id: string) {
    const usageCount = await this.themes.apply(themeId(id));
    return { success: true, message: 'Theme application tracked successfully', data: { usageCount }, timestamp: timestamp() };
  }

  @Get(':id/usage')
  async usage(@CurrentUser() user: AuthenticatedUser, @Param('id') id: string) {
    const data = await this.themes.usage(themeId(id), user);
    return { success: true, message: 'Theme usage retrieved successfully', data, timestamp: timestamp() };
  }
}
