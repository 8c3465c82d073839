// Issue 16.1 end to end: the bad-input corpus (fixtures/bad-input.json) against every route of the
// merged OpenAPI document, through the gateway, on the built bundles. Every answer must be a 4xx
// (or a 2xx/3xx where the input is harmless); no 5xx, and no row of the three databases changed.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { ServiceName } from '@nafs/contracts';
import type { ServiceProcess } from '@nafs/runtime/testing';
import { Client } from 'pg';

import { databaseUrl, type Platform, startPlatform } from './support/platform';

interface Corpus {
  strings: string[];
  pathValues: string[];
  queries: Record<string, string>[];
  bodies: unknown[];
  deepNesting: number[];
}

const corpus = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'bad-input.json'), 'utf8')) as Corpus;
/** Tables that record attempts rather than data: failed logins and token usage are expected there. */
const ATTEMPT_TABLES = new Set(['audit_logs', 'api_token_usage', 'event_outbox', 'processed_events', 'typeorm_migrations']);
const SKIPPED_PATHS = /^\/(api-docs|health)|\/health/;
/**
 * Actions a caller takes on itself and that read no input (the legacy ignored any body or query):
 * they succeed whatever is sent, and change the caller's own rows by design.
 */
const INPUTLESS_ACTIONS = new Set(['POST /api/v1/auth/logout-all', 'DELETE /api/v1/users/avatar']);

/** Per table of a database: row count and an order-independent digest of every row. */
async function snapshot(url: string): Promise<Record<string, string>> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
    );
    const out: Record<string, string> = {};
    for (const { table_name: table } of rows) {
      if (ATTEMPT_TABLES.has(table)) continue;
      const result = await client.query(
        `SELECT count(*)::text || ':' || coalesce(md5(string_agg(h, '' ORDER BY h)), '') AS d FROM (SELECT md5(t::text) AS h FROM "${table}" t) x`,
      );
      out[table] = result.rows[0].d as string;
    }
    return out;
  } finally {
    await client.end();
  }
}

const nested = (depth: number) => `${'{"a":['.repeat(depth)}1${']}'.repeat(depth)}`;

interface Probe {
  method: string;
  path: string;
  label: string;
  body?: string;
}

/** Every corpus variant for one operation of the document. */
function probesFor(method: string, template: string, bodyProps: string[]): Probe[] {
  const params = [...template.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);
  const withParams = (value: string) => template.replace(/\{[^}]+\}/g, encodeURIComponent(value));
  const probes: Probe[] = [];
  const paths = params.length
    ? corpus.pathValues.map((value) => ({ path: withParams(value), label: `path=${JSON.stringify(value.slice(0, 20))}` }))
    : [];
  // A well-formed id of nothing, so the body and query reach validation.
  const plain = params.length ? withParams(randomUUID()) : template;
  for (const { path, label } of paths) probes.push({ method, path, label });
  for (const query of corpus.queries)
    probes.push({ method, path: `${plain}?${new URLSearchParams(query)}`, label: `query ${Object.keys(query).join(',')}` });
  if (method === 'GET' || method === 'DELETE') return probes;
  const props = bodyProps.length ? bodyProps : ['name', 'title', 'email', 'values'];
  for (const value of corpus.strings)
    probes.push({
      method,
      path: plain,
      label: `every field ${JSON.stringify(value.slice(0, 12))}`,
      body: JSON.stringify(Object.fromEntries(props.map((p) => [p, value]))),
    });
  for (const body of corpus.bodies) {
    const filled =
      body && typeof body === 'object' && !Array.isArray(body) && 'EACH' in body
        ? Object.fromEntries(props.map((p) => [p, (body as { EACH: unknown }).EACH]))
        : body;
    probes.push({ method, path: plain, label: `body ${JSON.stringify(filled).slice(0, 30)}`, body: JSON.stringify(filled) });
  }
  for (const depth of corpus.deepNesting) probes.push({ method, path: plain, label: `nested ${depth}`, body: nested(depth) });
  return probes;
}

