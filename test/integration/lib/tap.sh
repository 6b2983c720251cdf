# TAP output for the integration tests (sourced by test/integration/*.sh, which set TMP first): each check prints
# `ok N - ...` or `not ok N - ...` with the tail of what the failing command said; `finish` prints the count and
# returns non-zero when anything failed. scripts/test.sh counts those lines.
n=0 failures=0

check() {  # check DESCRIPTION COMMAND...
  n=$((n + 1))
  if "${@:2}" >"$TMP/log" 2>&1; then echo "ok $n - $1"; else
    failures=$((failures + 1)); echo "not ok $n - $1"; tail -n 30 "$TMP/log" | sed 's/^/#   /'; fi
}

equals() {  # equals EXPECTED ACTUAL
  [ "$1" = "$2" ] || { echo "expected: $1"; echo "actual:   $2"; return 1; }
}

now_ms() { date +%s%3N; }

wait_for() {  # wait_for SECONDS COMMAND...: retries COMMAND every 100 ms until it succeeds or the time is up
  local deadline=$(($(now_ms) + $1 * 1000))
  shift
  until "$@"; do
    [ "$(now_ms)" -lt "$deadline" ] || return 1
    sleep 0.1
  done
}

finish() {
  echo "$n checks, $failures failed"
  [ "$failures" -eq 0 ]
}
