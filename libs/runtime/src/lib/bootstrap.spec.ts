import { commonEnvShape, databaseEnvShape, loadConfig, port } from '@nafs/config';
import { createEmptyDatabase, type TestDatabase } from '@nafs/database/testing';
import { Body, Controller, type DynamicModule, Module, Post } from '@nestjs/common';
import { createZodDto, ZodValidationPipe } from 'nestjs-zod';
import { z } from 'zod';

import { type BaseServiceConfig, createServiceApp, migrate, type ServiceDefinition } from './bootstrap';

class CreateThingDto extends createZodDto(z.object({ name: z.string(), size: z.number().int() })) {}

@Controller('things')
class ThingsController {
  @Post()
  create(@Body() dto: CreateThingDto) {
    return { received: dto };
  }
}

@Module({ controllers: [ThingsController] })
class ThingsModule {}

const schema = z.object({ PORT: port(3999), ...commonEnvShape, ...databaseEnvShape('WEB') });
type Config = z.infer<typeof schema> & BaseServiceConfig;

const definition: ServiceDefinition<Config> = {
  service: 'web',
  app: 'runtime-spec',
  schema: { entities: [], migrations: [] },
  loadConfig: (env) => loadConfig('runtime-spec', schema, env) as Config,
  rootModule: (): DynamicModule => ({ module: ThingsModule }),
  configureApp: (app) => app.useGlobalPipes(new ZodValidationPipe()),
};

describe('service bootstrap', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createEmptyDatabase('runtime');
  });
  afterAll(() => database?.drop());

  it("applies the service's own app configuration before serving (here: a zod pipe that strips unknown keys)", async () => {
    const app = await createServiceApp(definition, definition.loadConfig({ LOG_LEVEL: 'error', ...database.env('web') }));
    await app.listen(0, '127.0.0.1');
    const url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}/things`;
    try {
      const ok = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'a', size: 2, admin: true }),
      });
      expect(ok.status).toBe(201);
      expect(await ok.json()).toEqual({ received: { name: 'a', size: 2 } });
      const bad = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 1 }) });
      expect(bad.status).toBe(400);
    } finally {
      await app.close();
    }
  });

  it('migrate() reports the target database and what it applied', async () => {
    const report = await migrate(definition, definition.loadConfig(database.env('web')));
    expect(report).toEqual({ database: database.name, host: '127.0.0.1', createdDatabase: false, applied: [] });
  });
});
