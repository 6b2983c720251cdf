#!/usr/bin/env bash
# costsim's first-start set-up. The postgres image's entrypoint runs every file in /docker-entrypoint-initdb.d once,
# on an empty data directory, as the postgres OS user, against the socket-only temporary server it has started with
# this image's settings (/etc/postgresql/costsim.conf: costsim and pg_cron preloaded, cron.database_name = costsim).
#
#   1. the database costsim (the image's default POSTGRES_DB; created here when POSTGRES_DB names another one),
#   2. CREATE EXTENSION pg_cron and costsim in it (costsim creates its roles, among them authenticator and anon),
#   3. from the environment, each also readable from a file named by VAR_FILE (the image's convention for secrets):
#        COSTSIM_AUTHENTICATOR_PASSWORD  gives PostgREST's role authenticator LOGIN and this password
#        COSTSIM_EXPORTER_PASSWORD       creates the login role costsim_exporter (costsim_auditor, pg_monitor) for
#                                        postgres_exporter
#        COSTSIM_CANARY_SCHEDULE         the daily canary's cron schedule, in GMT (default '0 3 * * *'; 'off': none)
#
# Later changes are SQL, not environment: ALTER ROLE ... PASSWORD, costsim.schedule_canary(...) (docs/deploy.md).
set -Eeuo pipefail

db=costsim

# VAR or the content of the file VAR_FILE (not both), exported for psql's \getenv: no secret on a command line.
file_env() {
  local var=$1 file_var=${1}_FILE default=${2:-}
  if [ -n "${!var:-}" ] && [ -n "${!file_var:-}" ]; then
    echo "10-costsim.sh: both $var and $file_var are set (they are exclusive)" >&2
    exit 1
  fi
  local value=$default
  if [ -n "${!var:-}" ]; then value=${!var}
  elif [ -n "${!file_var:-}" ]; then value=$(<"${!file_var}")
  fi
  export "$var=$value"
  unset "$file_var"
}
file_env COSTSIM_AUTHENTICATOR_PASSWORD
file_env COSTSIM_EXPORTER_PASSWORD
COSTSIM_CANARY_SCHEDULE=${COSTSIM_CANARY_SCHEDULE-0 3 * * *}

# As the entrypoint's docker_process_sql does: the temporary server listens on the default Unix socket only.
sql() {
  PGHOST= PGHOSTADDR= psql -v ON_ERROR_STOP=1 --no-psqlrc --no-password --username "${POSTGRES_USER:-postgres}" "$@"
}

if [ "$(sql --dbname postgres --tuples-only --no-align \
          --command "SELECT 1 FROM pg_database WHERE datname = '$db'")" != 1 ]; then
  echo "10-costsim.sh: creating database $db (POSTGRES_DB is ${POSTGRES_DB:-unset})"
  sql --dbname postgres --command "CREATE DATABASE $db"
fi

sql --dbname "$db" <<'EOSQL'
CREATE EXTENSION IF NOT EXISTS pg_cron;
CREATE EXTENSION IF NOT EXISTS costsim;
SELECT 'costsim ' || extversion || ' installed in database ' || current_database() AS costsim
  FROM pg_extension WHERE extname = 'costsim';
EOSQL

if [ -n "$COSTSIM_AUTHENTICATOR_PASSWORD" ]; then
  echo "10-costsim.sh: authenticator may log in (PostgREST)"
  sql --dbname "$db" <<'EOSQL'
\getenv password COSTSIM_AUTHENTICATOR_PASSWORD
ALTER ROLE authenticator WITH LOGIN PASSWORD :'password';
EOSQL
fi

if [ -n "$COSTSIM_EXPORTER_PASSWORD" ]; then
  echo "10-costsim.sh: creating the login role costsim_exporter (postgres_exporter)"
  sql --dbname "$db" <<'EOSQL'
\getenv password COSTSIM_EXPORTER_PASSWORD
CREATE ROLE costsim_exporter LOGIN PASSWORD :'password' IN ROLE costsim_auditor, pg_monitor;
EOSQL
fi

if [ -n "$COSTSIM_CANARY_SCHEDULE" ] && [ "$COSTSIM_CANARY_SCHEDULE" != off ]; then
  echo "10-costsim.sh: scheduling the daily canary ($COSTSIM_CANARY_SCHEDULE, GMT)"
  sql --dbname "$db" --set schedule="$COSTSIM_CANARY_SCHEDULE" <<'EOSQL'
SELECT costsim.schedule_canary(:'schedule') AS canary_job_id;
EOSQL
fi
