#!/usr/bin/env bash
# Installs the Debian packages ptm needs (when run as root and some are
# missing), configures and builds. Usage: scripts/build.sh [ninja targets...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${PTM_BUILD_DIR:-$root/build}"

if [[ $(id -u) == 0 ]]; then
  "$root/scripts/install-deps.sh"
fi
if [[ ! -f "$build/build.ninja" ]]; then
  cmake -G Ninja -S "$root" -B "$build" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir
fi
ninja -C "$build" "$@"
