// Removes whatever the run left behind: databases named after the run id (a test file that
// crashed before its own clean-up included), Redis keys under the run's prefix, and containers.
const { Client } = require('pg');
const Redis = require('ioredis');

module.exports = async function globalTeardown() {
  const runId = process.env.TEST_RUN_ID;
  if (runId) {
    const client = new Client({ connectionString: process.env.TEST_PG_URL });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT datname FROM pg_database WHERE datname LIKE $1 ORDER BY datname DESC', [
        `nafs_t_${runId}_%`,
      ]);
      for (const { datname } of rows) {
        await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
      }
      // Login roles a test created (the migration tool's tests name them <tool>_t_<run id>_...).
      const roles = await client.query('SELECT rolname FROM pg_roles WHERE rolname LIKE $1', [`%\\_t\\_${runId}\\_%`]);
      for (const { rolname } of roles.rows) {
        await client
          .query(`DROP ROLE IF EXISTS "${rolname}"`)
          .catch((error) => console.warn(`could not drop role ${rolname}: ${error.message}`));
      }
    } finally {
      await client.end();
    }
    const redis = new Redis(process.env.TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `test:${runId}:*`, 'COUNT', 1000);
        if (keys.length) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
  }
  for (const container of globalThis.__NAFS_TEST_CONTAINERS__ ?? []) await container.stop();
};
