import { Writable } from 'node:stream';

import { RPC_META_KEY } from '@nafs/contracts';
import { testInfra, uniqueRedisPrefix } from '@nafs/database/testing';
import { createLogger, currentRequestId, RpcRequestContextInterceptor, withRequestId } from '@nafs/observability';
import { Controller, Logger } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';

import { rpcCall } from './rpc-call';
import { createRpcClient, createRpcServer } from './rpc-options';

@Controller()
class WhoController {
  private readonly logger = new Logger('WhoController');

  @MessagePattern('who')
  who(@Payload() data: { userId: string }) {
    this.logger.log(`looking up ${data.userId}`);
    return { userId: data.userId, requestId: currentRequestId() ?? null, keys: Object.keys(data).sort() };
  }
}

describe('request ids over the Redis transport (real Redis)', () => {
  it('the caller puts its request id in the payload metadata; the handler runs and logs under it', async () => {
    const lines: Record<string, unknown>[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const env = { REDIS_URL: testInfra().redisUrl, RPC_CHANNEL_PREFIX: uniqueRedisPrefix('rpc-rid') };
    const moduleRef = await Test.createTestingModule({ controllers: [WhoController] }).compile();
    const server = moduleRef.createNestMicroservice({
      strategy: createRpcServer(env),
      logger: createLogger('auth-service', 'log', { destination }),
    });
    server.useGlobalInterceptors(new RpcRequestContextInterceptor());
    await server.listen();
    const client = createRpcClient(env);
    try {
      const traced = await withRequestId('gw-trace-1', () =>
        rpcCall<{ requestId: string; keys: string[] }>(client, 'who', { userId: 'u1' }),
      );
      expect(traced).toEqual({ userId: 'u1', requestId: 'gw-trace-1', keys: [RPC_META_KEY, 'userId'] });

      // Outside a request nothing is added, and the handler still gets an id of its own.
      const untraced = await rpcCall<{ requestId: string; keys: string[] }>(client, 'who', { userId: 'u2' });
      expect(untraced.keys).toEqual(['userId']);
      expect(untraced.requestId).toMatch(/^[0-9a-f-]{36}$/);

      await new Promise((resolve) => setTimeout(resolve, 50));
      const handled = lines.filter((line) => line['context'] === 'WhoController' || line['context'] === 'Rpc');
      expect(handled.filter((line) => line['reqId'] === 'gw-trace-1')).toEqual([
        expect.objectContaining({ service: 'auth-service', context: 'WhoController', msg: 'looking up u1' }),
        expect.objectContaining({ service: 'auth-service', context: 'Rpc', msg: expect.stringMatching(/^rpc who ok \d+ms$/) }),
      ]);
    } finally {
      await client.close();
      await server.close();
    }
  });
});
