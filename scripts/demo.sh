#!/usr/bin/env bash
# The main job on the bundled default: build ptm, compile the bundled GPT-2
# with ptmc, check its logits against Hugging Face's, and time it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${PTM_BUILD_DIR:-$root/build}"
work="${PTM_DEMO_DIR:-$build/demo}"
"$root/scripts/build.sh" ptmc ptm-run
ptmc="$build/tools/ptmc/ptmc"
ptm_run="$build/tools/ptm-run/ptm-run"
mkdir -p "$work"

model="$root/test/fixtures/gpt2-l3-h8-e64"
echo "== compile $model (3 layers, 8 heads, width 64) for batch 2, sequence 19"
"$ptmc" "$model" -o "$work/gpt2-tiny.ptm" --batch 2 --seq 19
"$ptm_run" info "$work/gpt2-tiny.ptm" | sed -n "1,14p"

echo "== run it and compare with transformers' GPT2LMHeadModel logits"
for case in nomask rightpad leftpad; do
  "$ptm_run" forward "$work/gpt2-tiny.ptm" --weights "$model/model.safetensors" \
    --inputs "$model/inputs-$case.safetensors" --out "$work/logits-$case.safetensors"
  python3 "$root/test/tools/compare_tensors.py" "$model/expected-$case.safetensors" \
    "$work/logits-$case.safetensors" --atol 1e-4
done

small="$root/examples/gpt2-small"
echo "== compile $small (GPT-2 vocabulary, 4 layers, width 256) and time one forward"
"$ptmc" "$small" -o "$work/gpt2-small.ptm" --batch 1 --seq 128
"$ptm_run" bench "$work/gpt2-small.ptm" --iters 5
