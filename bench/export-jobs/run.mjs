#!/usr/bin/env node
// Export jobs under load, from the built bundles (auth, web, forms, gateway):
//   npx nx run-many -t build -p auth-service web-service forms-service gateway && node bench/export-jobs/run.mjs [--duration 10] [--connections 50] [--exports 4]
// 1. One export of a form with 10,000 submissions whose theme carries a 5 MB asset: time to
//    build (W27 → completed), time to download, package size, and web's peak RSS (VmHWM).
// 2. W28 status polling (GET /api/v1/tool-registry/export-jobs/:jobId) at 50 connections while 4
//    exports run the whole time (a new one starts whenever one finishes), through the gateway (its
//    1 s per-caller microcache, GATEWAY_MICROCACHE) and then straight to web: req/s, p50, p99,
//    exports finished during each, web's peak RSS.
// Goal: polling p99 < 30 ms, web peak RSS < 200 MB. Needs PostgreSQL and Redis (TEST_PG_URL /
// TEST_REDIS_URL, default 127.0.0.1). Creates and drops its own databases, Redis prefix and
// package directory; the processes listen on 4600-4603 (BENCH_PORT_BASE).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { benchArgs, benchRun, cannon as autocannon, memory as rss, ready, require, requireBuilt, services } from '../lib/harness.mjs';

const { Client } = require('pg');
const bcrypt = require('bcrypt');

const args = benchArgs(
  { duration: '10', connections: '50' },
  {
    exports: { type: 'string', default: '4' },
    submissions: { type: 'string', default: '10000' },
    'asset-mb': { type: 'string', default: '5' },
  },
);
const DURATION = Number(args.duration);
const CONNECTIONS = Number(args.connections);
const PARALLEL = Number(args.exports);
const SUBMISSIONS = Number(args.submissions);
const ASSET_BYTES = Number(args['asset-mb']) * 1024 * 1024;

const portBase = Number(process.env.BENCH_PORT_BASE ?? 4600);
const ports = { 'auth-service': portBase, 'web-service': portBase + 1, 'forms-service': portBase + 2, gateway: portBase + 3 };
requireBuilt(Object.keys(ports));

const { pgUrl, dbName, dbUrl, common } = benchRun('export');
const storageDir = mkdtempSync(join(tmpdir(), 'bench-export-storage-'));
const scratchDir = mkdtempSync(join(tmpdir(), 'bench-export-scratch-'));
const envs = {
  'auth-service': { ...common, AUTH_DB_URL: dbUrl('auth'), PORT: String(ports['auth-service']) },
  'forms-service': {
    ...common,
    FORMS_DB_URL: dbUrl('forms'),
    PORT: String(ports['forms-service']),
    FORMS_UPLOADS_DIR: join(scratchDir, 'uploads'),
  },
  'web-service': {
    ...common,
    WEB_DB_URL: dbUrl('web'),
    PORT: String(ports['web-service']),
    EXPORT_CONCURRENCY: String(PARALLEL),
    EXPORT_STORAGE_DIR: storageDir,
    EXPORT_TEMP_DIR: join(scratchDir, 'work'),
    // The package of a 5 MB asset must cross the RPC and the disk: give forms' answer time.
    FORMS_RPC_TIMEOUT_MS: '5000',
    FORMS_RPC_DEADLINE_MS: '15000',
  },
  gateway: {
    ...common,
    PORT: String(ports.gateway),
    AUTH_SERVICE_URL: `http://127.0.0.1:${ports['auth-service']}`,
    WEB_SERVICE_URL: `http://127.0.0.1:${ports['web-service']}`,
    FORMS_SERVICE_URL: `http://127.0.0.1:${ports['forms-service']}`,
  },
};
const { children, start, migrate, stop, run } = services(envs);

const gw = `http://127.0.0.1:${ports.gateway}`;
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

