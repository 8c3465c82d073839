#!/usr/bin/env bash
# Identity benchmark on GET /api/v1/drawing-projects: warm identity cache, cold cache (every request
# a miss), and the monolith's direct per-request lookup in a local users table. Needs PostgreSQL and
# Redis (as for the tests) and builds auth-service first. Tunables: BENCH_REQUESTS (default 3000),
# BENCH_CONCURRENCY (default 1), BENCH_USERS (default 200).
set -euo pipefail
cd "$(dirname "$0")/../.."
npx nx build auth-service >/dev/null
mkdir -p tmp
npx jest -c bench/identity/jest.config.js --silent=false "$@"
