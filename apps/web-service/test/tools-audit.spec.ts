// W13–W15 audit records cross into auth: web writes `web.audit.recorded` into its own outbox in
// the tool's transaction, its relay publishes to events:web, and auth-service (the real bundle)
// stores each record once in audit_logs, where an admin reads it through auth's audit route. The
// create happens while auth is stopped; the record arrives when auth is back.
import { AuthFixture, type AuthProcess, TEST_JWT_SECRET, type TestUser } from '@nafs/auth-client/testing';
import { WEB_EVENTS } from '@nafs/contracts';
import { testInfra, uniqueRedisPrefix, waitFor } from '@nafs/database/testing';
import { encodeAuthEvent, webEventStreamKey } from '@nafs/events';
import { type RunningTestService, startTestService } from '@nafs/runtime/testing';
import Redis from 'ioredis';
import { Client } from 'pg';

import { WEB_SERVICE } from '../src/service';

describe('tool audit records: web outbox → events:web → auth audit_logs (real auth-service bundle)', () => {
  let auth: AuthFixture;
  let web: RunningTestService;
  let admin: TestUser;
  let token: string;
  let prefix: string;
  let stopped: AuthProcess | undefined;

  const post = (path: string, body: unknown) =>
    fetch(`${web.url}${path}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'User-Agent': 'audit-test/1.0' },
      body: JSON.stringify(body),
    });

  async function auditLogs(resourceId: string) {
    const res = await fetch(`${auth.replicas.at(-1)?.url}/api/v1/audit-logs?resourceId=${resourceId}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    return { status: res.status, body: (await res.json()) as { data: { logs: Record<string, unknown>[] } } };
  }

  beforeAll(async () => {
    prefix = uniqueRedisPrefix('tools-audit');
    const shared = { REDIS_URL: testInfra().redisUrl, REDIS_KEY_PREFIX: prefix, RPC_CHANNEL_PREFIX: prefix };
    auth = new AuthFixture(shared);
    await auth.addReplica();
    web = await startTestService(WEB_SERVICE, { ...shared, JWT_SECRET: TEST_JWT_SECRET, EVENTS_RELAY_POLL_MS: '50' });
    admin = await auth.createUser({ role: 'admin' });
    token = auth.accessToken(admin);
  }, 90_000);

  afterAll(async () => {
    await web?.close();
    // Only the replicas still running: ServiceProcess.stop() waits for an 'exit' that a process
    // already stopped by a signal will never emit again (its exitCode stays null).
    await Promise.all((auth?.replicas ?? []).filter((replica) => replica !== stopped).map((replica) => replica.stop()));
  });

  it('a tool created while auth is stopped leaves exactly one audit entry, with the tool uuid as resource_id, once auth is back', async () => {
    // Prime web's identity cache while auth answers, then stop auth.
    expect((await fetch(`${web.url}/api/v1/admin/tools`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
    stopped = auth.replicas[0];
    await stopped.stop();

    const res = await post('/api/v1/admin/tools', {
      key: 'audited-tool',
      name: 'Audited Tool',
      description: 'created while auth was down',
    });
    expect(res.status).toBe(201);
    const tool = ((await res.json()) as { data: { tool: { id: string } } }).data.tool;

    // web's relay has published it; auth's group has it waiting.
    const redis = new Redis(testInfra().redisUrl);
    try {
      await waitFor(
        async () => {
          const entries = (await redis.xrange(webEventStreamKey(prefix), '-', '+')) as [string, string[]][];
          return entries.some(([, fields]) => fields.includes(WEB_EVENTS.auditRecorded) && fields.some((f) => f.includes(tool.id)));
        },
        10_000,
        'the audit event on events:web',
      );

      await auth.addReplica();
      const entry = await waitFor(
        async () => {
          const found = await auditLogs(tool.id);
          return found.status === 200 && found.body.data.logs.length ? found.body.data.logs : null;
        },
        20_000,
        'the audit entry in auth',
      );
      expect(entry).toEqual([
        expect.objectContaining({
          userId: admin.id,
          tenantId: null,
          action: 'CREATE',
          resourceType: 'tools',
          resourceId: tool.id,
          changes: { key: 'audited-tool', name: 'Audited Tool', description: 'created while auth was down', active: true },
          ipAddress: '127.0.0.1',
          userAgent: 'audit-test/1.0',
        }),
      ]);

      // A redelivery (the relay is at least once) is stored once: the audit row's id is the event id.
      const [outboxRow] = await queryWeb(
        `SELECT id, type, payload, occurred_at FROM event_outbox WHERE type = $1 AND payload->>'resourceId' = $2`,
        [WEB_EVENTS.auditRecorded, tool.id],
      );
      await redis.xadd(
        webEventStreamKey(prefix),
        '*',
        ...encodeAuthEvent({
          id: outboxRow.id,
          type: outboxRow.type,
          occurredAt: outboxRow.occurred_at.toISOString(),
          payload: outboxRow.payload,
        } as never),
      );
      const marker = await post('/api/v1/admin/tools', {
        key: 'audit-marker',
        name: 'Audit Marker',
        description: 'published after the duplicate',
      });
      const markerId = ((await marker.json()) as { data: { tool: { id: string } } }).data.tool.id;
      await waitFor(async () => (await auditLogs(markerId)).body.data.logs.length === 1, 20_000, 'the marker entry');
      expect((await auditLogs(tool.id)).body.data.logs).toHaveLength(1);
      expect(await auth.query(`SELECT id FROM audit_logs WHERE resource_id = $1`, [tool.id])).toEqual([{ id: outboxRow.id }]);

      // W14 and W15 leave their entries too, with the legacy `changes`.
      const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
      expect(
        (await fetch(`${web.url}/api/v1/admin/tools/audited-tool`, { method: 'PATCH', headers, body: JSON.stringify({ active: false }) }))
          .status,
      ).toBe(200);
      expect((await fetch(`${web.url}/api/v1/admin/tools/audited-tool`, { method: 'DELETE', headers })).status).toBe(200);
      const trail = await waitFor(
        async () => {
          const logs = (await auditLogs(tool.id)).body.data.logs;
          return logs.length === 3 ? logs : null;
        },
        20_000,
        'the UPDATE and DELETE entries',
      );
      expect(trail.map((log) => [log.action, log.changes]).sort()).toEqual([
        ['CREATE', { key: 'audited-tool', name: 'Audited Tool', description: 'created while auth was down', active: true }],
        ['DELETE', { key: 'audited-tool' }],
        ['UPDATE', { key: 'audited-tool', active: false }],
      ]);
    } finally {
      redis.disconnect();
    }
  }, 90_000);

  it("a tool write's outbox rows and events:web entries carry the request's X-Request-Id", async () => {
    const res = await fetch(`${web.url}/api/v1/admin/tools`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'X-Request-Id': 'web-outbox-trace-1' },
      body: JSON.stringify({ key: 'traced-tool', name: 'Traced Tool', description: 'written under a request id' }),
    });
    expect(res.status).toBe(201);
    const toolId = ((await res.json()) as { data: { tool: { id: string } } }).data.tool.id;
    const outbox = await queryWeb(
      `SELECT id, type, request_id FROM event_outbox WHERE payload->>'toolId' = $1 OR payload->>'resourceId' = $1 ORDER BY occurred_at`,
      [toolId],
    );
    expect(outbox.map((row) => [row.type, row.request_id])).toEqual([
      [WEB_EVENTS.toolCreated, 'web-outbox-trace-1'],
      [WEB_EVENTS.auditRecorded, 'web-outbox-trace-1'],
    ]);

    const redis = new Redis(testInfra().redisUrl);
    try {
      const published = await waitFor(
        async () => {
          const entries = (await redis.xrange(webEventStreamKey(prefix), '-', '+')) as [string, string[]][];
          const ours = entries.map(([, fields]) => fields).filter((fields) => outbox.some((row) => fields.includes(row.id)));
          return ours.length === outbox.length ? ours : null;
        },
        10_000,
        'both events on events:web',
      );
      const requestIdOf = (fields: string[]) => (fields.includes('requestId') ? fields[fields.indexOf('requestId') + 1] : null);
      expect(published.map(requestIdOf)).toEqual(['web-outbox-trace-1', 'web-outbox-trace-1']);
    } finally {
      redis.disconnect();
    }
  }, 30_000);

  async function queryWeb(sql: string, params: unknown[]) {
    const client = new Client({ connectionString: web.database.url });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows;
    } finally {
      await client.end();
    }
  }
});
