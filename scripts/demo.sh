#!/usr/bin/env bash
# The main job on the bundled default: build ptm; compile a tiny GPT-2 and
# check its logits against Hugging Face's; then compile a small GPT for
# training, pretrain it on the bundled tiny Shakespeare (a byte-level BPE
# vocabulary trained on the text, AdamW with warmup and cosine decay,
# validation against the unigram entropy, checkpoints, a CSV log and its
# loss curve), compile it for decoding (prefill and decoding step with a
# key/value cache) and continue prompts with it; then compile a small BERT for
# training, pretrain it on the same text with masked LM + next-sentence
# prediction (a WordPiece vocabulary trained on it, Google's
# create_pretraining_data examples) and fill in masks with it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${PTM_BUILD_DIR:-$root/build}"
work="${PTM_DEMO_DIR:-$build/demo}"
steps="${PTM_DEMO_STEPS:-400}"
bert_steps="${PTM_DEMO_BERT_STEPS:-1000}"
"$root/scripts/build.sh" ptmc ptm-run
ptmc="$build/tools/ptmc/ptmc"
ptm_run="$build/tools/ptm-run/ptm-run"
mkdir -p "$work"

model="$root/test/fixtures/gpt2-l3-h8-e64"
echo "== compile $model (3 layers, 8 heads, width 64) for batch 2, sequence 19"
"$ptmc" "$model" -o "$work/gpt2-tiny.ptm" --batch 2 --seq 19
echo "== run it and compare with transformers' GPT2LMHeadModel logits"
for case in nomask rightpad leftpad; do
  "$ptm_run" forward "$work/gpt2-tiny.ptm" --weights "$model/model.safetensors" \
    --inputs "$model/inputs-$case.safetensors" --out "$work/logits-$case.safetensors"
  python3 "$root/test/tools/compare_tensors.py" "$model/expected-$case.safetensors" \
    "$work/logits-$case.safetensors" --atol 1e-4 | tail -1
done

small="$root/examples/gpt2-shakespeare"
echo "== compile $small (4 layers, 4 heads, width 128, 2,048 tokens) for training: batch 16, sequence 128"
start=$SECONDS
"$ptmc" "$small" -o "$work/gpt2-shakespeare.ptm" --batch 16 --seq 128 --mode train
echo "compiled in $((SECONDS - start)) s"

echo "== pretrain it on tiny Shakespeare for $steps steps"
rm -rf "$work/shakespeare"
"$ptm_run" pretrain "$work/gpt2-shakespeare.ptm" --data "$root/examples/data/tinyshakespeare/input.txt" \
  --steps "$steps" --lr 2e-3 --warmup 40 --eval-every 100 --log-every 25 \
  --log "$work/shakespeare.csv" --out "$work/shakespeare" --keep-checkpoints 1 \
  --sample-tokens 0
"$ptm_run" plot "$work/shakespeare.csv" --out "$work/shakespeare.png" --title "GPT (4 x 128) on tiny Shakespeare"
echo "== the checkpoint in $work/shakespeare is a Hugging Face model directory:"
ls "$work/shakespeare"/checkpoint-*
gpt_checkpoint=$(ls -d "$work/shakespeare"/checkpoint-* | tail -1)
echo "== compile it for decoding: prefill (prompts up to 16 / 64 tokens) and decode_step (caches of 64 / 128 tokens, its whole context)"
start=$SECONDS
"$ptmc" "$gpt_checkpoint" -o "$work/gpt2-shakespeare-generate.ptm" --mode generate \
  --prompt-lengths 16,64 --cache-lengths 64,128
echo "compiled in $((SECONDS - start)) s"
echo "== continue \"ROMEO:\" (greedy), then sample 120 tokens (temperature 0.8, top-k 40)"
"$ptm_run" generate "$work/gpt2-shakespeare-generate.ptm" --weights "$gpt_checkpoint" \
  --prompt "ROMEO:" --max-new-tokens 60 --temperature 0
"$ptm_run" generate "$work/gpt2-shakespeare-generate.ptm" --weights "$gpt_checkpoint" \
  --prompt "JULIET:" --max-new-tokens 120 --temperature 0.8 --top-k 40 --seed 1

bert="$root/examples/bert-shakespeare"
echo "== compile $bert (BERT: 4 layers, 4 heads, width 128, 2,048 WordPiece tokens) for training: batch 16, sequence 64"
start=$SECONDS
"$ptmc" "$bert" -o "$work/bert-shakespeare.ptm" --batch 16 --seq 64 --mode train
echo "compiled in $((SECONDS - start)) s"

echo "== pretrain it with masked LM + next-sentence prediction for $bert_steps steps"
rm -rf "$work/bert-shakespeare"
"$ptm_run" pretrain "$work/bert-shakespeare.ptm" --data "$root/examples/data/tinyshakespeare/input.txt" \
  --steps "$bert_steps" --lr 1e-3 --warmup 200 --eval-every 250 --log-every 50 \
  --log "$work/bert-shakespeare.csv" --out "$work/bert-shakespeare" --keep-checkpoints 1
"$ptm_run" plot "$work/bert-shakespeare.csv" --out "$work/bert-shakespeare.png" \
  --title "BERT (4 x 128) on tiny Shakespeare"
checkpoint=$(ls -d "$work/bert-shakespeare"/checkpoint-* | tail -1)
echo "== fill in a mask with the pretrained BERT ($checkpoint)"
"$ptm_run" fill-mask "$work/bert-shakespeare.ptm" --weights "$checkpoint" \
  --text "ROMEO: what light through yonder [MASK] breaks?"
