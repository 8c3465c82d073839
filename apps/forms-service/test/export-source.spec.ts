import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { TEST_JWT_SECRET } from '@nafs/auth-client/testing';
import { FORMS_PATTERNS, isThemeAssetRef, type ThemeAssetChunk, type ThemeExportSource } from '@nafs/contracts';
import { createRpcClient, rpcCall } from '@nafs/rpc';
import { type RunningTestService, startTestService } from '@nafs/runtime/testing';
import type { ClientProxy } from '@nestjs/microservices';
import { Client } from 'pg';

import { FORMS_SERVICE } from '../src/service';

describe('export source RPC: large theme assets out of band (real PostgreSQL, Redis)', () => {
  let forms: RunningTestService;
  let client: ClientProxy;

  beforeAll(async () => {
    forms = await startTestService(FORMS_SERVICE, {
      JWT_SECRET: TEST_JWT_SECRET,
      FORMS_UPLOADS_DIR: mkdtempSync(join(tmpdir(), 'export-source-uploads-')),
    });
    client = createRpcClient(forms.env);
  });
  afterAll(async () => {
    await client?.close();
    await forms?.close();
  });

  const insertTheme = async (config: unknown): Promise<string> => {
    const db = new Client({ connectionString: forms.database.url });
    await db.connect();
    try {
      const { rows } = await db.query<{ id: string }>(`INSERT INTO form_themes (name, theme_config) VALUES ($1, $2) RETURNING id`, [
        `Export source ${Date.now()} ${Math.random()}`,
        JSON.stringify(config),
      ]);
      return rows[0].id;
    } finally {
      await db.end();
    }
  };
  const chunk = (request: Record<string, unknown>) => rpcCall<ThemeAssetChunk>(client, FORMS_PATTERNS.themeAssetChunk, request);

  it('replaces large strict-base64 data URLs by references whose slices reassemble to the stored text', async () => {
    const big = randomBytes(300 * 1024).toString('base64');
    const small = `data:image/gif;base64,${randomBytes(512).toString('base64')}`;
    // Not strict base64 (line breaks) or not base64 at all: kept inline whatever their size.
    const wrapped = `data:image/png;base64,${big.slice(0, 70000).replace(/(.{76})/g, '$1\n')}`;
    const plain = `data:image/svg+xml,${'%3Csvg%3E'.repeat(8000)}`;
    const themeId = await insertTheme({ a: { list: [1, `data:image/png;base64,${big}`] }, small, wrapped, plain, color: '#fff' });

    const theme = await rpcCall<ThemeExportSource>(client, FORMS_PATTERNS.themeExportSource, { themeId });
    const config = theme.themeConfig as Record<string, unknown> & { a: { list: unknown[] } };
    expect(config).toMatchObject({ small, wrapped, plain, color: '#fff' });
    const ref = config.a.list[1];
    expect(isThemeAssetRef(ref)).toBe(true);
    expect(ref).toEqual({
      $themeAsset: {
        column: 'theme_config',
        path: ['a', 'list', '1'],
        header: 'data:image/png;base64,',
        length: big.length,
        sha256: createHash('sha256').update(big).digest('hex'),
      },
    });

    const header = 'data:image/png;base64,'.length;
    let text = '';
    for (let offset = header; offset < header + big.length; offset += 65536) {
      const slice = await chunk({ themeId, column: 'theme_config', path: ['a', 'list', '1'], offset, length: 65536 });
      expect(slice.total).toBe(header + big.length);
      text += slice.data;
    }
    expect(text).toBe(big);
  });

  it('refuses malformed slice requests and answers NOT_FOUND for what is not a string of an existing theme', async () => {
    const themeId = await insertTheme({ nested: { a: 1 }, value: 'x' });
    const good = { themeId, column: 'theme_config', path: ['value'], offset: 0, length: 1 };
    expect(await chunk(good)).toEqual({ data: 'x', total: 1 });
    for (const bad of [
      { ...good, themeId: 'nope' },
      { ...good, column: 'name' },
      { ...good, column: 'theme_config; DROP TABLE form_themes' },
      { ...good, path: [] },
      { ...good, path: [1] },
      { ...good, offset: -1 },
      { ...good, length: 0 },
      { ...good, length: 512 * 1024 + 1 },
    ])
      await expect(chunk(bad)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    for (const missing of [
      { ...good, path: ['nested'] },
      { ...good, path: ['absent'] },
      { ...good, themeId: '00000000-0000-4000-8000-000000000000' },
    ])
      await expect(chunk(missing)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
