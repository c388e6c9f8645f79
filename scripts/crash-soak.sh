#!/usr/bin/env bash
# The writer's crash test at length: `folio torture` SIGKILLed N times
# (default 1,000) at random points, with checkpoints under the kills, each
# recovery checked (tests/engine/log_crashtest.cpp): every acknowledged
# command present and whole, the derived-state checkpoint equal to a rebuild
# (every 10th round, and at the end), every retry answered as the first time.
# Prints "N rounds, 0 lost ..." on success; exits non-zero otherwise.
#
#   scripts/crash-soak.sh [--rounds N] [--seed S] [--deep-every K]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=1000 seed="" deep=10
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --deep-every) deep="$2"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "crash-soak: unknown option $1" >&2; exit 2 ;;
  esac
done
scripts/setup.sh >/dev/null
cmake --preset release >/dev/null
cmake --build --preset release --target folio folio_engine_crash_tests >/dev/null
export FOLIO_CRASH_ROUNDS="$rounds" FOLIO_CRASH_DEEP_EVERY="$deep"
[ -n "$seed" ] && export FOLIO_CRASH_SEED="$seed"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if build/release/tests/folio_engine_crash_tests -tc='SIGKILL loses*' >"$log" 2>&1; then
  grep -o '[0-9]* rounds, 0 lost.*' "$log"
else
  cat "$log"
  exit 1
fi
