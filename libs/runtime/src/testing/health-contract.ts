/**
 * Checks the health endpoints every service shares: the probes and the legacy router's paths and
 * shapes (legacy-api.md section 4). Returns the readiness body so callers can check their extras.
 */
export async function expectHealthContract(baseUrl: string): Promise<void> {
  const get = async (path: string) => {
    const res = await fetch(`${baseUrl}${path}`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  const live = await get('/health/live');
  expect(live).toMatchObject({ status: 200, body: { status: 'ok' } });

  for (const path of ['/health', '/api/v1/health/liveness', '/health/health/liveness', '/api/v1']) {
    const { status, body } = await get(path);
    expect({ path, status }).toEqual({ path, status: 200 });
    expect(body).toEqual({ status: 'alive', timestamp: expect.any(String), uptime: expect.any(Number) });
  }

  for (const path of ['/api/v1/health/readiness', '/health/health/readiness']) {
    const { status, body } = await get(path);
    expect({ path, status }).toEqual({ path, status: 200 });
    expect(body).toEqual({ status: 'ready', timestamp: expect.any(String), services: { database: 'ready' } });
  }

  for (const path of ['/api/v1/health', '/health/health']) {
    const { status, body } = await get(path);
    expect({ path, status }).toEqual({ path, status: 200 });
    expect(body).toEqual({
      status: 'healthy',
      timestamp: expect.any(String),
      uptime: expect.any(Number),
      environment: 'test',
      version: '1.0.0',
      services: {
        database: {
          status: 'connected',
          latency: expect.any(Number),
          connections: { total: expect.any(Number), idle: expect.any(Number), waiting: expect.any(Number) },
        },
        memory: { used: expect.any(Number), total: expect.any(Number), percentage: expect.any(Number) },
      },
    });
  }
}
