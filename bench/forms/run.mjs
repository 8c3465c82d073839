#!/usr/bin/env node
// The form builder's authenticated reads and the CSV export, from the built bundles, through the gateway:
//   npx nx run-many -t build -p auth-service forms-service gateway && node bench/forms/run.mjs [--duration 10] [--connections 10] [--submissions 100000]
// GET /api/v1/forms?page=1&limit=20 (F2) and GET /api/v1/forms/:id (F8) with a JWT, then
// GET /api/v1/forms/:id/submissions/export (F12) of one form with N submissions: time, bytes,
// rows, and forms-service's peak RSS (VmHWM from /proc) before and after the export.
// Needs PostgreSQL and Redis (TEST_PG_URL / TEST_REDIS_URL, default 127.0.0.1). Creates and drops
// its own databases and Redis prefix; the processes listen on 4400-4402 (BENCH_PORT_BASE).
import { randomBytes, randomUUID } from 'node:crypto';

import { benchArgs, benchRun, cannon as autocannon, memory, ready, require, requireBuilt, services } from '../lib/harness.mjs';

const { Client } = require('pg');
const jwt = require('jsonwebtoken');

const args = benchArgs(
  { duration: '10', connections: '10' },
  {
    submissions: { type: 'string', default: '100000' },
    direct: { type: 'boolean', default: false },
  },
);
const DURATION = Number(args.duration);
const CONNECTIONS = args.connections.split(',').map(Number);
const SUBMISSIONS = Number(args.submissions);

const portBase = Number(process.env.BENCH_PORT_BASE ?? 4400);
const ports = { auth: portBase, forms: portBase + 1, gateway: portBase + 2 };
requireBuilt(['auth-service', 'forms-service', 'gateway']);

const { pgUrl, dbName, dbUrl, secret, common } = benchRun('forms');
const envs = {
  'auth-service': { ...common, AUTH_DB_URL: dbUrl('auth'), PORT: String(ports.auth) },
  'forms-service': {
    ...common,
    FORMS_DB_URL: dbUrl('forms'),
    PORT: String(ports.forms),
    FORM_RENDER_TOKEN_SECRET: randomBytes(32).toString('hex'),
  },
  gateway: {
    ...common,
    PORT: String(ports.gateway),
    AUTH_SERVICE_URL: `http://127.0.0.1:${ports.auth}`,
    WEB_SERVICE_URL: 'http://127.0.0.1:9',
    FORMS_SERVICE_URL: `http://127.0.0.1:${ports.forms}`,
  },
};
const { children, start, migrate, stop, run } = services(envs);

function cannon(options) {
  return autocannon({ duration: DURATION, ...options });
}

// A realistic builder form: 10 fields of the common types, two settings blocks.
const FIELDS = Array.from({ length: 10 }, (_, i) => ({
  id: `f${i}`,
  type: ['text', 'email', 'number', 'select', 'textarea'][i % 5],
  fieldName: `field_${i}`,
  label: `Question ${i + 1}`,
  required: i % 2 === 0,
  ...(i % 5 === 3
    ? {
        options: [
          { label: 'Yes', value: 'yes' },
          { label: 'No', value: 'no' },
        ],
      }
    : {}),
}));
const SCHEMA = JSON.stringify({
  fields: FIELDS,
  settings: { layout: { columns: 1, spacing: 'medium' }, submission: { showSuccessMessage: true, successMessage: 'Thanks!' } },
});

