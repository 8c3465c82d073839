// Runs once per Jest run (one Nx project), before any test file. It finds the PostgreSQL server and
// Redis the tests will use and names the run, so that every database and key the run creates can
// be removed by the teardown. Plain JavaScript: Jest loads it before any transform is set up.
const net = require('node:net');
const { execFileSync } = require('node:child_process');

const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

function listening(host, port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

function dockerAvailable() {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

async function resolvePostgres(containers) {
  if (process.env.TEST_PG_URL) return process.env.TEST_PG_URL;
  if (await listening('127.0.0.1', 5432)) return DEFAULT_PG_URL;
  if (dockerAvailable()) {
    const { PostgreSqlContainer } = require('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:15-alpine').withUsername('postgres').withPassword('postgres').start();
    containers.push(container);
    return `postgres://postgres:postgres@${container.getHost()}:${container.getPort()}/postgres`;
  }
  throw new Error(
    'Tests need PostgreSQL. Nothing listens on 127.0.0.1:5432, TEST_PG_URL is unset and Docker is not available.\n' +
      'Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n' +
      'or point TEST_PG_URL at a server where the user may create databases.',
  );
}

async function resolveRedis(containers) {
  if (process.env.TEST_REDIS_URL) return process.env.TEST_REDIS_URL;
  if (await listening('127.0.0.1', 6379)) return DEFAULT_REDIS_URL;
  if (dockerAvailable()) {
    const { RedisContainer } = require('@testcontainers/redis');
    const container = await new RedisContainer('redis:7-alpine').start();
    containers.push(container);
    return container.getConnectionUrl();
  }
  throw new Error(
    'Tests need Redis. Nothing listens on 127.0.0.1:6379, TEST_REDIS_URL is unset and Docker is not available.\n' +
      'Start it with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no\n' +
      'or point TEST_REDIS_URL at a Redis server.',
  );
}

module.exports = async function globalSetup() {
  const containers = [];
  process.env.TEST_PG_URL = await resolvePostgres(containers);
  process.env.TEST_REDIS_URL = await resolveRedis(containers);
  process.env.TEST_RUN_ID = `${Date.now().toString(36)}${process.pid.toString(36)}`.slice(-12);
  globalThis.__NAFS_TEST_CONTAINERS__ = containers;
};
