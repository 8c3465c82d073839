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

# Makes one backing service answer on host:port: run its local start command when this machine
# has the server, else `docker compose up` when an engine runs, else say exactly what to start.
# Args: label host port seconds local-binary compose-service local-start-command...
ensure_listening() {
  local label=$1 host=$2 port=$3 seconds=$4 binary=$5 compose_service=$6
  shift 6
  listening "$host" "$port" && return 0
  if command -v "$binary" >/dev/null 2>&1; then
    echo "$label is not running: starting it locally"
    "$@" >/dev/null
  elif docker_engine; then
    echo "$label is not running: starting it with docker compose"
    docker compose -f docker/compose.yml up -d "$compose_service"
  fi
  wait_for "$host" "$port" "$seconds" || {
    echo "$label is not reachable on $host:$port. Start it, e.g.:" >&2
    echo "  $*" >&2
    echo "  or: docker compose -f docker/compose.yml up -d $compose_service" >&2
    return 1
  }
}

ensure_backing_services() {
  ensure_listening PostgreSQL "${PGHOST_CHECK:-127.0.0.1}" "${PGPORT_CHECK:-5432}" 30 pg_ctlcluster postgres \
    bash -c 'pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start' || return 1
  ensure_listening Redis "${REDIS_HOST_CHECK:-127.0.0.1}" "${REDIS_PORT_CHECK:-6379}" 15 redis-server redis \
    redis-server --daemonize yes --bind 127.0.0.1 --port "${REDIS_PORT_CHECK:-6379}" --save "" --appendonly no
}

ensure_dependencies() {
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "Installing dependencies (npm ci)"
    npm ci --no-audit --no-fund
  fi
}

# The gateway runs nginx (Debian's nginx-light); installed with apt-get when missing and we are root.
ensure_nginx() {
  command -v "${NGINX_BIN:-nginx}" >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] && return 0
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing nginx-light (the gateway's proxy) with apt-get"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx-light >/dev/null || return 1
    # The package starts a system nginx on port 80; the gateway runs its own.
    (service nginx stop || pkill -x nginx) >/dev/null 2>&1 || true
    return 0
  fi
  echo "The gateway needs nginx: install it (Debian: sudo apt-get install nginx-light) or set NGINX_BIN." >&2
  return 1
}
