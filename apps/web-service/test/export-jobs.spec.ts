import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

import { AuthFixture, TEST_JWT_SECRET, type TestUser } from '@nafs/auth-client/testing';
import {
  copyLegacyTables,
  createEmptyDatabase,
  createSeededLegacyDatabase,
  type TestDatabase,
  testInfra,
  uniqueRedisPrefix,
  waitFor,
} from '@nafs/database/testing';
import { type RunningTestService, ServiceProcess, startTestService } from '@nafs/runtime/testing';
import { Client } from 'pg';
import { extract } from 'tar-stream';

import { WEB_SERVICE } from '../src/service';

const BASE = '/api/v1/tool-registry';
const FORM_STEPS = [
  'validate-form-data',
  'generate-express-boilerplate',
  'copy-form-schemas',
  'generate-prisma-schema',
  'generate-migrations',
  'generate-docker-config',
  'generate-readme',
  'package-archive',
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field
type Body = Record<string, any>;

async function query<T = Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

async function untar(archive: Buffer): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const reader = extract();
  const done = new Promise<void>((resolve, reject) => {
    reader.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        files.set(header.name, Buffer.concat(chunks));
        next();
      });
    });
    reader.on('finish', resolve);
    reader.on('error', reject);
  });
  reader.end(gunzipSync(archive));
  await done;
  return files;
}

