#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for costsim's tests and demo.
#
#   scripts/cluster.sh start    initdb + start + CREATE DATABASE costsim + CREATE EXTENSION pg_cron, costsim
#   scripts/cluster.sh stop     stop (fast) and delete the cluster directory
#   scripts/cluster.sh status   exit 0 when the cluster is running
#   scripts/cluster.sh env      print `export PGHOST=... PGPORT=... PGUSER=postgres PGDATABASE=costsim` (for eval)
#   scripts/cluster.sh psql ... psql into the costsim database (extra arguments are passed on)
#
# Environment:
#   COSTSIM_CLUSTER_DIR  cluster directory (default /tmp/costsim-cluster); holds data/, the Unix socket,
#                        server.log and the chosen port (file `port`). An existing empty directory is used as is.
#   COSTSIM_PORT         TCP port on 127.0.0.1 (default: the first free port from 54329 up)
#   COSTSIM_WORKERS      costsim.worker_count, the background workers to start (default 1)
#   COSTSIM_PRELOAD      shared_preload_libraries (default 'pg_cron,costsim'); each library listed is also
#                        CREATE EXTENSION'd in the costsim database. COSTSIM_PRELOAD=pg_cron runs a cluster
#                        without costsim (e.g. before the extension builds).
#   GCOV_PREFIX, GCOV_PREFIX_STRIP   passed to the server when set, so coverage data from backends lands in a
#                        directory the postgres user can write (see scripts/test.sh).
#   PG_BINDIR            PostgreSQL binaries (default /usr/lib/postgresql/15/bin)
#
# As root the server runs as the `postgres` OS user (initdb refuses root); as any other user, as that user.
# The server listens on 127.0.0.1 and on a Unix socket in the cluster directory only.
set -euo pipefail

DIR=${COSTSIM_CLUSTER_DIR:-/tmp/costsim-cluster}
DIR=${DIR%/}
DATA=$DIR/data
LOG=$DIR/server.log
MARKER=$DIR/.costsim-cluster
PRELOAD=${COSTSIM_PRELOAD:-pg_cron,costsim}
DBNAME=costsim
if [ -z "${PG_BINDIR:-}" ]; then
  if [ -x /usr/lib/postgresql/15/bin/pg_ctl ]; then PG_BINDIR=/usr/lib/postgresql/15/bin
  else PG_BINDIR=$(pg_config --bindir); fi
fi
PSQL=$PG_BINDIR/psql

die() { echo "cluster: $*" >&2; exit 1; }

if [ "$(id -u)" -eq 0 ]; then
  PGOS_USER=postgres
  id "$PGOS_USER" >/dev/null 2>&1 || die "OS user postgres is missing (install postgresql-15: scripts/install-deps.sh)"
else
  PGOS_USER=$(id -un)
fi

