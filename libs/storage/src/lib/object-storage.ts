import type { Readable } from 'node:stream';

export interface PutObjectInput {
  /** e.g. `avatars/<userId>/<ms>-<userId>.png`; `/`-separated, no `..`. */
  key: string;
  body: Buffer;
  contentType: string;
  /** Stored with the object where the backend supports it (S3 user metadata). */
  metadata?: Record<string, string>;
}

/** A byte range, both ends inclusive (as in an HTTP `Range` header). */
export interface ByteRange {
  start: number;
  end: number;
}

export interface StoredObject {
  key: string;
  /** The public URL clients store and load the object from. */
  url: string;
}

/** Where uploaded files live: an S3-compatible bucket, or a local directory the service serves. */
export interface ObjectStorage {
  readonly kind: 's3' | 'local';
  put(input: PutObjectInput): Promise<StoredObject>;
  /** Deletes the object; deleting one that does not exist is not an error. */
  delete(key: string): Promise<void>;
  /** The key of a URL this storage produced, or null for a URL it does not own. */
  keyFromUrl(url: string): string | null;
  /**
   * Stores a stream of known length as a PRIVATE object (never public-read): large files served
   * only through the owning service (export packages).
   */
  putStream(key: string, body: Readable, contentLength: number, contentType: string): Promise<StoredObject>;
  /** The object's bytes, or only `range` of them; null when there is no such object. */
  openRead(key: string, range?: ByteRange): Promise<Readable | null>;
  /** The object's size in bytes, or null when there is no such object. */
  size(key: string): Promise<number | null>;
}

/** Keys are relative, `/`-separated paths of safe characters, never escaping their root. */
/** S3's limit on a key, and far below any filesystem's path limit once split into names of at most 255. */
export const MAX_KEY_LENGTH = 1024;
const MAX_NAME_LENGTH = 255;

export function assertSafeKey(key: string): void {
  const parts = key.split('/');
  if (
    key.length > MAX_KEY_LENGTH ||
    !/^[A-Za-z0-9][A-Za-z0-9._\-/]*$/.test(key) ||
    parts.some((part) => part === '' || part === '.' || part === '..' || part.length > MAX_NAME_LENGTH)
  ) {
    throw new Error(`unsafe object key: ${key.slice(0, 100)}`);
  }
}
