#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite (unit, integration, crash).
# This is the README's test command and what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh release
ctest --preset release --output-on-failure --timeout 900 -j2 "$@"
