import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { LocalDiskStorage } from './local-storage';

describe('LocalDiskStorage', () => {
  let dir: string;
  let storage: LocalDiskStorage;
  const png = Buffer.from('89504e470d0a1a0a0000', 'hex');

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'storage-'));
    storage = new LocalDiskStorage(dir, 'http://gw.example/api/v1/users/uploads/');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('writes under the root, publishes a URL, reads it back with its type, and deletes it', async () => {
    const stored = await storage.put({ key: 'avatars/u1/1-u1.png', body: png, contentType: 'image/png' });
    expect(stored).toEqual({ key: 'avatars/u1/1-u1.png', url: 'http://gw.example/api/v1/users/uploads/avatars/u1/1-u1.png' });
    expect((await stat(join(dir, 'avatars/u1/1-u1.png'))).size).toBe(png.length);
    expect(await storage.read('avatars/u1/1-u1.png')).toEqual({ body: png, contentType: 'image/png' });
    expect(storage.keyFromUrl(stored.url)).toBe('avatars/u1/1-u1.png');
    await storage.delete('avatars/u1/1-u1.png');
    expect(await storage.read('avatars/u1/1-u1.png')).toBeNull();
    await expect(storage.delete('avatars/u1/1-u1.png')).resolves.toBeUndefined();
  });

  it('refuses keys that escape the root and URLs it does not own', async () => {
    // Too long for S3 or for one file name: refused, never a filesystem error (ENAMETOOLONG was a 500).
    for (const key of ['../etc/passwd', 'a/../../b', '/abs', 'a//b', 'a/./b', '', 'x'.repeat(10_000), `a/${'y'.repeat(300)}.png`]) {
      await expect(storage.put({ key, body: png, contentType: 'image/png' })).rejects.toThrow(/unsafe object key/);
      expect(await storage.read(key)).toBeNull();
      expect(await storage.size(key)).toBeNull();
    }
    expect(storage.keyFromUrl('https://elsewhere.example/avatars/x.png')).toBeNull();
    expect(storage.keyFromUrl('http://gw.example/api/v1/users/uploads/../secret')).toBeNull();
  });
});
