import { BadRequestError, NotFoundError, UnsupportedMediaTypeError } from '@nafs/http';
import { checkImage, isImageMimeType, type ObjectStorage } from '@nafs/storage';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';

import type { RequestIdentity } from '../access/request-identity';
import { toUserDto, type UserDto } from './user.dto';
import { UserEntity } from './user.entity';

export const OBJECT_STORAGE = Symbol('OBJECT_STORAGE');

export interface UploadedImage {
  buffer: Buffer;
  mimetype: string;
  originalname: string;
  size: number;
}

/** U7/U8: the caller's avatar in object storage (legacy-api.md 5.1). */
@Injectable()
export class AvatarsService {
  private readonly logger = new Logger(AvatarsService.name);

  constructor(
    private readonly dataSource: DataSource,
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
  ) {}

  async upload(identity: RequestIdentity, file: UploadedImage | undefined): Promise<{ user: UserDto; avatarUrl: string }> {
    if (!file) throw new BadRequestError('BAD_REQUEST', 'No file uploaded');
    if (!isImageMimeType(file.mimetype.toLowerCase().replace('image/jpg', 'image/jpeg'))) {
      throw new UnsupportedMediaTypeError('UNSUPPORTED_MEDIA_TYPE', 'Only JPEG, PNG, GIF and WebP images are allowed');
    }
    const check = checkImage(file.buffer, file.mimetype);
    if (!check.ok) throw new BadRequestError('FILE_VALIDATION_ERROR', check.message);
    const stored = await this.storage.put({
      key: `avatars/${identity.id}/${Date.now()}-${identity.id}.${check.extension}`,
      body: file.buffer,
      contentType: check.mimeType,
      metadata: {
        'upload-timestamp': new Date().toISOString(),
        'original-name': encodeURIComponent(file.originalname).slice(0, 200),
        'original-content-type': file.mimetype,
        'validated-content-type': check.mimeType,
        userId: identity.id,
        purpose: 'avatar',
      },
    });
    const previous = await this.replaceUrl(identity.id, stored.url);
    await this.deleteObjectOf(previous);
    const user = await this.dataSource.manager.findOneByOrFail(UserEntity, { id: identity.id });
    return { user: toUserDto(user), avatarUrl: stored.url };
  }

  async remove(identity: RequestIdentity): Promise<{ user: UserDto }> {
    const previous = await this.replaceUrl(identity.id, null);
    await this.deleteObjectOf(previous);
    const user = await this.dataSource.manager.findOneByOrFail(UserEntity, { id: identity.id });
    return { user: toUserDto(user) };
  }

  /** Sets the URL and returns the one it replaced. */
  private async replaceUrl(userId: string, url: string | null): Promise<string | null> {
    return this.dataSource.transaction(async (manager) => {
      const user = await manager.findOne(UserEntity, { where: { id: userId }, lock: { mode: 'pessimistic_write' } });
      if (!user) throw new NotFoundError('NOT_FOUND', 'User not found');
      await manager.update(UserEntity, { id: userId }, { avatarUrl: url });
      return user.avatarUrl;
    });
  }

  private async deleteObjectOf(url: string | null): Promise<void> {
    const key = url ? this.storage.keyFromUrl(url) : null;
    if (!key) return;
    await this.storage.delete(key).catch((error) => this.logger.warn(`old avatar ${key} not deleted: ${(error as Error).message}`));
  }
}
