import { commonEnvShape, databaseEnvShape, loadConfig, port } from '@nafs/config';
import { createEmptyDatabase, type TestDatabase } from '@nafs/database/testing';
import { OPENAPI_DOCUMENT_PATH } from '@nafs/observability';
import { Body, Controller, type DynamicModule, Get, Module, Param, Post } from '@nestjs/common';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';

import { type BaseServiceConfig, createServiceApp, type ServiceDefinition } from './bootstrap';

class CreateGadgetDto extends createZodDto(z.object({ name: z.string().min(1).max(40), size: z.number().int().optional() })) {}
class GadgetParamsDto extends createZodDto(z.object({ id: z.uuid() })) {}

@Controller('api/v1/gadgets')
class GadgetsController {
  @Post()
  create(@Body() body: CreateGadgetDto) {
    return body;
  }

  @Get(':id')
  get(@Param() params: GadgetParamsDto) {
    return params;
  }
}

@Module({ controllers: [GadgetsController] })
class GadgetsModule {}

const schema = z.object({ PORT: port(3999), ...commonEnvShape, ...databaseEnvShape('WEB') });
type Config = z.infer<typeof schema> & BaseServiceConfig;
const definition: ServiceDefinition<Config> = {
  service: 'web',
  app: 'openapi-spec',
  schema: { entities: [], migrations: [] },
  loadConfig: (env) => loadConfig('openapi-spec', schema, env) as Config,
  rootModule: (): DynamicModule => ({ module: GadgetsModule }),
};

describe('every service serves its OpenAPI document', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createEmptyDatabase('openapi');
  });
  afterAll(() => database?.drop());

  it(`at ${OPENAPI_DOCUMENT_PATH}, built from the controllers and their zod DTOs`, async () => {
    const app = await createServiceApp(definition, definition.loadConfig({ LOG_LEVEL: 'error', ...database.env('web') }));
    await app.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    try {
      const res = await fetch(`${base}${OPENAPI_DOCUMENT_PATH}`);
      expect(res.status).toBe(200);
      const doc = (await res.json()) as {
        openapi: string;
        info: { title: string };
        paths: Record<
          string,
          Record<
            string,
            {
              requestBody?: { content: Record<string, { schema: { $ref?: string } }> };
              parameters?: { name: string; in: string; schema: { format?: string } }[];
            }
          >
        >;
        components: { schemas: Record<string, { properties: Record<string, unknown>; required?: string[] }> };
      };
      expect(doc.openapi).toMatch(/^3\./);
      expect(doc.info.title).toBe('openapi-spec');
      expect(Object.keys(doc.paths).sort()).toEqual(['/api/v1/gadgets', '/api/v1/gadgets/{id}']);
      const ref = doc.paths['/api/v1/gadgets'].post.requestBody?.content['application/json'].schema.$ref;
      expect(ref).toBe('#/components/schemas/CreateGadgetDto');
      expect(doc.components.schemas['CreateGadgetDto']).toMatchObject({
        properties: { name: { type: 'string', minLength: 1, maxLength: 40 }, size: { type: 'integer' } },
        required: ['name'],
      });
      expect(doc.paths['/api/v1/gadgets/{id}'].get.parameters).toEqual([
        expect.objectContaining({ name: 'id', in: 'path', schema: expect.objectContaining({ format: 'uuid' }) }),
      ]);
    } finally {
      await app.close();
    }
  });
});
