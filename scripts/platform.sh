#!/usr/bin/env bash
# Runs the whole platform on this machine: installs, makes sure PostgreSQL and Redis run, builds
# the services, creates and migrates their three databases and starts them. Ctrl-C stops all.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

export NX_DAEMON=false NX_NO_CLOUD=true
ensure_dependencies
ensure_backing_services

services=(auth-service web-service forms-service)
npx nx run-many -t build -p "${services[@]}" gateway --outputStyle=static

for app in "${services[@]}"; do
  node "dist/apps/$app/main.js" migrate
done

pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait' INT TERM EXIT
for app in "${services[@]}" gateway; do
  node "dist/apps/$app/main.js" &
  pids+=($!)
done
echo "gateway :3000 (both Angular apps), auth-service :3001, web-service :3002, forms-service :3003 (Ctrl-C stops them)"
wait -n "${pids[@]}"
