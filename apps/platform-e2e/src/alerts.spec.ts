import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { type ServiceName, SERVICES } from '@nafs/contracts';
import { dropDatabase, testInfra, uniqueRedisPrefix, waitFor } from '@nafs/database/testing';
import { ServiceProcess } from '@nafs/runtime/testing';
import { Client } from 'pg';
import { parse, stringify } from 'yaml';

const PROMETHEUS = '/usr/bin/prometheus';
const JWT_SECRET = 'alerts-e2e-secret-0123456789abcdefghijklmn';
const monitoring = join(__dirname, '..', '..', '..', 'k8s', 'monitoring');
const POOL_SIZE = 3;

function databaseUrl(name: string): string {
  const url = new URL(testInfra().pgUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A free port in 4880-4899 (the range for processes this project starts by hand), else any. */
async function prometheusPort(): Promise<number> {
  const tryPort = (port: number) =>
    new Promise<number | null>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(null));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve((server.address() as { port: number } | null)?.port ?? port)));
    });
  for (let port = 4880; port < 4900; port++) if ((await tryPort(port)) !== null) return port;
  return (await tryPort(0)) as number;
}

interface Alert {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
}

/** Metric names a /metrics page declares (`# TYPE name kind`), histograms with their series suffixes. */
function exportedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, kind] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name);
    if (kind === 'histogram') for (const suffix of ['_bucket', '_count', '_sum']) names.add(`${name}${suffix}`);
  }
  return names;
}

/** The platform's metric names a PromQL expression reads. */
const metricsIn = (expr: string) => [...expr.matchAll(/\b((?:nafs|identity|http_request)_[a-z_]+)\b/g)].map((match) => match[1]);

const describeWithPrometheus = existsSync(PROMETHEUS) ? describe : describe.skip;
if (!existsSync(PROMETHEUS)) console.warn(`${PROMETHEUS} is missing (apt-get install prometheus): the alert test is skipped`);

