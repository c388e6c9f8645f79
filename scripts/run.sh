#!/usr/bin/env bash
# Sets up, builds and runs Folio's main job. For now: a demo history appended
# to a log in ./data/demo, verified, and shown (the server replaces this).
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
