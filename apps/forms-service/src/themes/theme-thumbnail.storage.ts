import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';

export const THEME_UPLOADS = Symbol('THEME_UPLOADS');

export interface ThemeUploadsOptions {
  /** Folder the files are written under (`FORMS_UPLOADS_DIR`). */
  dir: string;
  /** Public base URL the folder is served from (`FORMS_UPLOADS_PUBLIC_URL`). */
  publicUrl: string;
}

/**
 * Where theme thumbnails go: the legacy key `theme-thumbnails/<userId>/<epochMs>-<userId>.<ext>`
 * under a local folder served by this service. (The legacy API wrote to DigitalOcean Spaces; an
 * S3 implementation of this class is the place to add that.)
 */
@Injectable()
export class ThemeThumbnailStorage {
  constructor(@Inject(THEME_UPLOADS) private readonly options: ThemeUploadsOptions) {}

  async save(userId: string, extension: string, content: Buffer): Promise<string> {
    const key = `theme-thumbnails/${userId}/${Date.now()}-${userId}.${extension}`;
    const path = join(resolve(this.options.dir), key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
    return `${this.options.publicUrl.replace(/\/$/, '')}/${key}`;
  }
}
