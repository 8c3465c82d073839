import type { Readable } from 'node:stream';

import type * as S3 from '@aws-sdk/client-s3';

import { assertSafeKey, type ByteRange, type ObjectStorage, type PutObjectInput, type StoredObject } from './object-storage';

export interface S3StorageOptions {
  /** e.g. `https://fra1.digitaloceanspaces.com`; unset means AWS S3 itself. */
  endpoint?: string;
  bucket: string;
  region: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Base of public object URLs; default `https://<bucket>.<endpoint host>` as legacy built them. */
  publicUrl?: string;
  /** Path-style addressing (MinIO and most self-hosted S3). */
  forcePathStyle?: boolean;
  /** Objects are public-read, as legacy uploaded them (the URLs are stored and embedded). */
  acl?: 'public-read' | 'private';
}

/** The public URL base legacy clients have stored: virtual-hosted style on the endpoint's host. */
export function defaultPublicUrl(options: Pick<S3StorageOptions, 'endpoint' | 'bucket' | 'region' | 'forcePathStyle'>): string {
  if (!options.endpoint) return `https://${options.bucket}.s3.${options.region}.amazonaws.com`;
  const endpoint = new URL(options.endpoint);
  return options.forcePathStyle ? `${endpoint.origin}/${options.bucket}` : `${endpoint.protocol}//${options.bucket}.${endpoint.host}`;
}

/** The SDK, loaded when an S3 storage is built: a service on local disk does not carry it (~4 MB RSS). */
const loadSdk = (): typeof S3 => require('@aws-sdk/client-s3') as typeof S3;

function isMissing(error: unknown): boolean {
  const name = (error as { name?: string })?.name;
  return (
    name === 'NoSuchKey' || name === 'NotFound' || (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 404
  );
}

/** An S3-compatible bucket (DigitalOcean Spaces in legacy, `DO_SPACES_*`). */
export class S3ObjectStorage implements ObjectStorage {
  readonly kind = 's3' as const;
  private readonly sdk = loadSdk();
  private readonly client: S3.S3Client;
  private readonly base: string;

  constructor(private readonly options: S3StorageOptions) {
    this.client = new this.sdk.S3Client({
      endpoint: options.endpoint,
      region: options.region,
      forcePathStyle: options.forcePathStyle,
      credentials:
        options.accessKeyId && options.secretAccessKey
          ? { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey }
          : undefined,
    });
    this.base = (options.publicUrl ?? defaultPublicUrl(options)).replace(/\/+$/, '');
  }

  async put(input: PutObjectInput): Promise<StoredObject> {
    assertSafeKey(input.key);
    await this.client.send(
      new this.sdk.PutObjectCommand({
        Bucket: this.options.bucket,
        Key: input.key,
        Body: input.body,
        ContentType: input.contentType,
        ACL: this.options.acl ?? 'public-read',
        Metadata: input.metadata,
      }),
    );
    return { key: input.key, url: `${this.base}/${input.key}` };
  }

  async delete(key: string): Promise<void> {
    assertSafeKey(key);
    await this.client.send(new this.sdk.DeleteObjectCommand({ Bucket: this.options.bucket, Key: key }));
  }

  async putStream(key: string, body: Readable, contentLength: number, contentType: string): Promise<StoredObject> {
    assertSafeKey(key);
    await this.client.send(
      new this.sdk.PutObjectCommand({
        Bucket: this.options.bucket,
        Key: key,
        Body: body,
        ContentLength: contentLength,
        ContentType: contentType,
        ACL: 'private',
      }),
    );
    return { key, url: `${this.base}/${key}` };
  }

  async openRead(key: string, range?: ByteRange): Promise<Readable | null> {
    assertSafeKey(key);
    try {
      const object = await this.client.send(
        new this.sdk.GetObjectCommand({
          Bucket: this.options.bucket,
          Key: key,
          Range: range ? `bytes=${range.start}-${range.end}` : undefined,
        }),
      );
      return (object.Body as Readable | undefined) ?? null;
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async size(key: string): Promise<number | null> {
    assertSafeKey(key);
    try {
      const head = await this.client.send(new this.sdk.HeadObjectCommand({ Bucket: this.options.bucket, Key: key }));
      return head.ContentLength ?? null;
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  /** Legacy derived the key as the URL path after the host; URLs under another base are not ours. */
  keyFromUrl(url: string): string | null {
    if (!url.startsWith(`${this.base}/`)) return null;
    const key = decodeURIComponent(url.slice(this.base.length + 1).split(/[?#]/)[0]);
    try {
      assertSafeKey(key);
      return key;
    } catch {
      return null;
    }
  }

  destroy(): void {
    this.client.destroy();
  }
}
