import { NotFoundError } from '@nafs/http';
import { LocalDiskStorage, type ObjectStorage } from '@nafs/storage';
import { Controller, Get, Inject, Param, Res } from '@nestjs/common';
import type { Response } from 'express';

export const UPLOADS_STORAGE = Symbol('UPLOADS_STORAGE');

/**
 * `GET /uploads/<key>`: the files of local-disk storage (FORMS_UPLOADS_DIR: theme thumbnails, form
 * images, QR codes), as the legacy's development-only static `/uploads`. The gateway routes
 * `/uploads` here; with S3 the URLs point at the bucket and this answers 404.
 */
@Controller('uploads')
export class UploadsController {
  constructor(@Inject(UPLOADS_STORAGE) private readonly storage: ObjectStorage) {}

  @Get('*key')
  async file(@Param('key') key: string | string[], @Res() response: Response): Promise<void> {
    const path = Array.isArray(key) ? key.join('/') : key;
    const file = this.storage instanceof LocalDiskStorage ? await this.storage.read(path) : null;
    if (!file) throw new NotFoundError('FILE_NOT_FOUND', 'File not found');
    response.setHeader('Content-Type', file.contentType);
    response.setHeader('Cache-Control', 'public, max-age=86400');
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.send(file.body);
  }
}
