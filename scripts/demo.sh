#!/usr/bin/env bash
# The main job on the bundled default: build ptm, compile the bundled GPT-2
# with ptmc, check its logits against Hugging Face's, train it three AdamW
# steps and compare with PyTorch, and time a forward.
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

echo "== compile its training step (autodiff + clipping + AdamW) and train 3 steps"
adamw="$root/test/fixtures/gpt2-l2-h4-e48"
"$ptmc" "$adamw" -o "$work/gpt2-tiny-train.ptm" --batch 3 --seq 24 --mode train
"$ptm_run" train "$work/gpt2-tiny-train.ptm" --weights "$adamw/model.safetensors" \
  --inputs "$adamw/adamw-inputs.safetensors" --steps 3 --lr 1e-3 --out "$work/trained.safetensors"
python3 "$root/test/tools/compare_tensors.py" "$adamw/adamw-expected.safetensors" \
  "$work/trained.safetensors" --atol 5e-5 --exclude attn.c_attn.bias --exclude loss_0 \
  --exclude loss_1 --exclude loss_2 --exclude grad_norm_0 --exclude grad_norm_1 --exclude grad_norm_2 \
  | tail -3

small="$root/examples/gpt2-small"
echo "== compile $small (GPT-2 vocabulary, 4 layers, width 256) and time one forward"
"$ptmc" "$small" -o "$work/gpt2-small.ptm" --batch 1 --seq 128
"$ptm_run" bench "$work/gpt2-small.ptm" --iters 5
