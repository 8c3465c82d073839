# Shared helpers of the repository's scripts (sourced, not run).

listening() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

docker_engine() { command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; }

wait_for() { # host port seconds
  local deadline=$((SECONDS + $3))
  until listening "$1" "$2"; do
    [ "$SECONDS" -ge "$deadline" ] && return 1
    sleep 0.5
  done
}

# Makes sure PostgreSQL and Redis answer on the given host/port: start the local servers when this
# machine has them, else docker compose when an engine runs, else say exactly what to start.
ensure_backing_services() {
  local pg_host=${PGHOST_CHECK:-127.0.0.1} pg_port=${PGPORT_CHECK:-5432}
  local redis_host=${REDIS_HOST_CHECK:-127.0.0.1} redis_port=${REDIS_PORT_CHECK:-6379}
  if ! listening "$pg_host" "$pg_port"; then
    if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
      echo "PostgreSQL is not running: starting the local cluster"
      pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
    elif docker_engine; then
      echo "PostgreSQL is not running: starting it with docker compose"
      docker compose -f docker/compose.yml up -d postgres
    fi
    wait_for "$pg_host" "$pg_port" 30 || {
      echo "PostgreSQL is not reachable on $pg_host:$pg_port. Start it, e.g.:" >&2
      echo "  pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start" >&2
      echo "  or: docker compose -f docker/compose.yml up -d postgres" >&2
      return 1
    }
  fi
  if ! listening "$redis_host" "$redis_port"; then
    if command -v redis-server >/dev/null 2>&1; then
      echo "Redis is not running: starting a local redis-server"
      redis-server --daemonize yes --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no >/dev/null
    elif docker_engine; then
      echo "Redis is not running: starting it with docker compose"
      docker compose -f docker/compose.yml up -d redis
    fi
    wait_for "$redis_host" "$redis_port" 15 || {
      echo "Redis is not reachable on $redis_host:$redis_port. Start it, e.g.:" >&2
      echo "  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save \"\" --appendonly no" >&2
      echo "  or: docker compose -f docker/compose.yml up -d redis" >&2
      return 1
    }
  fi
}

ensure_dependencies() {
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "Installing dependencies (npm ci)"
    npm ci --no-audit --no-fund
  fi
}
