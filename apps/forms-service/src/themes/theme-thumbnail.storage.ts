import { BadRequestError, UnsupportedMediaTypeError } from '@nafs/http';
import { checkImage, type ObjectStorage } from '@nafs/storage';
import { Inject, Injectable } from '@nestjs/common';

export const THEME_STORAGE = Symbol('THEME_STORAGE');

/** The part of multer's file object an upload reads. */
export interface UploadedThumbnail {
  mimetype: string;
  size: number;
  buffer: Buffer;
}

/** F13 accepts fewer types than avatars: no GIF. */
const THUMBNAIL_TYPES = new Set(['image/jpeg', 'image/jpg', 'image/png', 'image/webp']);

/**
 * Theme thumbnails through @nafs/storage, under the legacy key
 * `theme-thumbnails/<userId>/<epochMs>-<userId>.<ext>`: an S3 bucket when configured, otherwise
 * local disk served at `/uploads` (UploadsController, through the gateway). The content is checked
 * as avatars are: magic bytes must match the declared type, empty files are refused.
 */
@Injectable()
export class ThemeThumbnailStorage {
  constructor(@Inject(THEME_STORAGE) private readonly storage: ObjectStorage) {}

  async save(userId: string, file: UploadedThumbnail | undefined): Promise<string> {
    if (!file) throw new BadRequestError('NO_FILE', 'No thumbnail file provided');
    if (!THUMBNAIL_TYPES.has(file.mimetype.toLowerCase()))
      throw new UnsupportedMediaTypeError('INVALID_FILE_TYPE', 'Only JPEG, PNG and WebP images are allowed');
    const check = checkImage(file.buffer, file.mimetype);
    if (!check.ok) {
      if (check.reason === 'TOO_LARGE') throw new BadRequestError('FILE_TOO_LARGE', 'File size exceeds the 5MB limit');
      throw new BadRequestError('INVALID_FILE', check.message);
    }
    const stored = await this.storage.put({
      key: `theme-thumbnails/${userId}/${Date.now()}-${userId}.${check.extension}`,
      body: file.buffer,
      contentType: check.mimeType,
      metadata: { userId, purpose: 'theme-thumbnail' },
    });
    return stored.url;
  }
}
