import { LocalDiskStorage } from './local-storage';
import type { ObjectStorage } from './object-storage';
import { S3ObjectStorage } from './s3-storage';

type Env = Record<string, unknown>;

const str = (env: Env, ...names: string[]) => {
  for (const name of names) {
    const value = env[name];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
};

export interface LocalStorageDefaults {
  /** Directory when no bucket is configured (`UPLOADS_DIR`). */
  dir: string;
  /** URL the owning service serves that directory at (`UPLOADS_PUBLIC_URL`). */
  publicUrl: string;
}

/**
 * S3 when a bucket is configured (`S3_*`, or the legacy `DO_SPACES_*` names), otherwise local
 * disk. The variables are validated by each service's config schema; this only picks.
 */
export function storageFromEnv(env: Env, local: LocalStorageDefaults): ObjectStorage {
  const bucket = str(env, 'S3_BUCKET', 'DO_SPACES_BUCKET');
  if (!bucket) return new LocalDiskStorage(str(env, 'UPLOADS_DIR') ?? local.dir, str(env, 'UPLOADS_PUBLIC_URL') ?? local.publicUrl);
  return new S3ObjectStorage({
    bucket,
    endpoint: str(env, 'S3_ENDPOINT', 'DO_SPACES_ENDPOINT'),
    region: str(env, 'S3_REGION', 'DO_SPACES_REGION') ?? 'us-east-1',
    accessKeyId: str(env, 'S3_ACCESS_KEY_ID', 'DO_SPACES_KEY'),
    secretAccessKey: str(env, 'S3_SECRET_ACCESS_KEY', 'DO_SPACES_SECRET'),
    publicUrl: str(env, 'S3_PUBLIC_URL'),
    forcePathStyle: ['true', '1', 'yes'].includes(String(env.S3_FORCE_PATH_STYLE ?? '').toLowerCase()),
  });
}
