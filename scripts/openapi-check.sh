#!/usr/bin/env bash
# Validates docs/openapi.yaml as a standard OpenAPI tool reads it
# (swagger-cli validate: YAML 1.2, the OpenAPI 3.0 schema, every $ref).
# The tool is installed from npm into build/npm (ignored by git) on first use.
# Usage: scripts/openapi-check.sh [file]   (default: docs/openapi.yaml)
# A CTest test (tests/CMakeLists.txt); the routes are checked against the
# server by tests/adapters/http/routes_test.cpp and routes_itest.cpp.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
spec="${1:-$root/docs/openapi.yaml}"
prefix="${FOLIO_NPM_PREFIX:-$root/build/npm}"
tool="$prefix/node_modules/.bin/swagger-cli"
version="4.0.4"

if ! command -v npm >/dev/null; then
  echo "openapi-check: npm is missing (Node.js and npm are needed to validate $spec)" >&2
  exit 1
fi
if [ ! -x "$tool" ] || ! "$tool" --version 2>/dev/null | grep -qx "$version"; then
  mkdir -p "$prefix"
  # One install at a time when tests run in parallel.
  (
    flock 9
    if [ ! -x "$tool" ] || ! "$tool" --version 2>/dev/null | grep -qx "$version"; then
      echo "openapi-check: installing @apidevtools/swagger-cli@$version into $prefix"
      npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error \
        "@apidevtools/swagger-cli@$version" >&2
    fi
  ) 9>"$prefix/.install.lock"
fi
echo "openapi-check: swagger-cli $("$tool" --version) validate $spec"
"$tool" validate "$spec"
