#!/usr/bin/env bash
# costsim demo (`make demo`): install the packages, build and install the extension, start a throwaway
# cluster (scripts/cluster.sh) and show plans simulated by V1, V2 and the V2 sandbox (scripts/demo.sql).
# The cluster is stopped and removed at the end, unless KEEP_CLUSTER=1 (then it stays up for you to explore).
# Environment: KEEP_CLUSTER=1; COSTSIM_CLUSTER_DIR (default /tmp/costsim-cluster); COSTSIM_PORT.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
unset PGHOST PGPORT PGUSER PGDATABASE PGOPTIONS PGSERVICE
export COSTSIM_CLUSTER_DIR=${COSTSIM_CLUSTER_DIR:-/tmp/costsim-cluster}

step() { printf '\n>>> %s\n' "$*"; }

step "packages"
scripts/install-deps.sh

step "build and install the extension"
# `make clean` first: objects left by a coverage build (make test) would otherwise be reused.
make clean >/dev/null
make -j"$(nproc)"
make install

step "cluster"
scripts/cluster.sh stop >/dev/null           # a demo cluster left running (KEEP_CLUSTER=1) is replaced
cleanup() {
  local rc=$?
  if [ "${KEEP_CLUSTER:-0}" = 1 ] && scripts/cluster.sh status >/dev/null 2>&1; then
    local dir=$COSTSIM_CLUSTER_DIR
    echo
    echo "The cluster is still running (KEEP_CLUSTER=1). Connect with:"
    echo "  COSTSIM_CLUSTER_DIR=$dir scripts/cluster.sh psql"
    echo "  or: $(scripts/cluster.sh env); psql"
    echo "Stop it with:"
    echo "  COSTSIM_CLUSTER_DIR=$dir scripts/cluster.sh stop"
  else
    scripts/cluster.sh stop || true
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
scripts/cluster.sh start
eval "$(scripts/cluster.sh env)"
export PGHOST PGPORT PGUSER PGDATABASE

step "demo (scripts/demo.sql)"
psql -X -v ON_ERROR_STOP=1 -f scripts/demo.sql
