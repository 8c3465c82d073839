import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';

import type { ServiceName } from '@nafs/contracts';
import { waitFor } from '@nafs/database/testing';
import type { ServiceProcess } from '@nafs/runtime/testing';
import { chromium } from 'playwright-core';

import { type Platform, startPlatform } from './support/platform';

const CHROMIUM = '/usr/bin/chromium';
const JWT_SECRET = 'observability-e2e-secret-0123456789abcdefghij';

/** The JSON log lines of a process (pino, one object per line) that carry `reqId`. */
function linesWith(process: ServiceProcess, requestId: string): Record<string, unknown>[] {
  return process.logs
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line['reqId'] === requestId);
}

interface MergedDocument {
  paths: Record<string, Record<string, unknown>>;
}

const OPERATION_METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'trace'];

describe('observability across the built bundles: one request id through four processes, /api-docs in a browser', () => {
  let platform: Platform;
  let services: Record<ServiceName, ServiceProcess>;
  let gateway: ServiceProcess;
  const user = { email: `obs-${randomUUID().slice(0, 8)}@example.com`, password: 'Obs3rv@bility!' };

  beforeAll(async () => {
    platform = await startPlatform('obs', { logLevel: 'log', env: { JWT_SECRET, JWT_REFRESH_SECRET: `${JWT_SECRET}-refresh` } });
    ({ services, gateway } = platform);
    // Each service builds its document on the first request; build them now, not under the browser.
    for (const service of Object.values(services)) expect((await fetch(`${service.url}/api-docs/swagger.json`)).status).toBe(200);
    const registered = await fetch(`${gateway.url}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...user, firstName: 'Olga', lastName: 'Served' }),
    });
    expect(registered.status).toBe(201);
  }, 420000);

  afterAll(async () => {
    await platform?.stop();
  });

  it("follows one X-Request-Id from the gateway through web into auth's RPC handler (and forms), in each process's log", async () => {
    const login = await fetch(`${gateway.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'e2e-login-1' },
      body: JSON.stringify(user),
    });
    expect(login.status).toBe(200);
    const { data } = (await login.json()) as { data: { accessToken: string } };

    const requestId = `e2e-trace-${randomUUID().slice(0, 8)}`;
    const projects = await fetch(`${gateway.url}/api/v1/drawing-projects`, {
      headers: { Authorization: `Bearer ${data.accessToken}`, 'X-Request-Id': requestId },
    });
    expect(projects.status).toBe(200);
    expect(projects.headers.get('x-request-id')).toBe(requestId);
    const themes = await fetch(`${gateway.url}/api/v1/themes`, {
      headers: { Authorization: `Bearer ${data.accessToken}`, 'X-Request-Id': `${requestId}-forms` },
    });
    expect(themes.status).toBe(200);

    await waitFor(async () => linesWith(services.auth, requestId).length > 0, 15000, 'auth logged the RPC call');
    await waitFor(async () => linesWith(services.forms, `${requestId}-forms`).length > 0, 15000, 'forms logged the request');
    const accessLines = (process: ServiceProcess, id: string) => linesWith(process, id).filter((line) => line['req']);
    expect(accessLines(gateway, requestId)).toEqual([
      expect.objectContaining({ service: 'gateway', req: { method: 'GET', url: '/api/v1/drawing-projects' }, res: { statusCode: 200 } }),
    ]);
    expect(accessLines(services.web, requestId)).toEqual([
      expect.objectContaining({
        service: 'web-service',
        req: { method: 'GET', url: '/api/v1/drawing-projects' },
        res: { statusCode: 200 },
      }),
    ]);
    // web's identity lookup over Redis, answered and logged by auth under the same id.
    expect(linesWith(services.auth, requestId)).toEqual([
      expect.objectContaining({
        service: 'auth-service',
        context: 'Rpc',
        msg: expect.stringMatching(/^rpc auth\.user\.validate ok \d+ms$/),
      }),
    ]);
    expect(accessLines(services.forms, `${requestId}-forms`)).toEqual([
      expect.objectContaining({ service: 'forms-service', req: { method: 'GET', url: '/api/v1/themes' }, res: { statusCode: 200 } }),
    ]);
    // The login itself: the gateway's access line and auth's, under the id the client sent.
    expect(accessLines(gateway, 'e2e-login-1')).toHaveLength(1);
    expect(linesWith(services.auth, 'e2e-login-1')).toEqual(
      expect.arrayContaining([expect.objectContaining({ res: { statusCode: 200 } })]),
    );
  });

  const haveChromium = existsSync(CHROMIUM);
  if (!haveChromium) console.log(`${CHROMIUM} not found: the Swagger UI browser test is skipped`);
  (haveChromium ? it : it.skip)(
    '/api-docs in a real browser: Swagger UI lists every route of the merged document and "Try it out" logs in',
    async () => {
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-background-networking'],
      });
      try {
        const page = await browser.newPage();
        const external: string[] = [];
        page.on('request', (request) => {
          if (!request.url().startsWith(gateway.url)) external.push(request.url());
        });
        // The document the UI loads is the one its list is compared with.
        const loaded = page.waitForResponse((response) => response.url() === `${gateway.url}/api-docs/swagger.json`);
        await page.goto(`${gateway.url}/api-docs`);
        const merged = (await (await loaded).json()) as MergedDocument & { 'x-unavailable': string[] };
        expect(merged['x-unavailable']).toEqual([]);
        const expected = Object.entries(merged.paths)
          .flatMap(([path, item]) => OPERATION_METHODS.filter((method) => item[method]).map((method) => `${method.toUpperCase()} ${path}`))
          .sort();
        for (const route of ['POST /api/v1/auth/login', 'GET /api/v1/drawing-projects', 'GET /api/v1/themes'])
          expect(expected).toContain(route);
        // Swagger UI mounts only the operations near the viewport: scroll down, collecting them.
        await page.waitForSelector('.opblock', { timeout: 20000 });
        const seen = new Set<string>();
        let lastY = -1;
        for (let step = 0; step < 400; step++) {
          const visible = await page.$$eval('.opblock', (blocks) =>
            blocks.map((block) => {
              const method = block.querySelector('.opblock-summary-method')?.textContent ?? '';
              const path = block.querySelector('.opblock-summary-path')?.getAttribute('data-path') ?? '';
              return `${method.trim().toUpperCase()} ${path}`;
            }),
          );
          visible.forEach((operation) => seen.add(operation));
          const y = await page.evaluate(() => {
            const view = globalThis as unknown as { scrollBy(x: number, y: number): void; innerHeight: number; scrollY: number };
            view.scrollBy(0, view.innerHeight / 2);
            return view.scrollY;
          });
          await page.waitForTimeout(50);
          if (y === lastY) break;
          lastY = y;
        }
        const listed = [...seen].sort();
        expect(listed).toEqual(expected);

        // Scroll from the top until Swagger UI has mounted the login operation, then open it.
        const login = page.locator('.opblock-post', { has: page.locator('[data-path="/api/v1/auth/login"]') });
        await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
        for (let step = 0; step < 400 && (await login.count()) === 0; step++) {
          await page.evaluate(() => {
            const view = globalThis as unknown as { scrollBy(x: number, y: number): void; innerHeight: number };
            view.scrollBy(0, view.innerHeight / 2);
          });
          await page.waitForTimeout(50);
        }
        await login.locator('.opblock-summary').first().click();
        await login.locator('.try-out__btn').click();
        // The body editor exists because auth documents the login body (its createZodDto class).
        expect((merged.paths['/api/v1/auth/login']['post'] as { requestBody?: unknown }).requestBody).toBeDefined();
        await login.locator('textarea.body-param__text').fill(JSON.stringify(user));
        await login.locator('.execute').click();
        const status = login.locator('.live-responses-table .response .response-col_status').first();
        await status.waitFor({ timeout: 10000 });
        expect((await status.textContent())?.trim()).toMatch(/^200/);
        expect(await login.locator('.live-responses-table').first().textContent()).toContain('Login successful');
        expect(external).toEqual([]);
      } finally {
        await browser.close();
      }
    },
    60000,
  );
});
