import { randomBytes } from 'node:crypto';

/** The servers and run id chosen by the Jest global setup (libs/database/src/testing). */
export function testInfra(): { pgUrl: string; redisUrl: string; runId: string } {
  const { TEST_PG_URL, TEST_REDIS_URL, TEST_RUN_ID } = process.env;
  if (!TEST_PG_URL || !TEST_REDIS_URL || !TEST_RUN_ID) {
    throw new Error('Test infrastructure is not set up: run the tests through Jest with the workspace preset (jest.preset.js).');
  }
  return { pgUrl: TEST_PG_URL, redisUrl: TEST_REDIS_URL, runId: TEST_RUN_ID };
}

export function randomSuffix(bytes = 4): string {
  return randomBytes(bytes).toString('hex');
}

/** A Redis key prefix of this test file alone; the run's teardown deletes everything under it. */
export function uniqueRedisPrefix(label = 'f'): string {
  return `test:${testInfra().runId}:${label}:${randomSuffix()}:`;
}
