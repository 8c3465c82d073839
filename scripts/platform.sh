#!/usr/bin/env bash
# The quick start (README): installs if needed, makes sure PostgreSQL and Redis run, builds the
# services and db-split, creates a demo monolith from fixtures/legacy, splits it with db-split
# (plan, copy, verify) into the three service databases, starts the platform on the result and,
# once every service answers its readiness probe, prints the URLs, demo logins and the verify
# summary. A second run reuses the databases. Ctrl-C stops everything.
#
#   npm start                     demo monolith from the fixture, split, start
#   npm start -- --source URL     split your own monolith (postgres://...) instead
#   npm start -- --empty          no data: migrate the three databases and start
#   npm start -- --fresh          drop the demo and service databases first, then as above
#   npm start -- --no-build       use the bundles already in dist/ (after a first start)
#
# Ports: NAFS_PORT_BASE (default 3000: gateway 3000, auth 3001, web 3002, forms 3003). Databases:
# NAFS_DB_PREFIX (default nodeangularfullstack: _auth, _web, _forms, _demo_monolith) on PG_URL
# (default postgres://postgres@127.0.0.1:5432).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
started=$SECONDS

mode=demo source_url='' fresh=false build=true
while [ $# -gt 0 ]; do
  case "$1" in
    --empty) mode=empty ;;
    --source) mode=source source_url=${2:?--source needs a postgres:// URL}; shift ;;
    --source=*) mode=source source_url=${1#--source=} ;;
    --fresh) fresh=true ;;
    --no-build) build=false ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 64 ;;
  esac
  shift
done

export NX_DAEMON=false NX_NO_CLOUD=true
ensure_dependencies
ensure_backing_services
ensure_nginx || exit 1

pg=${PG_URL:-postgres://postgres@127.0.0.1:5432}
prefix=${NAFS_DB_PREFIX:-nodeangularfullstack}
base_port=${NAFS_PORT_BASE:-3000}
export AUTH_DB_URL="$pg/${prefix}_auth" WEB_DB_URL="$pg/${prefix}_web" FORMS_DB_URL="$pg/${prefix}_forms"
demo_url="$pg/${prefix}_demo_monolith"
services=(auth-service web-service forms-service)
demo() { node scripts/demo-monolith.mjs "$@"; }
split() { node dist/tools/db-split/main.js "$@"; }

step() { printf '\n== %s (%d s)\n' "$1" "$((SECONDS - started))"; }

if $build; then
  step "building the services, the gateway and db-split"
  npx nx run-many -t build -p "${services[@]}" gateway db-split --outputStyle=static
fi

if $fresh; then
  step "dropping the databases (--fresh)"
  demo drop "$AUTH_DB_URL" "$WEB_DB_URL" "$FORMS_DB_URL" "$demo_url"
fi

step "creating and migrating the three service databases"
for app in "${services[@]}"; do
  node "dist/apps/$app/main.js" migrate
done

verify_log=$(mktemp)
trap 'rm -f "$verify_log"' EXIT
if [ "$mode" != empty ]; then
  if [ "$mode" = demo ]; then
    step "demo monolith from fixtures/legacy (legacy schema + deterministic seed)"
    demo create "$demo_url"
    source_url=$demo_url
  fi
  if demo copied "$AUTH_DB_URL" "$WEB_DB_URL" "$FORMS_DB_URL"; then
    step "the service databases already hold a db-split copy: reused, not copied again (--fresh starts over)"
  else
    step "db-split plan"
    split plan --source "$source_url"
    step "db-split copy"
    split copy --source "$source_url"
  fi
  step "db-split verify"
  split verify --source "$source_url" | tee "$verify_log"
fi

step "starting the platform"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait; rm -f "$verify_log"' INT TERM EXIT
port_of() { case $1 in gateway) echo "$base_port" ;; auth-service) echo $((base_port + 1)) ;; web-service) echo $((base_port + 2)) ;; forms-service) echo $((base_port + 3)) ;; esac; }
upstream_env=(AUTH_SERVICE_URL="http://127.0.0.1:$(port_of auth-service)" WEB_SERVICE_URL="http://127.0.0.1:$(port_of web-service)" FORMS_SERVICE_URL="http://127.0.0.1:$(port_of forms-service)")
# Each app with its V8 heap flags (libs/contracts/src/lib/v8-flags.json), as its deployments run it.
v8_flags() { node -p "(require('./libs/contracts/src/lib/v8-flags.json')['$1'] || []).join(' ')"; }
for app in "${services[@]}" gateway; do
  # Clients come through the gateway: auth and forms trust its one X-Forwarded-For hop.
  # shellcheck disable=SC2046 # the flags are words
  env PORT="$(port_of "$app")" TRUST_PROXY_HOPS=1 "${upstream_env[@]}" node $(v8_flags "$app") "dist/apps/$app/main.js" &
  pids+=($!)
done

probes=()
for app in "${services[@]}"; do probes+=("http://127.0.0.1:$(port_of "$app")/health/ready"); done
# The services first, then the gateway (its readiness asks all three again).
{ demo wait "${probes[@]}" && demo wait "http://127.0.0.1:$base_port/health/ready"; } &
waiter=$!
# Whichever comes first: every probe answers, or a service exits (its log above says why).
while kill -0 "$waiter" 2>/dev/null; do
  for pid in "${pids[@]}"; do
    kill -0 "$pid" 2>/dev/null || { echo "a service exited before it was ready (see its log above)" >&2; kill "$waiter" 2>/dev/null; exit 1; }
  done
  sleep 0.5
done
wait "$waiter" || { echo "the platform did not become ready" >&2; exit 1; }

gateway="http://127.0.0.1:$base_port"
# Everything the banner needs first, so that the services' log lines do not split it.
[ "$mode" = empty ] || logins=$(demo logins "$gateway")
sleep 0.5
cat <<EOF

================================================================================
The platform is up ($((SECONDS - started)) s since npm start).
  gateway        $gateway          (both Angular apps talk to this one origin)
  auth-service   http://127.0.0.1:$(port_of auth-service)
  web-service    http://127.0.0.1:$(port_of web-service)
  forms-service  http://127.0.0.1:$(port_of forms-service)
  API docs       $gateway/api-docs
  health         $gateway/api/v1/health
EOF
if [ "$mode" = empty ]; then
  echo "Databases are empty (--empty): register a user with POST $gateway/api/v1/auth/register."
else
  echo "Demo logins (checked just now through the gateway, POST $gateway/api/v1/auth/login):"
  echo "$logins"
  echo "db-split verify ($source_url -> ${prefix}_auth, _web, _forms):"
  sed -n '/^table  *rows (source)/,$p' "$verify_log" | grep -v '^$' | sed 's/^/  /'
fi
cat <<EOF
Stop: Ctrl-C here (stops the four processes; the databases stay, and the next npm start reuses them).
================================================================================
EOF
wait -n "${pids[@]}"
