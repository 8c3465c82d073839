import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { assertSafeKey, type ObjectStorage, type PutObjectInput, type StoredObject } from './object-storage';
import { mimeTypeOfExtension } from './image-validation';

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