async function main() {
  const admin = new Client({ connectionString: pgUrl });
  await admin.connect();
  try {
    for (const service of ['auth', 'web', 'forms']) await admin.query(`CREATE DATABASE "${dbName(service)}"`);
    await migrate(['auth-service', 'web-service', 'forms-service']);
    const authDb = new Client({ connectionString: dbUrl('auth') });
    await authDb.connect();
    const {
      rows: [{ id: adminId }],
    } = await authDb.query(
      `INSERT INTO users (email, password_hash, first_name, last_name, role) VALUES ('bench-admin@example.com', $1, 'Bench', 'Admin', 'admin') RETURNING id`,
      [await bcrypt.hash('Bench123!', 10)],
    );
    await authDb.end();

    const formsDb = new Client({ connectionString: dbUrl('forms') });
    await formsDb.connect();
    const asset = `data:image/png;base64,${randomBytes(ASSET_BYTES).toString('base64')}`;
    const {
      rows: [{ id: themeId }],
    } = await formsDb.query(
      `INSERT INTO form_themes (name, description, theme_config, created_by) VALUES ('Bench theme', 'with a large background', $1, $2) RETURNING id`,
      [JSON.stringify({ primaryColor: '#336699', backgroundImage: asset, fontFamily: 'Inter' }), adminId],
    );
    const {
      rows: [{ id: formId }],
    } = await formsDb.query(`INSERT INTO forms (user_id, title, status) VALUES ($1, 'Bench form', 'published') RETURNING id`, [adminId]);
    const fields = Array.from({ length: 12 }, (_, i) => ({
      id: `f${i}`,
      type: i % 3 === 0 ? 'email' : 'text',
      label: `Field ${i}`,
      required: i < 3,
    }));
    const {
      rows: [{ id: schemaId }],
    } = await formsDb.query(
      `INSERT INTO form_schemas (form_id, schema_version, schema_json, is_published, theme_id) VALUES ($1, 1, $2, true, $3) RETURNING id`,
      [formId, JSON.stringify({ fields, settings: { layout: 'single' } }), themeId],
    );
    await formsDb.query(
      `INSERT INTO form_submissions (form_schema_id, values_json, submitter_ip) SELECT $1, jsonb_build_object('f0', 'user' || g || '@example.com', 'f1', repeat('x', 40)), '10.0.0.1' FROM generate_series(1, $2) g`,
      [schemaId, SUBMISSIONS],
    );
    await formsDb.end();

    const webDb = new Client({ connectionString: dbUrl('web') });
    await webDb.connect();
    await webDb.query(
      `INSERT INTO tool_registry (tool_id, name, version, route, api_base, status, manifest_json, created_by) VALUES ('bench-form-export', 'Bench form export', '1.0.0', '/tools/bench-form-export', '/api/tools/bench-form-export', 'active', $1, $2)`,
      [JSON.stringify({ toolType: 'forms', toolMetadata: { formSchemaId: schemaId } }), adminId],
    );
    await webDb.end();

    for (const app of Object.keys(ports)) start(app);
    for (const app of ['auth-service', 'web-service', 'forms-service']) await ready(`http://127.0.0.1:${ports[app]}/health/ready`, app);
    await ready(`${gw}/health/live`, 'gateway');
    const login = await fetch(`${gw}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'bench-admin@example.com', password: 'Bench123!' }),
    });
    const token = (await login.json()).data.accessToken;
    const auth = { authorization: `Bearer ${token}` };
    const webPid = children['web-service'].pid;

    const startExport = async () => {
      const res = await fetch(`${gw}/api/v1/tool-registry/tools/bench-form-export/export`, { method: 'POST', headers: auth });
      if (res.status !== 201) throw new Error(`W27: HTTP ${res.status} ${await res.text()}`);
      return (await res.json()).data.jobId;
    };
    const statusOf = async (jobId) =>
      (await (await fetch(`${gw}/api/v1/tool-registry/export-jobs/${jobId}`, { headers: auth })).json()).data;
    const untilDone = async (jobId) => {
      for (;;) {
        const job = await statusOf(jobId);
        if (!['pending', 'in_progress', 'cancelling'].includes(job.status)) return job;
        await sleep(20);
      }
    };

    console.log(
      `export-jobs bench: NODE_ENV=production, ${SUBMISSIONS} submissions, ${(ASSET_BYTES / 1024 / 1024).toFixed(0)} MB theme asset, EXPORT_CONCURRENCY=${PARALLEL}; web RSS after start ${rss(webPid).now.toFixed(0)} MB`,
    );
    // 1. One export, then its download.
    const t0 = performance.now();
    const first = await untilDone(await startExport());
    const built = performance.now() - t0;
    if (first.status !== 'completed') throw new Error(`export ended ${first.status}: ${first.errorMessage}`);
    const t1 = performance.now();
    const download = await fetch(`${gw}${first.packagePath}`, { headers: auth });
    const bytes = Buffer.from(await download.arrayBuffer());
    const downloaded = performance.now() - t1;
    if (download.status !== 200 || bytes.length !== first.packageSizeBytes)
      throw new Error(`download: HTTP ${download.status}, ${bytes.length} bytes`);
    console.log(
      `build (W27 → completed): ${built.toFixed(0)} ms; download (re-hash + stream, via gateway): ${downloaded.toFixed(0)} ms; package ${(bytes.length / 1024 / 1024).toFixed(2)} MB; web peak RSS so far ${rss(webPid).peak.toFixed(0)} MB`,
    );

    // The machine's ceiling right now, and W28 with no export running, to read the next figure against.
    const cannon = (url, headers = {}) => autocannon({ url, connections: CONNECTIONS, duration: Math.min(DURATION, 5), headers });
    const baseline = await cannon(`http://127.0.0.1:${ports['web-service']}/health/live`);
    console.log(
      `baseline GET /health/live direct, ${CONNECTIONS} connections: ${baseline.requests.average.toFixed(0)} req/s, p50 ${baseline.latency.p50} ms, p99 ${baseline.latency.p99} ms (load average ${(await import('node:os')).loadavg()[0].toFixed(1)})`,
    );
    const idle = await cannon(`${gw}/api/v1/tool-registry/export-jobs/${first.jobId}`, auth);
    console.log(
      `W28 polling via gateway, ${CONNECTIONS} connections, no export running: ${idle.requests.average.toFixed(0)} req/s, p50 ${idle.latency.p50} ms, p99 ${idle.latency.p99} ms`,
    );

    // 2. Status polling while PARALLEL exports run the whole time.
    let running = true;
    let finished = 0;
    let failed = 0;
    const keepBusy = async () => {
      while (running) {
        const job = await untilDone(await startExport());
        if (job.status === 'completed') finished++;
        else failed++;
      }
    };
    const busy = Array.from({ length: PARALLEL }, keepBusy);
    await sleep(300);
    const poll = (base) =>
      autocannon({
        url: `${base}/api/v1/tool-registry/export-jobs/${first.jobId}`,
        connections: CONNECTIONS,
        duration: DURATION,
        headers: auth,
      });
    const result = await poll(gw);
    const throughGateway = { finished, failed };
    // The same polling straight at web: what web itself answers with no gateway microcache.
    const direct = await poll(`http://127.0.0.1:${ports['web-service']}`);
    running = false;
    await Promise.all(busy);
    const peak = rss(webPid).peak;
    console.log(
      `W28 polling via gateway (1 s per-caller microcache), ${CONNECTIONS} connections, ${DURATION} s, ${PARALLEL} exports running: ${result.requests.average.toFixed(0)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms` +
        ` (${result.non2xx} non-2xx, ${result.errors} errors); exports finished meanwhile: ${throughGateway.finished} completed, ${throughGateway.failed} not`,
    );
    console.log(
      `W28 polling straight to web (no cache), ${CONNECTIONS} connections, ${DURATION} s, ${PARALLEL} exports running: ${direct.requests.average.toFixed(0)} req/s, p50 ${direct.latency.p50} ms, p99 ${direct.latency.p99} ms` +
        ` (${direct.non2xx} non-2xx, ${direct.errors} errors); exports finished meanwhile: ${finished - throughGateway.finished} completed, ${failed - throughGateway.failed} not`,
    );
    console.log(`web peak RSS (VmHWM) over the whole run: ${peak.toFixed(0)} MB`);
    console.log(`goal (polling p99 < 30 ms, web peak RSS < 200 MB): ${result.latency.p99 < 30 && peak < 200 ? 'met' : 'NOT met'}`);
  } finally {
    await stop(admin, ['auth', 'web', 'forms'].map(dbName), 1500);
    rmSync(storageDir, { recursive: true, force: true });
    rmSync(scratchDir, { recursive: true, force: true });
  }
}

run(main);
