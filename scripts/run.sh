#!/usr/bin/env bash
# Sets up, builds and runs Folio's main job: `folio serve --demo` on
# 127.0.0.1:8080 (override with --listen), which loads the demo history through
# the HTTP API, prints the demo keys and commands to try, and serves until
# Ctrl-C. Extra arguments go to `folio serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh release
exec build/release/folio serve --demo "$@"
