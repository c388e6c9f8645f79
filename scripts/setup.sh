#!/usr/bin/env bash
# Installs the Debian packages Folio builds with, when they are missing.
# Idempotent; needs root (or sudo) only when something must be installed.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  librocksdb-dev librdkafka-dev libflatbuffers-dev flatbuffers-compiler
  libfmt-dev libboost1.81-dev libboost-json1.81-dev doctest-dev libssl-dev
  libicu-dev  # ISO 4217 currencies and minor units for statements (currency.h)
  zlib1g-dev  # zipped bills (zip_archive.cc)
  kcat  # reads the Kafka topics (docs/kafka.md; the kcat test uses it)
  clang libclang-rt-14-dev  # libFuzzer and Clang builds (scripts/fuzz.sh, scripts/check.sh builds)
  clang-format  # the format check (scripts/check.sh format)
)
# The OpenAPI validator (scripts/openapi-check.sh installs it from npm) needs
# Node.js and npm: Debian's packages unless a Node.js with its own npm (as
# NodeSource ships it, which conflicts with Debian's npm) is already there.
command -v npm >/dev/null || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
