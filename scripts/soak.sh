#!/usr/bin/env bash
# The server's crash test at length: `folio serve` SIGKILLed N times (default
# 1,000) at random points under a loopback HTTP load of payments and refunds,
# restarted on the same log each time, its relay mirroring to `folio
# kafka-dev` in a process of its own (adapters/cli/cmd_soak.cc). Then checked:
# every acknowledged command's events in the log once, retries answered as
# the first time, other bodies under a used key refused, folio verify (and
# --deep) ok, projections equal a rebuild, folio.events (and the integration
# topics) holding each seq once, read with a read_committed consumer.
# Prints "N rounds, 0 lost, 0 duplicated" on success; exits non-zero otherwise.
#
#   scripts/soak.sh [--rounds N] [--seed S] [--workers W] [--acks-max K] [--dir DIR] [--keep]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=1000
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) args+=("$1"); shift ;;
  esac
done
scripts/setup.sh >/dev/null
cmake --preset release >/dev/null
cmake --build --preset release --target folio >/dev/null
exec build/release/folio soak --rounds "$rounds" "${args[@]}"