describe('export jobs W25-W31, #41 (real PostgreSQL, Redis, BullMQ, auth- and forms-service)', () => {
  let auth: AuthFixture;
  let legacy: TestDatabase;
  let formsDb: TestDatabase;
  let forms: ServiceProcess;
  let web: RunningTestService;
  let webUrl: string;
  let webEnv: Record<string, string>;
  let storageDir: string;
  let scratchDir: string;
  let admin: TestUser;
  let user: TestUser;
  let adminToken: string;
  let userToken: string;
  /** A registered forms tool of the fixture whose form's latest schema has fields. */
  let toolKey: string;
  let latestSchemaJson: unknown;

  const call = async (method: string, path: string, token: string | undefined, headers: Record<string, string> = {}) => {
    const res = await fetch(`${webUrl}${path}`, {
      method,
      headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...headers },
    });
    const bytes = Buffer.from(await res.arrayBuffer());
    let body: Body | string;
    try {
      body = JSON.parse(bytes.toString('utf8')) as Body;
    } catch {
      body = bytes.toString('utf8');
    }
    return { status: res.status, headers: res.headers, body: body as Body, bytes };
  };
  const webDb = <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => query<T>(web.database.url, sql, params);
  const jobRow = async (jobId: string) => (await webDb<Body>('SELECT * FROM export_jobs WHERE job_id = $1', [jobId]))[0];
  const startExport = async (key = toolKey) => {
    const res = await call('POST', `${BASE}/tools/${key}/export`, adminToken);
    expect(res.status).toBe(201);
    return res.body.data.jobId as string;
  };
  const waitForStatus = (jobId: string, statuses: string[], timeoutMs = 30000) =>
    waitFor(
      async () => {
        const row = await jobRow(jobId);
        return statuses.includes(row.status) ? row : undefined;
      },
      timeoutMs,
      `job ${jobId} in ${statuses.join('/')}`,
      100,
    );

  beforeAll(async () => {
    const prefix = uniqueRedisPrefix('exp');
    const shared = { REDIS_URL: testInfra().redisUrl, REDIS_KEY_PREFIX: prefix, RPC_CHANNEL_PREFIX: prefix };
    auth = new AuthFixture(shared);
    const [, seeded, formsDatabase] = await Promise.all([
      auth.addReplica(),
      createSeededLegacyDatabase('exp_legacy'),
      createEmptyDatabase('exp_forms'),
    ]);
    legacy = seeded;
    formsDb = formsDatabase;
    storageDir = await mkdtemp(join(tmpdir(), 'exp-storage-'));
    scratchDir = await mkdtemp(join(tmpdir(), 'exp-scratch-'));
    forms = new ServiceProcess(
      'forms-service',
      {
        NODE_ENV: 'test',
        LOG_LEVEL: 'error',
        FORMS_DB_URL: formsDb.url,
        DB_MIGRATE_ON_START: 'true',
        JWT_SECRET: TEST_JWT_SECRET,
        FORMS_UPLOADS_DIR: join(scratchDir, 'uploads'),
        ...shared,
      },
      { fromSources: true },
    );
    webEnv = {
      ...shared,
      JWT_SECRET: TEST_JWT_SECRET,
      EXPORT_STORAGE_DIR: storageDir,
      EXPORT_TEMP_DIR: join(scratchDir, 'work'),
      EXPORT_STEP_DELAY_MS: '250',
      EXPORT_STEP_BACKOFF_MS: '50',
      EXPORT_LOCK_MS: '2000',
      EXPORT_CLEANUP_EVERY_MS: '500',
      // The defaults (1 s per attempt, 3 s overall): the shared test machine can be very slow.
      FORMS_RPC_TIMEOUT_MS: '1000',
      FORMS_RPC_DEADLINE_MS: '3000',
    };
    const [, webService] = await Promise.all([forms.start(), startTestService(WEB_SERVICE, webEnv)]);
    web = webService;
    webUrl = web.url;
    await Promise.all([copyLegacyTables(legacy.url, formsDb.url, 'forms'), copyLegacyTables(legacy.url, web.database.url, 'web')]);
    admin = await auth.createUser({ role: 'admin' });
    user = await auth.createUser();
    adminToken = auth.accessToken(admin);
    userToken = auth.accessToken(user);

    // The fixture's forms tools (legacy-form-export first) and, from forms' database, their forms' latest schemas.
    const tools = await webDb<{ tool_id: string; schema_id: string }>(
      `SELECT tool_id, manifest_json -> 'toolMetadata' ->> 'formSchemaId' AS schema_id FROM tool_registry
       WHERE manifest_json ->> 'toolType' = 'forms' AND manifest_json -> 'toolMetadata' ? 'formSchemaId' ORDER BY (tool_id = 'legacy-form-export') DESC, tool_id`,
    );
    for (const tool of tools) {
      const [latest] = await query<{ schema_json: Body }>(
        formsDb.url,
        `SELECT l.schema_json FROM form_schemas s JOIN LATERAL (SELECT schema_json FROM form_schemas WHERE form_id = s.form_id ORDER BY schema_version DESC, created_at DESC LIMIT 1) l ON true
         JOIN forms f ON f.id = s.form_id WHERE s.id = $1`,
        [tool.schema_id],
      );
      if (latest && Array.isArray(latest.schema_json?.fields) && latest.schema_json.fields.length > 0) {
        toolKey = tool.tool_id;
        latestSchemaJson = latest.schema_json;
        break;
      }
    }
    expect(toolKey).toBeDefined();
  }, 180000);

  afterAll(async () => {
    // The last test closed the in-process app already.
    await web?.close().catch(() => web.database.drop());
    await forms?.stop();
    await auth?.stopAll();
    await Promise.all([legacy?.drop(), formsDb?.drop()]);
    await rm(storageDir, { recursive: true, force: true });
    await rm(scratchDir, { recursive: true, force: true });
  });

  it('exports a fixture form end to end: progress per step, checksum, download, the real schema inside', async () => {
    const preflight = await call('POST', `${BASE}/tools/${toolKey}/export/validate`, adminToken);
    expect(preflight.body.errors).toEqual([]);
    expect(preflight.status).toBe(200);
    expect(preflight.body).toMatchObject({
      success: true,
      errors: [],
      timestamp: expect.any(String),
      estimatedDurationMs: 30000 + 5000 * preflight.body.warnings.length,
    });
    expect(preflight.body.info.join(' ')).toMatch(/fields, \d+ submissions/);

    const started = await call('POST', `${BASE}/tools/${toolKey}/export`, adminToken);
    expect(started.status).toBe(201);
    const jobId = started.body.data.jobId;
    expect(started.body).toMatchObject({ jobId, status: 'pending', stepsTotal: 8, userId: admin.id, data: { jobId, status: 'pending' } });

    const seenSteps = new Set<string>();
    const seenProgress = new Set<number>();
    let final: Body | undefined;
    const deadline = Date.now() + 30000;
    while (Date.now() < deadline) {
      const status = await call('GET', `${BASE}/export-jobs/${jobId}`, adminToken);
      expect(status.status).toBe(200);
      expect(status.headers.get('cache-control')).toBe('no-cache, no-store, must-revalidate');
      expect(status.body.jobId).toBe(jobId);
      expect(status.body.data).toEqual({ ...status.body, data: undefined });
      if (status.body.currentStep) seenSteps.add(status.body.currentStep);
      seenProgress.add(status.body.progressPercentage);
      if (['completed', 'failed', 'rolled_back'].includes(status.body.status)) {
        final = status.body;
        break;
      }
      await new Promise((r) => setTimeout(r, 80));
    }
    expect(final).toMatchObject({
      status: 'completed',
      progressPercentage: 100,
      stepsCompleted: 8,
      packagePath: `${BASE}/export-jobs/${jobId}/download`,
      errorMessage: null,
    });
    expect(seenSteps.size).toBeGreaterThanOrEqual(4);
    for (const step of seenSteps) expect(FORM_STEPS).toContain(step);
    expect(seenProgress.size).toBeGreaterThanOrEqual(4);
    expect(JSON.stringify(final)).not.toContain(storageDir);

    const checksum = await call('GET', `${BASE}/export-jobs/${jobId}/checksum`, adminToken);
    expect(checksum.status).toBe(200);
    expect(checksum.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(checksum.body).toMatchObject({
      jobId,
      algorithm: 'sha256',
      packageChecksum: expect.stringMatching(/^[0-9a-f]{64}$/),
      packageSizeBytes: final?.packageSizeBytes,
    });

    const download = await call('GET', `${BASE}/export-jobs/${jobId}/download`, adminToken);
    expect(download.status).toBe(200);
    expect(createHash('sha256').update(download.bytes).digest('hex')).toBe(checksum.body.packageChecksum);
    expect(download.bytes.length).toBe(final?.packageSizeBytes);
    expect(download.headers.get('content-type')).toBe('application/gzip');
    expect(download.headers.get('content-disposition')).toMatch(
      new RegExp(`^attachment; filename="export-${jobId}-\\d{4}-\\d{2}-\\d{2}\\.tar\\.gz"$`),
    );
    expect(download.headers.get('accept-ranges')).toBe('bytes');
    expect(download.headers.get('x-content-type-options')).toBe('nosniff');
    expect(download.headers.get('content-security-policy')).toBe("default-src 'none'");
    const files = await untar(download.bytes);
    expect(JSON.parse(files.get(`${toolKey}/schemas/schema.json`)?.toString() ?? 'null')).toEqual(latestSchemaJson);
    for (const name of ['package.json', 'src/server.js', 'prisma/schema.prisma', 'Dockerfile', 'README.md'])
      expect(files.has(`${toolKey}/${name}`)).toBe(true);

    await waitFor(async () => (await jobRow(jobId)).download_count === 1, 5000, 'download counted');
    const row = await jobRow(jobId);
    expect(row.checksum_verified_at).not.toBeNull();
    expect(row.last_downloaded_at).not.toBeNull();

    // Range requests reassemble to the same bytes; a bad range is a 400 and counts nothing.
    const size = download.bytes.length;
    const cut = Math.floor(size / 3);
    const first = await call('GET', `${BASE}/export-jobs/${jobId}/download`, adminToken, { Range: `bytes=0-${cut - 1}` });
    const second = await call('GET', `${BASE}/export-jobs/${jobId}/download`, adminToken, { Range: `bytes=${cut}-${2 * cut - 1}` });
    const rest = await call('GET', `${BASE}/export-jobs/${jobId}/download`, adminToken, { Range: `bytes=${2 * cut}-` });
    expect([first.status, second.status, rest.status]).toEqual([206, 206, 206]);
    expect(first.headers.get('content-range')).toBe(`bytes 0-${cut - 1}/${size}`);
    expect(Buffer.concat([first.bytes, second.bytes, rest.bytes]).equals(download.bytes)).toBe(true);
    for (const range of ['bytes=abc', `bytes=${size + 10}-`, 'bytes=5-2', 'bytes=0-1,4-5', 'items=0-1']) {
      const bad = await call('GET', `${BASE}/export-jobs/${jobId}/download`, adminToken, { Range: range });
      expect({ range, status: bad.status, code: bad.body.code }).toEqual({ range, status: 400, code: 'INVALID_RANGE' });
    }
    await waitFor(async () => (await jobRow(jobId)).download_count === 2, 5000, 'the ranged download counted once');
  });

  it('lists jobs (admin all, others their own) and refuses bad sort, limit and filters with 400, changing nothing', async () => {
    const ours = await startExport();
    await waitForStatus(ours, ['completed']);
    const before = await webDb<{ n: string }>('SELECT count(*)::text AS n FROM export_jobs');
    const all = await call('GET', `${BASE}/export-jobs?limit=100&sort_by=created_at&sort_order=desc`, adminToken);
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({
      total: Number(before[0].n),
      limit: 100,
      offset: 0,
      page: 1,
      totalPages: Math.ceil(Number(before[0].n) / 100),
    });
    expect(all.body.jobs.find((job: Body) => job.jobId === ours)).toMatchObject({
      userId: admin.id,
      toolName: expect.any(String),
      toolType: 'forms',
      status: 'completed',
    });
    for (const job of all.body.jobs) expect(job.packagePath === null || job.packagePath.startsWith(`${BASE}/export-jobs/`)).toBe(true);
    const times = all.body.jobs.map((job: Body) => new Date(job.createdAt).getTime());
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    const completed = await call(
      'GET',
      `${BASE}/export-jobs?status_filter=completed,failed&sort_by=download_count&sort_order=asc&limit=5&offset=5`,
      adminToken,
    );
    expect(completed.status).toBe(200);
    expect(completed.body).toMatchObject({ limit: 5, offset: 5, page: 2 });
    for (const job of completed.body.jobs) expect(['completed', 'failed']).toContain(job.status);
    const byTool = await call('GET', `${BASE}/export-jobs?tool_type_filter=${toolKey}`, adminToken);
    expect(byTool.body.jobs.length).toBeGreaterThan(0);

    const own = await call('GET', `${BASE}/export-jobs`, userToken);
    expect(own).toMatchObject({ status: 200, body: { jobs: [], total: 0 } });

    const bad: [string, string][] = [
      ['limit=1000', 'INVALID_LIMIT'],
      ['limit=0', 'INVALID_LIMIT'],
      ['limit=abc', 'INVALID_LIMIT'],
      ['offset=-1', 'INVALID_OFFSET'],
      ['sort_by=password', 'INVALID_PARAMETERS'],
      ['sort_by=created_at;DROP TABLE export_jobs', 'INVALID_PARAMETERS'],
      ['sort_order=sideways', 'INVALID_PARAMETERS'],
      ['status_filter=done', 'INVALID_PARAMETERS'],
      ['start_date=yesterday', 'INVALID_PARAMETERS'],
    ];
    for (const [qs, code] of bad) {
      const res = await call('GET', `${BASE}/export-jobs?${qs}`, adminToken);
      expect({ qs, status: res.status, body: res.body }).toEqual({
        qs,
        status: 400,
        body: { status: 'error', code, message: expect.any(String), timestamp: expect.any(String) },
      });
    }
    // NUL bytes are refused for every route before the handler (the V1 shape of the family).
    expect((await call('GET', `${BASE}/export-jobs?tool_type_filter=a%00b`, adminToken)).status).toBe(400);
    expect(await webDb('SELECT count(*)::text AS n FROM export_jobs')).toEqual(before);
  });

  it("keeps users out of other users' jobs and needs the export permission to start", async () => {
    const jobId = await startExport();
    await waitForStatus(jobId, ['completed']);
    const checks: [string, string, number, string][] = [
      ['GET', `${BASE}/export-jobs/${jobId}`, 403, 'PERMISSION_DENIED'],
      ['GET', `${BASE}/export-jobs/${jobId}/checksum`, 403, 'PERMISSION_DENIED'],
      ['GET', `${BASE}/export-jobs/${jobId}/download`, 403, 'DOWNLOAD_UNAUTHORIZED'],
      ['POST', `${BASE}/export-jobs/${jobId}/cancel`, 403, 'UNAUTHORIZED_CANCELLATION'],
      ['DELETE', `${BASE}/export-jobs/${jobId}`, 403, 'PERMISSION_DENIED'],
      ['POST', `${BASE}/tools/${toolKey}/export`, 403, 'PERMISSION_DENIED'],
    ];
    for (const [method, path, status, code] of checks) {
      const res = await call(method, path, userToken);
      expect({ path, method, status: res.status, code: res.body.code }).toEqual({ path, method, status, code });
    }
    expect((await call('GET', `${BASE}/export-jobs/${jobId}`, undefined)).status).toBe(401);
    const row = await jobRow(jobId);
    expect(row).toMatchObject({ status: 'completed', download_count: 0 });

    // The owner (an admin here) deletes it: row and package gone.
    const key = row.package_path as string;
    expect((await stat(join(storageDir, key))).isFile()).toBe(true);
    const deleted = await call('DELETE', `${BASE}/export-jobs/${jobId}`, adminToken);
    expect(deleted).toMatchObject({ status: 200, body: { jobId } });
    expect(await jobRow(jobId)).toBeUndefined();
    await expect(stat(join(storageDir, key))).rejects.toThrow();
    expect((await call('GET', `${BASE}/export-jobs/${jobId}`, adminToken)).body.code).toBe('JOB_NOT_FOUND');
  });

  it('answers bad ids and unknown jobs or tools with 4xx and changes nothing', async () => {
    const before = await webDb('SELECT job_id, status, download_count FROM export_jobs ORDER BY job_id');
    for (const id of ['not-a-uuid', '123', "1' OR '1'='1", 'x'.repeat(5000)]) {
      for (const [method, suffix] of [
        ['GET', ''],
        ['GET', '/checksum'],
        ['GET', '/download'],
        ['POST', '/cancel'],
        ['DELETE', ''],
      ]) {
        const res = await call(method, `${BASE}/export-jobs/${encodeURIComponent(id)}${suffix}`, adminToken);
        expect({ id: id.slice(0, 20), suffix, status: res.status }).toEqual({ id: id.slice(0, 20), suffix, status: 400 });
        expect(res.body).toMatchObject({ error: 'Validation Error', details: [{ field: 'jobId', message: 'Invalid job ID format' }] });
      }
    }
    const missing = '00000000-0000-4000-8000-000000000000';
    for (const [method, suffix] of [
      ['GET', ''],
      ['GET', '/checksum'],
      ['GET', '/download'],
      ['POST', '/cancel'],
      ['DELETE', ''],
    ]) {
      const res = await call(method, `${BASE}/export-jobs/${missing}${suffix}`, adminToken);
      expect({ suffix, status: res.status, code: res.body.code }).toEqual({ suffix, status: 404, code: 'JOB_NOT_FOUND' });
    }
    const unknownTool = await call('POST', `${BASE}/tools/no-such-tool/export/validate`, adminToken);
    expect(unknownTool.status).toBe(422);
    expect(unknownTool.body.errors).toEqual([{ message: "Tool 'no-such-tool' not found", field: 'toolId', severity: 'error' }]);
    expect((await call('POST', `${BASE}/tools/no-such-tool/export`, adminToken)).body.code).toBe('TOOL_NOT_FOUND');
    expect((await call('POST', `${BASE}/tools/${'t'.repeat(101)}/export`, adminToken)).status).toBe(400);
    // A seeded legacy job's package lived on one old instance's /tmp: 404, never a read outside the storage.
    const [legacyJob] = await webDb<{ job_id: string }>(
      `SELECT job_id FROM export_jobs WHERE package_path LIKE '/tmp/exports/%' AND status = 'completed' AND package_expires_at > now() LIMIT 1`,
    );
    if (legacyJob)
      expect((await call('GET', `${BASE}/export-jobs/${legacyJob.job_id}/download`, adminToken)).body.code).toBe('FILE_NOT_FOUND');
    // Seeded jobs that are not pending/in_progress cannot be cancelled.
    const [done] = await webDb<{ job_id: string }>(`SELECT job_id FROM export_jobs WHERE status = 'completed' LIMIT 1`);
    expect((await call('POST', `${BASE}/export-jobs/${done.job_id}/cancel`, adminToken)).body.code).toBe('INVALID_JOB_STATUS');
    expect(await webDb('SELECT job_id, status, download_count FROM export_jobs ORDER BY job_id')).toEqual(before);
  });

  it('refuses a tampered package with 403 PACKAGE_TAMPERED, and answers 410 once the cleanup removed an expired one', async () => {
    const jobId = await startExport();
    const row = await waitForStatus(jobId, ['completed']);
    const path = join(storageDir, row.package_path);
    const original = await readFile(path);
    const tampered = Buffer.from(original);
    tampered[tampered.length - 20] ^= 0xff;
    await writeFile(path, tampered);
    const refused = await call('GET', `${BASE}/export-jobs/${jobId}/download`, adminToken);
    expect(refused).toMatchObject({ status: 403, body: { status: 'error', code: 'PACKAGE_TAMPERED' } });
    expect((await call('GET', `${BASE}/export-jobs/${jobId}/download`, adminToken, { Range: 'bytes=0-9' })).body.code).toBe(
      'PACKAGE_TAMPERED',
    );
    await writeFile(path, original);
    expect((await call('GET', `${BASE}/export-jobs/${jobId}/download`, adminToken)).status).toBe(200);

    await webDb(`UPDATE export_jobs SET package_expires_at = now() - interval '1 minute' WHERE job_id = $1`, [jobId]);
    await waitFor(async () => (await jobRow(jobId)).package_path === null, 10000, 'the cleanup job nulled package_path');
    await expect(stat(path)).rejects.toThrow();
    const gone = await call('GET', `${BASE}/export-jobs/${jobId}/download`, adminToken);
    expect(gone).toMatchObject({
      status: 410,
      body: {
        status: 'error',
        code: 'PACKAGE_EXPIRED',
        message: 'Export package has expired and was deleted',
        expiresAt: expect.any(String),
      },
    });
    expect((await jobRow(jobId)).package_size_bytes).toBeNull();
  });

  it('cancels a running job between steps: cancelling, then cancelled, no package', async () => {
    const jobId = await startExport();
    await waitFor(async () => (await jobRow(jobId)).steps_completed >= 2, 20000, 'two steps done', 50);
    const cancelled = await call('POST', `${BASE}/export-jobs/${jobId}/cancel`, adminToken);
    expect(cancelled).toMatchObject({
      status: 200,
      body: { message: 'Export job cancelled successfully', jobId, status: 'cancelling', data: { jobId, status: 'cancelling' } },
    });
    const row = await waitForStatus(jobId, ['cancelled', 'completed', 'failed', 'rolled_back']);
    expect(row).toMatchObject({ status: 'cancelled', package_path: null });
    expect(row.completed_at).not.toBeNull();
    expect(row.steps_completed).toBeLessThan(8);
    await expect(stat(join(storageDir, 'exports', `${jobId}.tar.gz`))).rejects.toThrow();
    expect((await call('POST', `${BASE}/export-jobs/${jobId}/cancel`, adminToken)).body.code).toBe('INVALID_JOB_STATUS');
    expect((await call('GET', `${BASE}/export-jobs/${jobId}/download`, adminToken)).body.code).toBe('PACKAGE_NOT_READY');
  });

  it('packages a theme whose large assets forms sends in chunks, byte for byte as inline data URLs', async () => {
    // 1.2 MB: above the inline limit and several RPC slices long; the logo stays inline in the reply.
    const background = randomBytes(1200 * 1024);
    const logo = randomBytes(1024);
    const wide = randomBytes(2 * 1024); // theme_definition is limited to 50 kB: inline only
    const [{ id: themeId }] = await query<{ id: string }>(
      formsDb.url,
      `INSERT INTO form_themes (name, description, theme_config, theme_definition, created_by) VALUES ($1, 'large assets', $2, $3, $4) RETURNING id`,
      [
        `Asset theme ${Date.now()}`,
        JSON.stringify({
          primaryColor: '#336699',
          desktop: {
            backgroundImage: `data:image/png;base64,${background.toString('base64')}`,
            logo: `data:image/gif;base64,${logo.toString('base64')}`,
          },
        }),
        JSON.stringify({ layers: [{ image: `data:image/webp;base64,${wide.toString('base64')}` }] }),
        admin.id,
      ],
    );
    const toolId = `asset-theme-export-${Date.now()}`;
    await webDb(
      `INSERT INTO tool_registry (tool_id, name, version, route, api_base, status, manifest_json, created_by) VALUES ($1, 'Asset theme', '1.0.0', $2, $3, 'active', $4, $5)`,
      [toolId, `/tools/${toolId}`, `/api/tools/${toolId}`, JSON.stringify({ toolType: 'themes', toolMetadata: { themeId } }), admin.id],
    );
    const jobId = await startExport(toolId);
    const row = await waitForStatus(jobId, ['completed', 'failed', 'rolled_back']);
    expect(row).toMatchObject({ status: 'completed', error_message: null });
    const download = await call('GET', `${BASE}/export-jobs/${jobId}/download`, adminToken);
    expect(download.status).toBe(200);
    const files = await untar(download.bytes);
    expect(files.get(`${toolId}/assets/desktop-backgroundImage.png`)?.equals(background)).toBe(true);
    expect(files.get(`${toolId}/assets/desktop-logo.gif`)?.equals(logo)).toBe(true);
    expect(files.get(`${toolId}/assets/definition/layers-0-image.webp`)?.equals(wide)).toBe(true);
    const theme = JSON.parse(files.get(`${toolId}/theme.json`)?.toString() ?? 'null');
    expect(theme.themeConfig).toEqual({
      primaryColor: '#336699',
      desktop: { backgroundImage: '././assets/desktop-backgroundImage.png', logo: '././assets/desktop-logo.gif' },
    });
    expect(theme.themeDefinition).toEqual({ layers: [{ image: '././assets/definition/layers-0-image.webp' }] });
  });

  it('reports forms-service being down: W26 422 with an error entry, W27 fails the job with a clear message, no 500', async () => {
    await forms.stop();
    try {
      const preflight = await call('POST', `${BASE}/tools/${toolKey}/export/validate`, adminToken);
      expect(preflight.status).toBe(422);
      expect(preflight.body.success).toBe(false);
      expect(preflight.body.errors).toEqual([
        { message: expect.stringContaining('forms-service is unavailable'), field: 'formsService', severity: 'error' },
      ]);
      const jobId = await startExport();
      const row = await waitForStatus(jobId, ['failed', 'rolled_back', 'completed']);
      expect(row.status).toBe('rolled_back');
      expect(row.error_message).toMatch(/^Step "validate-form-data" failed: forms-service is unavailable/);
      expect(row.package_path).toBeNull();
      const status = await call('GET', `${BASE}/export-jobs/${jobId}`, adminToken);
      expect(status.body).toMatchObject({ status: 'rolled_back', errorMessage: row.error_message });
    } finally {
      await forms.start();
    }
    // Back once the breaker lets its trial call through (FORMS_RPC_BREAKER_HALF_OPEN_MS).
    await waitFor(
      async () => (await call('POST', `${BASE}/tools/${toolKey}/export/validate`, adminToken)).status === 200,
      15000,
      'pre-flight passes again',
      250,
    );
  });

  it('survives a web replica killed mid-job: another start picks the job up, it never stays in_progress', async () => {
    // Only child replicas from here on, so the killed one really held the job.
    await web.app.close();
    const env = { ...webEnv, NODE_ENV: 'test', LOG_LEVEL: 'error', WEB_DB_URL: web.database.url };
    const doomed = new ServiceProcess('web-service', env, { fromSources: true });
    await doomed.start();
    webUrl = doomed.url;
    const jobId = await startExport();
    await waitFor(async () => (await jobRow(jobId)).steps_completed >= 2, 20000, 'two steps done', 50);
    await doomed.stop('SIGKILL');
    expect((await jobRow(jobId)).status).toBe('in_progress');

    const successor = new ServiceProcess('web-service', env, { fromSources: true });
    await successor.start();
    try {
      webUrl = successor.url;
      const row = await waitForStatus(jobId, ['completed', 'failed', 'rolled_back'], 45000);
      expect(row.status).toBe('completed');
      const download = await call('GET', `${BASE}/export-jobs/${jobId}/download`, adminToken);
      expect(download.status).toBe(200);
      expect(createHash('sha256').update(download.bytes).digest('hex')).toBe(row.package_checksum);
    } finally {
      await successor.stop();
    }
  }, 120000);
});