describeWithPrometheus('alerts fired by a real Prometheus scraping the built services', () => {
  const prefix = uniqueRedisPrefix('e2e-alerts');
  const databases = Object.fromEntries(
    (['auth', 'forms'] as ServiceName[]).map((service) => [service, `nafs_t_${testInfra().runId}_alerts_${service}`]),
  ) as Record<'auth' | 'forms', string>;
  let auth: ServiceProcess;
  let forms: ServiceProcess;
  let prometheus: ChildProcess | undefined;
  let prometheusUrl = '';
  let prometheusLog = '';
  let dataDir = '';
  const users: { email: string; token: string }[] = [];

  const envFor = (service: 'auth' | 'forms', extra: Record<string, string> = {}): Record<string, string> => ({
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    REDIS_URL: testInfra().redisUrl,
    REDIS_KEY_PREFIX: prefix,
    RPC_CHANNEL_PREFIX: prefix,
    DB_MIGRATE_ON_START: 'true',
    TRUST_PROXY_HOPS: '1',
    JWT_SECRET,
    JWT_REFRESH_SECRET: `${JWT_SECRET}-refresh`,
    [`${SERVICES[service].dbEnvPrefix}_DB_URL`]: databaseUrl(databases[service]),
    ...extra,
  });

  async function alerts(): Promise<Alert[]> {
    const res = await fetch(`${prometheusUrl}/api/v1/alerts`);
    return ((await res.json()) as { data: { alerts: Alert[] } }).data.alerts;
  }

  const firing = async (name: string) => (await alerts()).filter((alert) => alert.labels['alertname'] === name && alert.state === 'firing');

  async function login(email: string, password: string): Promise<string> {
    const res = await fetch(`${auth.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { data: { accessToken: string } }).data.accessToken;
  }

  beforeAll(async () => {
    auth = new ServiceProcess('auth-service', envFor('auth'));
    // A small pool, so that a handful of blocked requests exhausts it.
    forms = new ServiceProcess('forms-service', envFor('forms', { FORMS_DB_POOL_SIZE: String(POOL_SIZE) }));
    await Promise.all([auth.start(60000), forms.start(60000)]);
    for (let i = 0; i < 6; i++) {
      const email = `alerts-${randomUUID().slice(0, 8)}@example.com`;
      const password = 'Al3rt@bility!';
      const registered = await fetch(`${auth.url}/api/v1/auth/register`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email, password, firstName: 'Alert', lastName: `User${'abcdef'[i]}` }),
      });
      expect(registered.status).toBe(201);
      users.push({ email, token: await login(email, password) });
    }

    // The real rules, with every `for` shortened so that the test does not wait minutes; the
    // expressions and thresholds are exactly those deployed.
    const rules = parse(readFileSync(join(monitoring, 'nafs-alerts.rules.yml'), 'utf8')) as {
      groups: { rules: Record<string, unknown>[] }[];
    };
    for (const group of rules.groups) for (const rule of group.rules) rule['for'] = '0s';
    dataDir = mkdtempSync(join(tmpdir(), 'nafs-prometheus-'));
    writeFileSync(join(dataDir, 'rules.yml'), stringify(rules));
    const target = (url: string) => new URL(url).host;
    writeFileSync(
      join(dataDir, 'prometheus.yml'),
      stringify({
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        rule_files: [join(dataDir, 'rules.yml')],
        scrape_configs: [{ job_name: 'nafs', static_configs: [{ targets: [target(auth.url), target(forms.url)] }] }],
      }),
    );
    const port = await prometheusPort();
    prometheusUrl = `http://127.0.0.1:${port}`;
    prometheus = spawn(PROMETHEUS, [
      `--config.file=${join(dataDir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dataDir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ]);
    prometheus.stdout?.on('data', (chunk) => (prometheusLog += chunk));
    prometheus.stderr?.on('data', (chunk) => (prometheusLog += chunk));
    await waitFor(async () => {
      try {
        const res = await fetch(`${prometheusUrl}/api/v1/targets`);
        const body = (await res.json()) as { data: { activeTargets: { health: string }[] } };
        return body.data.activeTargets.length === 2 && body.data.activeTargets.every((t) => t.health === 'up');
      } catch {
        return false;
      }
    }, 30000);
  }, 180000);

  afterAll(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((resolve) => prometheus?.once('exit', resolve));
      prometheus.kill('SIGTERM');
      await exited;
    }
    await Promise.all([auth?.stop(), forms?.stop()]);
    await Promise.all(Object.values(databases).map((name) => dropDatabase(name)));
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 120000);

  it('the rules and the dashboard read only metrics the services export', async () => {
    await fetch(`${forms.url}/api/v1/forms`, { headers: { Authorization: `Bearer ${users[0].token}` } });
    const exported = new Set<string>();
    for (const service of [auth, forms])
      for (const name of exportedNames(await (await fetch(`${service.url}/metrics`)).text())) exported.add(name);
    const rules = parse(readFileSync(join(monitoring, 'nafs-alerts.rules.yml'), 'utf8')) as { groups: { rules: { expr: string }[] }[] };
    const dashboard = JSON.parse(readFileSync(join(monitoring, 'nafs-dashboard.json'), 'utf8')) as {
      panels: { targets: { expr: string }[] }[];
    };
    const used = new Set([
      ...rules.groups.flatMap((group) => group.rules.flatMap((rule) => metricsIn(rule.expr))),
      ...dashboard.panels.flatMap((panel) => panel.targets.flatMap((target) => metricsIn(target.expr))),
    ]);
    expect(used.size).toBeGreaterThan(10);
    expect([...used].filter((name) => !exported.has(name))).toEqual([]);
  });

  it('fires nothing while the platform is healthy', async () => {
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${forms.url}/api/v1/forms`, { headers: { Authorization: `Bearer ${users[0].token}` } });
      expect(res.status).toBe(200);
    }
    // A few evaluations over fresh scrapes.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    expect((await alerts()).map((alert) => alert.labels['alertname'])).toEqual([]);
  }, 30000);

  it('fires NafsDbPoolSaturated while forms-service waits for its pool, and clears when it drains', async () => {
    const locker = new Client({ connectionString: databaseUrl(databases.forms) });
    await locker.connect();
    let blocked: Promise<unknown>[] = [];
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE forms IN ACCESS EXCLUSIVE MODE');
      // More requests than connections: each holds one, blocked on the lock; the rest queue.
      blocked = Array.from({ length: POOL_SIZE * 2 }, () =>
        fetch(`${forms.url}/api/v1/forms`, {
          headers: { Authorization: `Bearer ${users[0].token}` },
          signal: AbortSignal.timeout(60000),
        }).then(
          (res) => res.status,
          (error: Error) => error.message,
        ),
      );
      await waitFor(async () => (await firing('NafsDbPoolSaturated')).length > 0, 30000, 'NafsDbPoolSaturated firing', 250);
      expect((await firing('NafsDbPoolSaturated'))[0].labels).toMatchObject({ service: 'forms-service', database: databases.forms });
    } finally {
      await locker.query('COMMIT').catch(() => undefined);
      await locker.end();
    }
    expect(await Promise.all(blocked)).toEqual(Array(POOL_SIZE * 2).fill(200));
    await waitFor(async () => (await firing('NafsDbPoolSaturated')).length === 0, 30000, 'NafsDbPoolSaturated cleared', 250);
    expect((await alerts()).filter((alert) => alert.labels['alertname'] === 'NafsIdentityRpcLatencyHigh')).toEqual([]);
  }, 90000);

  it('fires NafsIdentityRpcLatencyHigh when auth-service is down and forms-service must ask it', async () => {
    await auth.stop();
    // Users forms-service has never seen: every request needs the identity RPC, which times out.
    // Traffic goes on while Prometheus watches (a rate needs increases between scrapes; once the
    // breaker is open, its half-open probes are the attempts that time out).
    const statuses: number[] = [];
    let running = true;
    const traffic = (async () => {
      for (let i = 0; running; i++) {
        const user = users[1 + (i % (users.length - 1))];
        statuses.push((await fetch(`${forms.url}/api/v1/forms`, { headers: { Authorization: `Bearer ${user.token}` } })).status);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    try {
      await waitFor(async () => (await firing('NafsIdentityRpcLatencyHigh')).length > 0, 45000, 'NafsIdentityRpcLatencyHigh firing', 500);
    } finally {
      running = false;
      await traffic;
    }
    expect(new Set(statuses)).toEqual(new Set([503]));
    expect((await firing('NafsIdentityRpcLatencyHigh'))[0].labels).toMatchObject({ service: 'forms-service' });
    expect(await firing('NafsDbPoolSaturated')).toEqual([]);
  }, 90000);
});
