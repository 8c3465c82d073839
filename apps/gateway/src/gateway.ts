import { createServer } from 'node:net';

import { buildOpenApiDocument, createLogger, type ServiceLogger, wantsPrettyLogs } from '@nafs/observability';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

import { ApiDocsService } from './api-docs/api-docs.service';
import type { OpenApiDocument } from './api-docs/openapi-merge';
import { AppModule } from './app.module';
import { type GatewayConfig, upstreams } from './config/gateway.config';
import { LegacyNotFoundFilter } from './not-found.filter';
import { type NginxProcess, startNginx } from './proxy/nginx-process';
import { requestId } from './proxy/request-id';

export function gatewayLogger(config: GatewayConfig): ServiceLogger {
  return createLogger('gateway', config.LOG_LEVEL, { pretty: wantsPrettyLogs(config) });
}

/**
 * The gateway's own routes (legacy info and health, readiness aggregated over the services, the
 * merged API docs, the legacy 404), on 127.0.0.1 behind nginx. Body parsing is off: nothing here
 * reads a body.
 */
export async function createGatewayApp(config: GatewayConfig, logger = gatewayLogger(config)): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.register(config), { bodyParser: false, logger });
  app.use(requestId);
  app.useGlobalFilters(new LegacyNotFoundFilter());
  app.get(ApiDocsService).setGatewayDocument(() => buildOpenApiDocument(app, 'gateway') as unknown as OpenApiDocument);
  return app;
}

export interface Gateway {
  /** Where clients connect: nginx. */
  readonly url: string;
  readonly app: INestApplication;
  readonly nginx: NginxProcess;
  close(): Promise<void>;
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * One origin for both Angular apps: nginx, configured from the route table in libs/contracts,
 * sends each service's routes straight to it and everything else to the gateway's own app.
 * `listenPort` 0 (tests) picks a free port.
 */
export async function startGateway(config: GatewayConfig, options: { listenPort?: number; logger?: ServiceLogger } = {}): Promise<Gateway> {
  const logger = options.logger ?? gatewayLogger(config);
  const app = await createGatewayApp(config, logger);
  await app.listen(config.GATEWAY_APP_PORT, '127.0.0.1');
  const appPort = (app.getHttpServer().address() as { port: number }).port;
  const listenHost = config.HOST;
  const connectHost = listenHost === '0.0.0.0' ? '127.0.0.1' : listenHost;
  let nginx: NginxProcess;
  try {
    const listenPort = options.listenPort === 0 ? await freePort(connectHost) : (options.listenPort ?? config.PORT);
    nginx = await startNginx(
      config.NGINX_BIN,
      {
        listenHost,
        listenPort,
        appPort,
        upstreams: upstreams(config),
        corsOrigins: config.CORS_ORIGINS,
        upstreamTimeoutMs: config.UPSTREAM_TIMEOUT_MS,
        // nginx's warnings are routine (an upload buffered to a temp file); its errors (upstream timeouts) are kept.
        errorLogLevel: config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'verbose' ? 'warn' : 'error',
        accessLog: config.LOG_LEVEL !== 'error' && config.LOG_LEVEL !== 'warn',
        workerProcesses: config.NGINX_WORKER_PROCESSES,
        maxBodySize: config.GATEWAY_MAX_BODY_SIZE,
      },
      logger,
    );
    const url = `http://${connectHost}:${listenPort}`;
    return {
      url,
      app,
      nginx,
      async close() {
        await nginx.stop();
        await app.close();
      },
    };
  } catch (error) {
    await app.close();
    throw error;
  }
}
