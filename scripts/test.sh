#!/usr/bin/env bash
# Builds ptm and runs every test: runtime unit tests (gtest) and the lit suite
# (dialect, passes, tools, end-to-end numerics against transformers' logits,
# bad inputs).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${PTM_BUILD_DIR:-$root/build}"
"$root/scripts/build.sh"
cd "$build"
ctest --output-on-failure -j"$(nproc)"
