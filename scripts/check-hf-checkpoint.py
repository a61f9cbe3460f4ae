#!/usr/bin/env python3
"""Loads a ptm-run pretrain checkpoint with Hugging Face transformers and
compares its logits with ptm's (developer check; needs torch + transformers).

    check-hf-checkpoint.py --ptm-run build/tools/ptm-run/ptm-run --artifact shk.ptm \\
        --checkpoint run/checkpoint-400 --text "ROMEO: what light"

The artifact's batch-1 'forward' entry runs on the text tokenized by the
checkpoint's tokenizer (AutoTokenizer and ptm-run tokenize must give the same
ids; the text is one line); the script prints the largest absolute logit
difference.
"""
import argparse
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "test", "tools"))
from edit_safetensors import read  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ptm-run", required=True)
    parser.add_argument("--artifact", required=True)
    parser.add_argument("--checkpoint", required=True)
    parser.add_argument("--text", default="First Citizen: Before we proceed any further, hear me speak.")
    parser.add_argument("--seq", type=int, required=True, help="the artifact's sequence length")
    args = parser.parse_args()

    import struct

    import torch
    from transformers import AutoTokenizer, GPT2LMHeadModel

    tokenizer = AutoTokenizer.from_pretrained(args.checkpoint)
    model = GPT2LMHeadModel.from_pretrained(args.checkpoint).eval()
    ids = tokenizer(args.text).input_ids[: args.seq]
    with tempfile.TemporaryDirectory() as work:
        text_path, ids_path = os.path.join(work, "text.txt"), os.path.join(work, "ids.txt")
        with open(text_path, "w") as f:
            f.write(args.text + "\n")
        subprocess.run([args.ptm_run, "tokenize", "--tokenizer", args.checkpoint, "--in", text_path,
                        "--out", ids_path], check=True, stderr=subprocess.DEVNULL)
        with open(ids_path) as f:
            ptm_ids = [int(t) for t in f.read().split()][: args.seq]
        if ptm_ids != ids:
            sys.exit(f"FAIL: ptm's token ids {ptm_ids} differ from transformers' {ids}")
        inputs, outputs = os.path.join(work, "in.safetensors"), os.path.join(work, "out.safetensors")
        subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "..", "test", "tools",
                                                     "ids_to_inputs.py"), ids_path, inputs, "--rows", "1",
                        "--length", str(args.seq)], check=True)
        subprocess.run([args.ptm_run, "forward", args.artifact, "--weights", args.checkpoint, "--inputs", inputs,
                        "--out", outputs], check=True, stdout=subprocess.DEVNULL)
        logits = read(outputs)["logits"]
        vocab = logits["shape"][2]
        values = struct.unpack(f"<{len(logits['bytes']) // 4}f", bytes(logits["bytes"]))
        ours = torch.tensor(values).reshape(args.seq, vocab)[: len(ids)]
    with torch.no_grad():
        reference = model(torch.tensor([ids])).logits[0]
    print(f"{len(ids)} tokens; max abs logit difference {float((reference - ours).abs().max()):.3g}")


if __name__ == "__main__":
    main()
