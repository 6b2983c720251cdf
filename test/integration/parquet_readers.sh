#!/usr/bin/env bash
# The Parquet writer read back by two independent readers (DuckDB, hyparquet); the logic is test/parquet/run.sh.
exec bash "$(dirname "${BASH_SOURCE[0]}")/../parquet/run.sh" "$@"