describe('the bad-input corpus against every route, through the gateway (built bundles)', () => {
  let platform: Platform;
  let gateway: ServiceProcess;
  let databases: Record<ServiceName, string>;
  let token: string;

  beforeAll(async () => {
    platform = await startPlatform('bad', {
      logLevel: 'error',
      // Limits high, so every probe reaches validation instead of a 429.
      env: { RATE_LIMIT_MAX: '1000000', AUTH_RATE_LIMIT_MAX: '1000000', PUBLIC_RATE_LIMIT_FACTOR: '10000' },
    });
    ({ gateway, databases } = platform);

    // An admin, so the probes pass the guards and reach each route's validation.
    const user = { email: `bad-${randomUUID().slice(0, 8)}@example.com`, password: 'B@dInput123!' };
    const registered = await fetch(`${gateway.url}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...user, firstName: 'Bad', lastName: 'Input' }),
    });
    expect(registered.status).toBe(201);
    const auth = new Client({ connectionString: databaseUrl(databases.auth) });
    await auth.connect();
    await auth.query("UPDATE users SET role = 'admin' WHERE email = $1", [user.email]);
    await auth.end();
    const login = await fetch(`${gateway.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(user),
    });
    token = ((await login.json()) as { data: { accessToken: string } }).data.accessToken;
  }, 420000);

  afterAll(async () => {
    await platform?.stop();
  });

  it('answers every probe without a 5xx and changes no row', async () => {
    const document = (await (await fetch(`${gateway.url}/api-docs/swagger.json`)).json()) as {
      paths: Record<
        string,
        Record<string, { requestBody?: { content?: Record<string, { schema?: { properties?: object; $ref?: string } }> } }>
      >;
      components?: { schemas?: Record<string, { properties?: object }> };
    };
    const propsOf = (operation: { requestBody?: { content?: Record<string, { schema?: { properties?: object; $ref?: string } }> } }) => {
      const schema = operation.requestBody?.content?.['application/json']?.schema;
      const resolved = schema?.$ref ? document.components?.schemas?.[schema.$ref.split('/').pop() ?? ''] : schema;
      return Object.keys(resolved?.properties ?? {});
    };
    const probes: Probe[] = [];
    for (const [path, operations] of Object.entries(document.paths)) {
      if (SKIPPED_PATHS.test(path)) continue;
      for (const [method, operation] of Object.entries(operations)) {
        if (!['get', 'post', 'put', 'patch', 'delete'].includes(method) || INPUTLESS_ACTIONS.has(`${method.toUpperCase()} ${path}`))
          continue;
        probes.push(...probesFor(method.toUpperCase(), path, propsOf(operation)));
      }
    }
    const before = await Promise.all(Object.values(databases).map((name) => snapshot(databaseUrl(name))));

    const statuses: Record<string, number> = {};
    const failures: string[] = [];
    const queue = [...probes];
    const worker = async () => {
      for (let probe = queue.shift(); probe; probe = queue.shift()) {
        let status = 0;
        let text = '';
        try {
          const res = await fetch(`${gateway.url}${probe.path}`, {
            method: probe.method,
            headers: { Authorization: `Bearer ${token}`, ...(probe.body === undefined ? {} : { 'Content-Type': 'application/json' }) },
            body: probe.body,
            redirect: 'manual',
            signal: AbortSignal.timeout(15000),
          });
          status = res.status;
          text = await res.text();
        } catch (error) {
          text = String(error);
        }
        const family = status === 0 ? 'no answer' : `${Math.floor(status / 100)}xx`;
        statuses[family] = (statuses[family] ?? 0) + 1;
        if (status === 0 || status >= 500)
          failures.push(`${probe.method} ${probe.path.slice(0, 80)} [${probe.label}] -> ${status} ${text.slice(0, 120)}`);
      }
    };
    await Promise.all(Array.from({ length: 6 }, worker));
    const after = await Promise.all(Object.values(databases).map((name) => snapshot(databaseUrl(name))));

    const operations = Object.values(document.paths).reduce((n, ops) => n + Object.keys(ops).length, 0);
    console.log(`bad-input corpus: ${probes.length} probes over ${operations} operations, answers ${JSON.stringify(statuses)}`);
    expect(failures).toEqual([]);
    expect(after).toEqual(before);
  }, 600000);
});
