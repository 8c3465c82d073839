import { Writable } from 'node:stream';

import { Controller, Get, Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

import { createLogger } from './logger';
import { currentRequestId, withRequestId } from './logging/request-context';
import { requestLogging } from './logging/request-logging';

function capture() {
  const lines: string[] = [];
  let buffer = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      buffer += String(chunk);
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      lines.push(...parts.filter(Boolean));
      done();
    },
  });
  return { stream, lines, json: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

@Controller('hello')
class HelloController {
  private readonly logger = new Logger('HelloController');

  @Get()
  hello() {
    this.logger.log('saying hello');
    return { requestId: currentRequestId() };
  }
}

@Module({ controllers: [HelloController] })
class HelloModule {}

describe('createLogger (pino through Nest)', () => {
  it('writes JSON lines tagged with the service, maps Nest levels to pino and honours LOG_LEVEL', () => {
    const out = capture();
    const logger = createLogger('auth-service', 'log', { destination: out.stream });
    logger.log('started', 'Main');
    logger.warn('careful');
    logger.debug('hidden at level log');
    logger.verbose('hidden too');
    expect(out.json()).toEqual([
      expect.objectContaining({ level: 30, service: 'auth-service', msg: 'started', context: 'Main' }),
      expect.objectContaining({ level: 40, service: 'auth-service', msg: 'careful' }),
    ]);
  });

  it('logs route mapping and module loading at debug, not at log', () => {
    const out = capture();
    const logger = createLogger('web-service', 'log', { destination: out.stream });
    logger.log('Mapped {/api/v1/x, GET} route', 'RouterExplorer');
    logger.log('AppModule dependencies initialized', 'InstanceLoader');
    logger.log('ready', 'NestApplication');
    expect(out.json().map((line) => line['msg'])).toEqual(['ready']);

    const debug = capture();
    createLogger('web-service', 'debug', { destination: debug.stream }).log('Mapped {/api/v1/x, GET} route', 'RouterExplorer');
    expect(debug.json()).toEqual([expect.objectContaining({ level: 20, context: 'RouterExplorer' })]);
  });

  it('binds the current request id to Nest Logger lines', () => {
    const out = capture();
    const logger = createLogger('forms-service', 'log', { destination: out.stream });
    withRequestId('req-42', () => logger.log('inside', 'Ctx'));
    logger.log('outside', 'Ctx');
    expect(out.json()).toEqual([
      expect.objectContaining({ msg: 'inside', reqId: 'req-42' }),
      expect.not.objectContaining({ reqId: expect.anything() }),
    ]);
  });

  it('pretty mode writes one human-readable line per entry with the service as prefix', async () => {
    const out = capture();
    const logger = createLogger('gateway', 'log', { pretty: true, destination: out.stream });
    withRequestId('abc-1', () => logger.log('listening on port 3000', 'Main'));
    logger.warn({ msg: 'with fields', upstream: 'auth' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(out.lines).toHaveLength(2);
    expect(out.lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: \[gateway\] \(abc-1\) Main: listening on port 3000$/);
    expect(out.lines[1]).toMatch(/WARN: \[gateway\] with fields \{"upstream":"auth"\}$/);
    expect(() => JSON.parse(out.lines[0])).toThrow();
  });
});

describe('requestLogging (a real Nest app over HTTP)', () => {
  it('takes the X-Request-Id it was given, echoes it, binds it to Logger lines and writes one access line', async () => {
    const out = capture();
    const logger = createLogger('web-service', 'log', { destination: out.stream });
    const app = await NestFactory.create(HelloModule, { logger });
    app.use(requestLogging(logger.pinoLogger));
    await app.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    try {
      out.lines.length = 0;
      const res = await fetch(`${base}/hello?x=1`, { headers: { 'X-Request-Id': 'gw-7f3a' } });
      expect(res.headers.get('x-request-id')).toBe('gw-7f3a');
      expect(await res.json()).toEqual({ requestId: 'gw-7f3a' });

      const minted = await fetch(`${base}/hello`, { headers: { 'X-Request-Id': 'bad id with spaces' } });
      const mintedId = minted.headers.get('x-request-id');
      expect(mintedId).toMatch(/^[0-9a-f-]{36}$/);
      await new Promise((resolve) => setTimeout(resolve, 50));

      const lines = out.json();
      expect(lines.filter((line) => line['reqId'] === 'gw-7f3a')).toEqual([
        expect.objectContaining({ service: 'web-service', context: 'HelloController', msg: 'saying hello' }),
        expect.objectContaining({
          service: 'web-service',
          level: 30,
          req: { method: 'GET', url: '/hello?x=1' },
          res: { statusCode: 200 },
          responseTime: expect.any(Number),
          msg: expect.stringMatching(/^GET \/hello\?x=1 200 \d+ms$/),
        }),
      ]);
      expect(lines.filter((line) => line['reqId'] === mintedId)).toHaveLength(2);
    } finally {
      await app.close();
    }
  });
});
