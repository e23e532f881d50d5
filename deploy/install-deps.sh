#!/usr/bin/env bash
# Installs the Debian packages Raccordo needs to build, test and run.
# Idempotent: packages already present are skipped, and apt-get runs only when
# something is missing. Usage: deploy/install-deps.sh [--with-extras]
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config clang-14 libclang-rt-14-dev
  # libraries
  libboost-dev rapidjson-dev libspdlog-dev libfmt-dev libsqlite3-dev libssl-dev
  libcli11-dev libpqxx-dev libicu-dev libxml2-dev libjwt-dev libqrencode-dev
  libzbar-dev libhowardhinnant-date-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev postgresql curl python3 python3-hl7
  # the independent FHIR R4 validator of the tests (tests/fhir-validator)
  nodejs npm
)

missing=()
for p in "${packages[@]}"; do
  # A Node.js from elsewhere (NodeSource's nodejs bundles npm and conflicts
  # with Debian's npm package) is fine: only its commands are needed.
  if [ "$p" = nodejs ] && command -v node >/dev/null; then continue; fi
  if [ "$p" = npm ] && command -v npm >/dev/null; then continue; fi
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
else
  echo "install-deps: installing ${missing[*]}"
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The FHIR validator's npm packages, pinned by its package-lock.json; installed
# once (node_modules is git-ignored).
validator_dir="$(cd "$(dirname "$0")/.." && pwd)/tests/fhir-validator"
if [ ! -d "$validator_dir/node_modules" ]; then
  echo "install-deps: installing the FHIR validator's npm packages"
  npm ci --prefix "$validator_dir" --no-audit --no-fund
fi
