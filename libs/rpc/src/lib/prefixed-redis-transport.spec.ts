import { testInfra, uniqueRedisPrefix } from '@nafs/database/testing';
import { Controller, INestMicroservice } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';

import { rpcCall } from './rpc-call';
import { createRpcClient, createRpcServer } from './rpc-options';

function echoController(label: string) {
  @Controller()
  class EchoController {
    @MessagePattern('echo')
    echo(@Payload() data: { value: number }) {
      return { value: data.value, by: label };
    }
  }
  return EchoController;
}

async function startServer(env: Record<string, string>, label: string): Promise<INestMicroservice> {
  const moduleRef = await Test.createTestingModule({ controllers: [echoController(label)] }).compile();
  const app = moduleRef.createNestMicroservice({ strategy: createRpcServer(env) });
  await app.listen();
  return app;
}

describe('prefixed Redis transport (real Redis)', () => {
  const redisUrl = () => testInfra().redisUrl;

  it('answers only clients that use the same channel prefix', async () => {
    const envA = { REDIS_URL: redisUrl(), RPC_CHANNEL_PREFIX: uniqueRedisPrefix('rpcA') };
    const envB = { REDIS_URL: redisUrl(), RPC_CHANNEL_PREFIX: uniqueRedisPrefix('rpcB') };
    const serverA = await startServer(envA, 'A');
    const serverB = await startServer(envB, 'B');
    const clientA = createRpcClient(envA);
    const clientB = createRpcClient(envB);
    try {
      await expect(rpcCall(clientA, 'echo', { value: 1 })).resolves.toEqual({ value: 1, by: 'A' });
      await expect(rpcCall(clientB, 'echo', { value: 2 })).resolves.toEqual({ value: 2, by: 'B' });
    } finally {
      await Promise.all([clientA.close(), clientB.close(), serverA.close(), serverB.close()]);
    }
  });

  it('times out when nobody serves the prefix', async () => {
    const client = createRpcClient({ REDIS_URL: redisUrl(), RPC_CHANNEL_PREFIX: uniqueRedisPrefix('nobody') });
    try {
      const started = Date.now();
      await expect(rpcCall(client, 'echo', { value: 3 }, 300)).rejects.toThrow(/timeout/i);
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await client.close();
    }
  });
});
