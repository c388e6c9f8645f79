#!/usr/bin/env bash
# Sets up, builds and runs Folio's main job. For now: a demo history of
# commands run into a log in ./data/demo, verified, shown, and answered from
# the projections (the HTTP server replaces this when it lands).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh release
bin=build/release/folio
"$bin" demo --data data/demo
echo
echo "first events of the log:"
"$bin" inspect --data data/demo --limit 3
echo
"$bin" verify --data data/demo --json
echo
"$bin" trial-balance --data data/demo
echo
"$bin" trust ledger --data data/demo --client cl-acme