async function main() {
  const admin = new Client({ connectionString: pgUrl });
  await admin.connect();
  try {
    for (const service of ['auth', 'forms']) await admin.query(`CREATE DATABASE "${dbName(service)}"`);
    await migrate(['auth-service', 'forms-service']);
    const userId = randomUUID();
    const authDb = new Client({ connectionString: dbUrl('auth') });
    await authDb.connect();
    await authDb.query(
      `INSERT INTO users (id, email, password_hash, first_name, last_name, role, is_active) VALUES ($1, 'bench@example.com', 'x', 'Bench', 'User', 'user', true)`,
      [userId],
    );
    await authDb.end();
    const token = jwt.sign({ userId, email: 'bench@example.com', role: 'user', tenantId: null, type: 'access' }, secret, {
      issuer: 'nodeangularfullstack-api',
      audience: 'nodeangularfullstack-client',
      expiresIn: '2h',
      algorithm: 'HS256',
    });

    const formsDb = new Client({ connectionString: dbUrl('forms') });
    await formsDb.connect();
    // 60 forms with 2 versions each (the list shows page 1 of 3); the export form gets N submissions.
    await formsDb.query(
      `WITH f AS (INSERT INTO forms (user_id, title, description, status, created_at)
                  SELECT $1, 'Form ' || g, 'Description of form ' || g, 'draft', now() - g * interval '1 hour' FROM generate_series(1, 60) g RETURNING id)
       INSERT INTO form_schemas (form_id, schema_version, schema_json) SELECT f.id, v, $2::jsonb FROM f, generate_series(1, 2) v`,
      [userId, SCHEMA],
    );
    const {
      rows: [target],
    } = await formsDb.query(
      `SELECT f.id AS form_id, s.id AS schema_id FROM forms f JOIN form_schemas s ON s.form_id = f.id AND s.schema_version = 2 ORDER BY f.created_at DESC LIMIT 1`,
    );
    await formsDb.query(
      `INSERT INTO form_submissions (form_schema_id, values_json, submitter_ip, submitted_at, metadata)
       SELECT $1, jsonb_build_object('field_0', 'Name ' || g, 'field_1', 'user' || g || '@example.com', 'field_2', g % 97, 'field_3', CASE WHEN g % 2 = 0 THEN 'yes' ELSE 'no' END,
                                     'field_4', 'A longer answer, with "quotes", commas and a line' || E'\\n' || 'break for submission ' || g),
              ('10.' || (g % 250) || '.' || (g % 200) || '.' || (g % 100))::inet, now() - g * interval '1 minute', '{"userAgent":"bench"}'::jsonb
         FROM generate_series(1, $2::int) g`,
      [target.schema_id, SUBMISSIONS],
    );
    await formsDb.query('VACUUM ANALYZE form_submissions');

    for (const app of ['auth-service', 'forms-service', 'gateway']) start(app);
    await ready(`http://127.0.0.1:${ports.auth}/health/ready`, 'auth-service');
    await ready(`http://127.0.0.1:${ports.forms}/health/ready`, 'forms-service');
    await ready(`http://127.0.0.1:${ports.gateway}/health/live`, 'gateway');

    const headers = { authorization: `Bearer ${token}` };
    // The export first, on a fresh process, so its peak RSS is not the load runs' heap.
    const pid = children['forms-service'].pid;
    await fetch(`http://127.0.0.1:${ports.gateway}/api/v1/forms/${target.form_id}`, { headers }); // identity cache warm
    // Twice: a second export that does not raise the peak again shows a bounded working set, not growth per row.
    for (const round of [1, 2]) {
      const before = memory(pid);
      let peakDuring = before.now;
      const sampler = setInterval(() => (peakDuring = Math.max(peakDuring, memory(pid).now)), 50);
      const started = performance.now();
      const res = await fetch(`http://127.0.0.1:${ports.gateway}/api/v1/forms/${target.form_id}/submissions/export`, { headers });
      if (res.status !== 200) throw new Error(`export: HTTP ${res.status} ${await res.text()}`);
      let bytes = 0;
      let lines = 0;
      for await (const chunk of res.body) {
        bytes += chunk.length;
        for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) lines++;
      }
      const seconds = (performance.now() - started) / 1000;
      clearInterval(sampler);
      const after = memory(pid);
      console.log(
        `F12 export #${round}: ${SUBMISSIONS} submissions in ${seconds.toFixed(2)} s (${(SUBMISSIONS / seconds).toFixed(0)} rows/s), ${(bytes / 1024 / 1024).toFixed(1)} MB, ${lines} lines; ` +
          `forms-service RSS before ${before.now.toFixed(0)} MB, highest sampled during ${peakDuring.toFixed(0)} MB, process peak (VmHWM) ${before.peak.toFixed(0)} -> ${after.peak.toFixed(0)} MB`,
      );
    }
    const cases = [
      { name: 'F2 list (20)', path: '/api/v1/forms?page=1&limit=20' },
      { name: 'F8 get', path: `/api/v1/forms/${target.form_id}` },
    ];
    for (const c of cases) {
      const res = await fetch(`http://127.0.0.1:${ports.gateway}${c.path}`, { headers });
      if (res.status !== 200) throw new Error(`${c.name}: HTTP ${res.status} ${await res.text()}`);
      await cannon({ url: `http://127.0.0.1:${ports.gateway}${c.path}`, connections: 10, headers, duration: 2 }); // warm-up
    }
    console.log(
      `forms bench: ${DURATION} s per run, NODE_ENV=production, LOG_LEVEL=warn; legacy at 10 connections: list 363 req/s p50 26 ms, get 652-693 req/s p50 13-14 ms`,
    );
    console.log('route           via      conns   req/s    p50    p99   non-2xx');
    const targets = [['gateway', ports.gateway], ...(args.direct ? [['direct', ports.forms]] : [])];
    for (const c of cases) {
      for (const [via, port] of targets) {
        for (const connections of CONNECTIONS) {
          const r = await cannon({ url: `http://127.0.0.1:${port}${c.path}`, connections, headers });
          console.log(
            `${c.name.padEnd(15)} ${via.padEnd(8)} ${String(connections).padStart(5)} ${r.requests.average.toFixed(0).padStart(7)} ${String(r.latency.p50).padStart(6)} ${String(r.latency.p99).padStart(6)} ${String(r.non2xx + r.errors).padStart(8)}`,
          );
        }
      }
    }
    // What this machine gives right now for the cheapest route of the same process (it is shared: compare against this, not only the legacy figures).
    const base = await cannon({ url: `http://127.0.0.1:${ports.forms}/health/live`, connections: CONNECTIONS[0] });
    console.log(
      `${'baseline live'.padEnd(15)} ${'direct'.padEnd(8)} ${String(CONNECTIONS[0]).padStart(5)} ${base.requests.average.toFixed(0).padStart(7)} ${String(base.latency.p50).padStart(6)} ${String(base.latency.p99).padStart(6)} ${String(base.non2xx + base.errors).padStart(8)}`,
    );

    await formsDb.end();
  } finally {
    await stop(admin, ['auth', 'forms'].map(dbName), 1500);
  }
}

run(main);
