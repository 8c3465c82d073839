import { LocalDiskStorage } from './local-storage';
import { defaultPublicUrl, S3ObjectStorage } from './s3-storage';
import { storageFromEnv } from './storage-from-env';

const local = { dir: '/tmp/uploads', publicUrl: 'http://localhost:3000/uploads' };

describe('storageFromEnv', () => {
  it('uses local disk without a bucket', () => {
    expect(storageFromEnv({}, local)).toBeInstanceOf(LocalDiskStorage);
  });

  it('uses S3 with S3_* or the legacy DO_SPACES_* names, keeping the legacy public URL format', () => {
    const spaces = storageFromEnv(
      {
        DO_SPACES_BUCKET: 'nafs',
        DO_SPACES_ENDPOINT: 'https://fra1.digitaloceanspaces.com',
        DO_SPACES_REGION: 'fra1',
        DO_SPACES_KEY: 'k',
        DO_SPACES_SECRET: 's',
      },
      local,
    );
    expect(spaces).toBeInstanceOf(S3ObjectStorage);
    expect(spaces.keyFromUrl('https://nafs.fra1.digitaloceanspaces.com/avatars/u/1-u.png')).toBe('avatars/u/1-u.png');
    expect(spaces.keyFromUrl('https://other.fra1.digitaloceanspaces.com/avatars/u/1-u.png')).toBeNull();
    (spaces as S3ObjectStorage).destroy();
    const minio = storageFromEnv({ S3_BUCKET: 'b', S3_ENDPOINT: 'http://127.0.0.1:9000', S3_FORCE_PATH_STYLE: 'true' }, local);
    expect(minio.keyFromUrl('http://127.0.0.1:9000/b/avatars/x.png')).toBe('avatars/x.png');
    (minio as S3ObjectStorage).destroy();
  });

  it('builds AWS and path-style public URLs', () => {
    expect(defaultPublicUrl({ bucket: 'b', region: 'eu-west-1' })).toBe('https://b.s3.eu-west-1.amazonaws.com');
    expect(defaultPublicUrl({ bucket: 'b', region: 'x', endpoint: 'http://minio:9000', forcePathStyle: true })).toBe('http://minio:9000/b');
  });
});
