#!/usr/bin/env bash
# Creates the three service databases, each owned by its own login role (docker/compose.yml).
# The postgres image runs this once, on the first start with an empty data volume
# (/docker-entrypoint-initdb.d); delete the volume (`docker compose down -v`) to run it again.
#
# Names match SERVICES in libs/contracts (defaultDatabase, defaultRole); the passwords arrive
# from the compose environment and are DEV-ONLY defaults unless you set them in docker/.env.
#
# Each role owns only its database and has no CREATEDB/CREATEROLE; CONNECT and TEMPORARY are
# revoked from PUBLIC, so web_service cannot even open nodeangularfullstack_forms. The roles may
# still connect to the `postgres` maintenance database, which `node main.js migrate` uses to see
# that its database already exists.
set -euo pipefail

create_service_database() {
  local database="$1" role="$2" password="$3"
  if [ -z "${password}" ]; then
    echo "10-service-databases.sh: no password for role ${role}" >&2
    exit 1
  fi
  psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-postgres}" \
    --set=database="${database}" --set=role="${role}" --set=password="${password}" <<'SQL'
CREATE ROLE :"role" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'password';
CREATE DATABASE :"database" OWNER :"role";
REVOKE CONNECT, TEMPORARY ON DATABASE :"database" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"database" TO :"role";
SQL
  echo "10-service-databases.sh: ${database} owned by ${role}"
}

create_service_database nodeangularfullstack_auth  auth_service  "${AUTH_DB_PASSWORD:-}"
create_service_database nodeangularfullstack_web   web_service   "${WEB_DB_PASSWORD:-}"
create_service_database nodeangularfullstack_forms forms_service "${FORMS_DB_PASSWORD:-}"
