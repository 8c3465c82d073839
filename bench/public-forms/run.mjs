#!/usr/bin/env node
// Public forms under load, from the built bundles, through the gateway (and straight to forms):
//   npx nx run-many -t build -p auth-service forms-service gateway && node bench/public-forms/run.mjs [--duration 10] [--connections 10]
// F21 GET /api/v1/public/forms/render/:token, F22 POST /api/v1/public/forms/submit/:token (per-IP
// limits raised with PUBLIC_RATE_LIMIT_FACTOR) and GET /s/:code. Prints req/s, p50, p99, non-2xx/3xx.
// Needs PostgreSQL and Redis (TEST_PG_URL / TEST_REDIS_URL, default 127.0.0.1). Creates and drops
// its own databases and Redis prefix; the processes listen on 4500-4502 (BENCH_PORT_BASE).
import { randomBytes, randomUUID } from 'node:crypto';

import { benchArgs, benchRun, cannon as autocannon, ready, require, requireBuilt, services } from '../lib/harness.mjs';

const { Client } = require('pg');
const jwt = require('jsonwebtoken');

const args = benchArgs(
  { duration: '10', connections: '10' },
  {
    direct: { type: 'boolean', default: false },
  },
);
const DURATION = Number(args.duration);
const CONNECTIONS = args.connections.split(',').map(Number);

const portBase = Number(process.env.BENCH_PORT_BASE ?? 4500);
const ports = { auth: portBase, forms: portBase + 1, gateway: portBase + 2 };
requireBuilt(['auth-service', 'forms-service', 'gateway']);

const { pgUrl, dbName, dbUrl, common } = benchRun('public');
const renderSecret = randomBytes(32).toString('hex');
const envs = {
  'auth-service': { ...common, AUTH_DB_URL: dbUrl('auth'), PORT: String(ports.auth) },
  'forms-service': {
    ...common,
    FORMS_DB_URL: dbUrl('forms'),
    PORT: String(ports.forms),
    FORM_RENDER_TOKEN_SECRET: renderSecret,
    PUBLIC_RATE_LIMIT_FACTOR: '1000000',
  },
  gateway: {
    ...common,
    PORT: String(ports.gateway),
    AUTH_SERVICE_URL: `http://127.0.0.1:${ports.auth}`,
    WEB_SERVICE_URL: 'http://127.0.0.1:9',
    FORMS_SERVICE_URL: `http://127.0.0.1:${ports.forms}`,
  },
};
const { start, migrate, stop, run } = services(envs);

function cannon(options) {
  return autocannon({ duration: DURATION, ...options });
}

// A realistic contact form: 8 fields of the common types.
const FIELDS = [
  { id: 'f1', type: 'text', fieldName: 'name', label: 'Name', required: true, validation: { maxLength: 100 } },
  { id: 'f2', type: 'email', fieldName: 'email', label: 'Email', required: true },
  { id: 'f3', type: 'number', fieldName: 'age', label: 'Age', validation: { min: 0, max: 150 } },
  {
    id: 'f4',
    type: 'select',
    fieldName: 'topic',
    label: 'Topic',
    options: [
      { label: 'Sales', value: 'sales' },
      { label: 'Support', value: 'support' },
    ],
  },
  { id: 'f5', type: 'textarea', fieldName: 'message', label: 'Message', validation: { maxLength: 2000 } },
  { id: 'f6', type: 'checkbox', fieldName: 'consent', label: 'Consent' },
  { id: 'f7', type: 'date', fieldName: 'day', label: 'Day' },
  { id: 'f8', type: 'divider', fieldName: 'sep', label: '' },
];
const VALUES = {
  name: 'Jane Doe',
  email: 'jane@example.com',
  age: 33,
  topic: 'support',
  message: 'Hello, I would like to know more about <your> product.',
  consent: true,
  day: '2026-05-01',
};

