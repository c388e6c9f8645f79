#!/usr/bin/env bash
# Sets up, builds and runs Folio's main job: `folio serve --demo` on
# 127.0.0.1:8080 (override with --listen), which loads the demo history through
# the HTTP API, runs the sandbox gateway and the Kafka relay (in-process mock
# cluster), prints the demo keys and commands to try, and serves until
# Ctrl-C. Extra arguments go to `folio serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release --target folio   # the server only: the tests are test.sh's
exec build/release/folio serve --demo "$@"
