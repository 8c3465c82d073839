import { AUTH_PATTERNS, type PingResponse } from '@nafs/contracts';
import { createRpcClient, rpcCall } from '@nafs/rpc';
import { expectHealthContract, type RunningTestService, startTestService } from '@nafs/runtime/testing';

import { AUTH_SERVICE } from '../src/service';

describe('auth-service health and RPC (real PostgreSQL and Redis)', () => {
  let auth: RunningTestService;

  beforeAll(async () => {
    auth = await startTestService(AUTH_SERVICE);
  });
  afterAll(() => auth?.close());

  it('serves the probes and the legacy health paths with their shapes', async () => {
    await expectHealthContract(auth.url);
  });

  it('is ready when its database and Redis answer', async () => {
    const res = await fetch(`${auth.url}/health/ready`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', info: { database: { status: 'up' }, redis: { status: 'up' } } });
  });

  it('answers ping over the Redis transport', async () => {
    const client = createRpcClient(auth.env);
    try {
      const pong = await rpcCall<PingResponse>(client, AUTH_PATTERNS.ping, {});
      expect(pong).toEqual({ service: 'auth-service', uptime: expect.any(Number), timestamp: expect.any(String) });
    } finally {
      await client.close();
    }
  });

  it('reports the database as down on the legacy routes once the pool is gone', async () => {
    const other = await startTestService(AUTH_SERVICE);
    try {
      await other.database.drop();
      const res = await fetch(`${other.url}/api/v1/health`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ status: 'unhealthy', services: { database: { status: 'error' } } });
      const ready = await fetch(`${other.url}/health/ready`);
      expect(ready.status).toBe(503);
    } finally {
      await other.app.close();
    }
  });
});