async function main() {
  const admin = new Client({ connectionString: pgUrl });
  await admin.connect();
  try {
    for (const service of ['auth', 'forms']) await admin.query(`CREATE DATABASE "${dbName(service)}"`);
    await migrate(['auth-service', 'forms-service']);
    const formsDb = new Client({ connectionString: dbUrl('forms') });
    await formsDb.connect();
    const formId = randomUUID();
    const schemaId = randomUUID();
    const token = jwt.sign({ formSchemaId: schemaId, iss: 'form-builder' }, renderSecret, { algorithm: 'HS256' });
    await formsDb.query(`INSERT INTO forms (id, user_id, title, status) VALUES ($1, $2, 'Bench form', 'published')`, [
      formId,
      randomUUID(),
    ]);
    await formsDb.query(
      `INSERT INTO form_schemas (id, form_id, schema_version, schema_json, is_published, render_token) VALUES ($1, $2, 1, $3, true, $4)`,
      [
        schemaId,
        formId,
        JSON.stringify({
          fields: FIELDS,
          settings: { layout: { columns: 1, spacing: 'medium' }, submission: { showSuccessMessage: true, successMessage: 'Thanks!' } },
        }),
        token,
      ],
    );
    await formsDb.query(`INSERT INTO short_links (code, original_url, form_schema_id) VALUES ('benchLink', $1, $2)`, [
      `http://localhost:4201/forms/render/${token}`,
      schemaId,
    ]);

    for (const app of ['auth-service', 'forms-service', 'gateway']) start(app);
    await ready(`http://127.0.0.1:${ports.auth}/health/ready`, 'auth-service');
    await ready(`http://127.0.0.1:${ports.forms}/health/ready`, 'forms-service');
    await ready(`http://127.0.0.1:${ports.gateway}/health/live`, 'gateway');

    const submitBody = JSON.stringify({ values: VALUES });
    const cases = [
      { name: 'F21 render', path: `/api/v1/public/forms/render/${token}`, method: 'GET', expect: 200 },
      {
        name: 'F22 submit',
        path: `/api/v1/public/forms/submit/${token}`,
        method: 'POST',
        body: submitBody,
        headers: { 'content-type': 'application/json' },
        expect: 201,
      },
      { name: 'GET /s/:code', path: '/s/benchLink', method: 'GET', expect: 302 },
    ];
    for (const c of cases) {
      const res = await fetch(`http://127.0.0.1:${ports.gateway}${c.path}`, {
        method: c.method,
        body: c.body,
        headers: c.headers,
        redirect: 'manual',
      });
      if (res.status !== c.expect) throw new Error(`${c.name}: HTTP ${res.status} ${await res.text()}`);
      await cannon({
        url: `http://127.0.0.1:${ports.gateway}${c.path}`,
        connections: 10,
        method: c.method,
        body: c.body,
        headers: c.headers,
        duration: 2,
      }); // warm-up
    }
    const before = Number((await formsDb.query('SELECT count(*) FROM form_submissions')).rows[0].count);
    const clicksBefore = (await formsDb.query(`SELECT click_count FROM short_links WHERE code = 'benchLink'`)).rows[0].click_count;
    let redirects = 0;
    let created = 0;

    console.log(
      `public-forms bench: ${DURATION} s per run, NODE_ENV=production, LOG_LEVEL=warn; legacy at 10 connections: render 739–758 req/s, submit 329–404 req/s`,
    );
    console.log('route           via      conns   req/s    p50    p99   non-2xx/3xx');
    const targets = [['gateway', ports.gateway], ...(args.direct ? [['direct', ports.forms]] : [])];
    for (const c of cases) {
      for (const [via, port] of targets) {
        for (const connections of CONNECTIONS) {
          const r = await cannon({
            url: `http://127.0.0.1:${port}${c.path}`,
            connections,
            method: c.method,
            body: c.body,
            headers: c.headers,
          });
          if (c.expect === 302) redirects += r['3xx'] ?? 0;
          if (c.expect === 201) created += r['2xx'] ?? 0;
          const bad = r.non2xx - (c.expect === 302 ? (r['3xx'] ?? 0) : 0);
          console.log(
            `${c.name.padEnd(15)} ${via.padEnd(8)} ${String(connections).padStart(5)} ${r.requests.average.toFixed(0).padStart(7)} ${String(r.latency.p50).padStart(6)} ${String(r.latency.p99).padStart(6)} ${String(Math.max(0, bad) + r.errors).padStart(10)}`,
          );
        }
      }
    }
    const after = Number((await formsDb.query('SELECT count(*) FROM form_submissions')).rows[0].count);
    const clicks = (await formsDb.query(`SELECT click_count FROM short_links WHERE code = 'benchLink'`)).rows[0].click_count;
    console.log(
      `F22: ${created} answered 201, ${after - before} submissions stored; /s/:code: ${redirects} answered 302, ${clicks - clicksBefore} clicks counted`,
    );
    await formsDb.end();
  } finally {
    await stop(admin, ['auth', 'forms'].map(dbName), 1500);
  }
}

run(main);