# Run a command as the server's OS user, from a directory it can read, passing coverage settings through.
as_pg() {
  local envs=()
  [ -n "${GCOV_PREFIX:-}" ] && envs+=("GCOV_PREFIX=$GCOV_PREFIX")
  [ -n "${GCOV_PREFIX_STRIP:-}" ] && envs+=("GCOV_PREFIX_STRIP=$GCOV_PREFIX_STRIP")
  if [ "$(id -u)" -eq 0 ]; then
    (cd / && runuser -u "$PGOS_USER" -- env "${envs[@]}" "$@")
  else
    (cd / && env "${envs[@]}" "$@")
  fi
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pick_port() {
  local p=${1:-54329}
  while port_in_use "$p"; do
    p=$((p + 1))
    [ "$p" -lt 54400 ] || die "no free port in 54329..54399"
  done
  echo "$p"
}

read_port() {
  [ -f "$DIR/port" ] || die "no cluster in $DIR (run: scripts/cluster.sh start)"
  cat "$DIR/port"
}

is_running() {
  [ -f "$DATA/PG_VERSION" ] && as_pg "$PG_BINDIR/pg_ctl" status -D "$DATA" >/dev/null 2>&1
}

psql_c() { "$PSQL" -X -q -v ON_ERROR_STOP=1 -h "$DIR" -p "$(read_port)" -U postgres "$@"; }

cmd_stop() {
  if [ ! -e "$DIR" ]; then
    echo "cluster: nothing to stop in $DIR"
    return 0
  fi
  [ -f "$MARKER" ] || die "$DIR was not made by this script; not touching it"
  if is_running; then
    as_pg "$PG_BINDIR/pg_ctl" stop -D "$DATA" -m fast -w -t 60 >/dev/null \
      || as_pg "$PG_BINDIR/pg_ctl" stop -D "$DATA" -m immediate -w -t 30 >/dev/null || true
    echo "cluster: stopped (port $(cat "$DIR/port" 2>/dev/null || echo '?'))"
  fi
  rm -rf "$DIR"
}

start_failed() {
  echo "cluster: start failed; last lines of $LOG:" >&2
  tail -n 40 "$LOG" >&2 2>/dev/null || true
  cmd_stop >&2 || true
  exit 1
}

cmd_start() {
  if [ -e "$DIR" ]; then
    if [ -f "$MARKER" ] && is_running; then
      echo "cluster: already running in $DIR on port $(read_port)"
      return 0
    fi
    if [ -f "$MARKER" ]; then
      rm -rf "$DIR"                      # a stale cluster of ours: start afresh
    elif [ -n "$(ls -A "$DIR")" ]; then
      die "$DIR exists, is not empty and was not made by this script"
    fi
  fi
  mkdir -p "$DIR"
  touch "$MARKER"
  [ "$(id -u)" -ne 0 ] || chown "$PGOS_USER:" "$DIR" "$MARKER"
  chmod 755 "$DIR"

  local locale=C
  if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then locale=C.UTF-8; fi
  if ! as_pg "$PG_BINDIR/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --locale="$locale" \
        >"$DIR/initdb.log" 2>&1; then
    cat "$DIR/initdb.log" >&2
    start_failed
  fi

  echo "include 'costsim.conf'" >>"$DATA/postgresql.conf"
  local port tries=0
  port=${COSTSIM_PORT:-$(pick_port 54329)}
  while :; do
    echo "$port" >"$DIR/port"
    cat >"$DATA/costsim.conf" <<EOF
# written by scripts/cluster.sh
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$DIR'
shared_preload_libraries = '$PRELOAD'
cron.database_name = '$DBNAME'
costsim.database = '$DBNAME'
costsim.worker_count = ${COSTSIM_WORKERS:-1}
max_connections = 50
fsync = off
synchronous_commit = off
full_page_writes = off
log_min_messages = warning
log_line_prefix = '%m [%p] %q%u@%d '
EOF
    [ "$(id -u)" -ne 0 ] || chown "$PGOS_USER:" "$DATA/costsim.conf" "$DIR/port"
    if as_pg "$PG_BINDIR/pg_ctl" start -D "$DATA" -l "$LOG" -w -t 60 >/dev/null; then
      break
    fi
    # Another process may have taken the port between the check and the start: try the next one.
    tries=$((tries + 1))
    if [ -z "${COSTSIM_PORT:-}" ] && [ "$tries" -lt 5 ] && grep -q 'could not bind\|Address already in use' "$LOG" 2>/dev/null; then
      port=$(pick_port $((port + 1)))
      continue
    fi
    start_failed
  done

  psql_c -d postgres -c "CREATE DATABASE $DBNAME" || start_failed
  local lib
  IFS=',' read -ra libs <<<"$PRELOAD"
  for lib in "${libs[@]}"; do
    lib=${lib//[[:space:]]/}
    [ -n "$lib" ] || continue
    psql_c -d "$DBNAME" -c "CREATE EXTENSION IF NOT EXISTS $lib" || start_failed
  done
  echo "cluster: running in $DIR on 127.0.0.1:$port (preload: $PRELOAD); server log: $LOG"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status)
    if [ -f "$MARKER" ] && is_running; then
      echo "cluster: running in $DIR on port $(read_port)"
    else
      echo "cluster: not running ($DIR)"; exit 3
    fi ;;
  env)
    port=$(read_port)
    echo "export PGHOST=$DIR PGPORT=$port PGUSER=postgres PGDATABASE=$DBNAME" ;;
  psql)
    shift
    exec "$PSQL" -X -h "$DIR" -p "$(read_port)" -U postgres -d "$DBNAME" "$@" ;;
  *)
    echo "usage: $0 start|stop|status|env|psql [psql args]" >&2
    exit 2 ;;
esac
