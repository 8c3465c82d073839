#!/usr/bin/env bash
# Lints and tests every project against real PostgreSQL and Redis (started here if they are down),
# then prints one closing line with the number of tests passed and failed.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

export NX_DAEMON=false NX_NO_CLOUD=true
ensure_dependencies || exit 1
ensure_backing_services || exit 1
ensure_nginx || exit 1

# Formatting is Prettier's (.prettierrc.json), checked here once for the whole tree; import order
# is an ESLint rule, so `nx lint` enforces it per project.
format_status=0
npx prettier --check . --log-level warn || { format_status=1; echo "Formatting differs from Prettier: run npx prettier --write ." >&2; }

log=$(mktemp)
npx nx run-many -t lint test --outputStyle=stream --skip-nx-cache "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Jest prints "Tests: [N failed, ][N skipped, ]N passed, N total" per project; add them up.
summary=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^[^ ]+: Tests: ' | awk '
  { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i; if ($(i+1) ~ /^skipped/) s += $i } }
  END { printf "%d passed, %d failed, %d skipped", p, f, s }')
rm -f "$log"
echo
echo "tests: $summary"
[ "$status" -eq 0 ] && status=$format_status
exit "$status"
