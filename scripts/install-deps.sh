#!/usr/bin/env bash
# Install the Debian 12 packages costsim needs to build, test and demo.
# Idempotent: when every package is already installed it returns at once, without touching apt.
set -euo pipefail

packages=(
  build-essential g++ make
  clang libclang-rt-14-dev                       # libFuzzer and sanitizers
  postgresql-15 postgresql-server-dev-15         # server, pgbench, PGXS
  postgresql-15-cron                             # pg_cron (preloaded)
  postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl   # pgTAP + pg_prove
  libboost-math-dev libssl-dev libcurl4-openssl-dev zlib1g-dev curl
  libgtest-dev libbenchmark-dev                  # unit tests, benchmarks
  gcovr                                          # coverage report
  python3                                        # datasets/generate.py (the datasets test regenerates them)
  prometheus prometheus-alertmanager prometheus-postgres-exporter   # monitoring: promtool, the alert chain
  golang-go golang-github-masterminds-sprig-dev golang-gopkg-yaml.v3-dev   # test/helm/render (no helm in Debian)
)

# Node.js and npm read the Parquet exports back in the tests (test/parquet): Debian's packages only when the
# machine has no node of its own (an existing node 20 is kept).
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = installed ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
"${sudo[@]}" apt-get update -q
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${packages[@]}"
echo "install-deps: done"
