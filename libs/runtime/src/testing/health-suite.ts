import type { BaseServiceConfig, ServiceDefinition } from '../lib/bootstrap';
import { expectHealthContract } from './health-contract';
import { type RunningTestService, startTestService } from './test-service';

/**
 * The health contract of a service that depends on auth-service over RPC (web, forms): the probes
 * and legacy health shapes, and readiness that fails, within the RPC timeout and naming the
 * auth RPC, while no auth-service answers on the service's channel prefix.
 */
export function describeHealthOfAuthDependentService<C extends BaseServiceConfig>(definition: ServiceDefinition<C>): void {
  describe(`${definition.app} health (real PostgreSQL and Redis)`, () => {
    let service: RunningTestService;

    beforeAll(async () => {
      service = await startTestService(definition);
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
}
