import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

import { pack as tarPack } from 'tar-stream';

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/** A pass-through that SHA-256-hashes and counts what flows through it. */
export class HashingStream extends Transform {
  private readonly hash = createHash('sha256');
  bytes = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null, data?: Buffer) => void): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    done(null, chunk);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

/**
 * Streams every file under `dir` into `<root>/<relative path>` entries of a .tar.gz written to
 * `target`, hashing the compressed bytes on the way: no file or archive is held in memory.
 */
export async function writeTarGz(
  dir: string,
  root: string,
  target: string,
  signal?: AbortSignal,
): Promise<{ sizeBytes: number; checksum: string }> {
  const pack = tarPack();
  const hashing = new HashingStream();
  const written = pipeline(pack, createGzip({ level: 6 }), hashing, createWriteStream(target), { signal });
  const mtime = new Date();
  try {
    for (const file of await filesUnder(dir)) {
      const name = `${root}/${relative(dir, file).split(sep).join('/')}`;
      const { size } = await stat(file);
      await pipeline(createReadStream(file), pack.entry({ name, size, mode: 0o644, mtime }), { signal });
    }
    pack.finalize();
  } catch (error) {
    pack.destroy(error as Error);
    await written.catch(() => undefined);
    throw error;
  }
  await written;
  return { sizeBytes: hashing.bytes, checksum: hashing.digest() };
}
