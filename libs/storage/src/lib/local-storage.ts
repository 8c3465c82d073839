import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { mimeTypeOfExtension } from './image-validation';
import { assertSafeKey, type ByteRange, type ObjectStorage, type PutObjectInput, type StoredObject } from './object-storage';

/**
 * Files under `rootDir`, published at `publicBaseUrl/<key>` by the service that owns them (the
 * legacy `LocalStorageService`, which served `./uploads` in development). For a single replica or
 * a shared volume; use S3 when replicas do not share a disk.
 */
export class LocalDiskStorage implements ObjectStorage {
  readonly kind = 'local' as const;
  private readonly root: string;
  private readonly base: string;

  constructor(rootDir: string, publicBaseUrl: string) {
    this.root = resolve(rootDir);
    this.base = publicBaseUrl.replace(/\/+$/, '');
  }

  async put(input: PutObjectInput): Promise<StoredObject> {
    const path = this.pathOf(input.key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, input.body);
    return { key: input.key, url: `${this.base}/${input.key}` };
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  /** Written to a temporary name and renamed, so a reader never sees half a file. */
  async putStream(key: string, body: Readable, _contentLength: number, _contentType: string): Promise<StoredObject> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    const partial = `${path}.${process.pid}.${Date.now()}.partial`;
    try {
      await pipeline(body, createWriteStream(partial));
      await rename(partial, path);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
    return { key, url: `${this.base}/${key}` };
  }

  async openRead(key: string, range?: ByteRange): Promise<Readable | null> {
    if ((await this.size(key)) === null) return null;
    return createReadStream(
      this.pathOf(key),
      range ? { start: range.start, end: range.end, highWaterMark: 64 * 1024 } : { highWaterMark: 64 * 1024 },
    );
  }

  async size(key: string): Promise<number | null> {
    let path: string;
    try {
      path = this.pathOf(key);
    } catch {
      return null; // an unsafe key names no object
    }
    try {
      const info = await stat(path);
      return info.isFile() ? info.size : null;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  keyFromUrl(url: string): string | null {
    if (!url.startsWith(`${this.base}/`)) return null;
    const key = url.slice(this.base.length + 1).split(/[?#]/)[0];
    try {
      assertSafeKey(key);
      return key;
    } catch {
      return null;
    }
  }

  /** The file of `key` and its content type, or null when there is none (or the key is unsafe). */
  async read(key: string): Promise<{ body: Buffer; contentType: string } | null> {
    let path: string;
    try {
      path = this.pathOf(key);
    } catch {
      return null;
    }
    try {
      return { body: await readFile(path), contentType: mimeTypeOfExtension(key) ?? 'application/octet-stream' };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'EISDIR') return null;
      throw error;
    }
  }

  private pathOf(key: string): string {
    assertSafeKey(key);
    const path = resolve(join(this.root, key));
    if (!path.startsWith(this.root + sep)) throw new Error(`unsafe object key: ${key}`);
    return path;
  }
}
