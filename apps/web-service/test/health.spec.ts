import { expectHealthContract, type RunningTestService, startTestService } from '@nafs/runtime/testing';
import { WEB_SERVICE } from '../src/service';

describe('web-service health (real PostgreSQL and Redis)', () => {
  let service: RunningTestService;

  beforeAll(async () => {
    service = await startTestService(WEB_SERVICE);
  });
  afterAll(() => service?.close());

  it('serves the probes and the legacy health paths with their shapes', async () => {
    await expectHealthContract(service.url);
  });

  it('is not ready while auth-service does not answer over RPC, and says why', async () => {
    const started = Date.now();
    const res = await fetch(`${service.url}/health/ready`);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      status: 'error',
      info: { database: { status: 'up' }, redis: { status: 'up' } },
      error: { 'auth-rpc': { status: 'down' } },
    });
  });
});
