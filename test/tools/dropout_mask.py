#!/usr/bin/env python3
"""Checks the dropout mask of a compiled training artifact against a Python
Philox4x32-10 (standard library only).

    dropout_mask.py config MODEL_DIR OUT_DIR --pdrop EMBD ATTN RESID
    dropout_mask.py inputs OUT --vocab V --seq T
    dropout_mask.py seed IN OUT S
    dropout_mask.py check GRADS --seq T --probability P [--seed S] [--stream 0]

`config` copies a model directory's config.json with other *_pdrop values.
`inputs` writes one row of T random token ids (labels = ids). `seed` copies
an inputs file and adds dropout_seed = S (i64, rank 0). `check` reads the gradients `ptm-run grad` wrote
for such a batch from an artifact compiled with --dropout where only
embd_pdrop is nonzero (stream 0, the first dropout site). The gradient of
wpe row t < T - 1 is 2 x (the gradient after dropout) where dropout keeps the
element and exactly zero where it drops it, so its zero pattern is the mask of
the [1, T, D] embeddings (row T - 1 predicts no target: its gradient is zero
whatever the mask). The check compares it element by element with the
mask that ptm.dropout's definition gives (key = seed, counter = (linear index,
stream)), prints the dropped fraction, and fails on any difference or when
the fraction is more than 4 standard deviations from P.
"""

import argparse
import array
import json
import math
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare_tensors import read_safetensors  # noqa: E402
from edit_safetensors import read, write  # noqa: E402

MASK = 0xFFFFFFFF


def philox4x32_10(counter, key):
    c = list(counter)
    k0, k1 = key
    for round_ in range(10):
        if round_:
            k0, k1 = (k0 + 0x9E3779B9) & MASK, (k1 + 0xBB67AE85) & MASK
        p0, p1 = 0xD2511F53 * c[0], 0xCD9E8D57 * c[2]
        c = [(p1 >> 32) ^ c[1] ^ k0, p1 & MASK, (p0 >> 32) ^ c[3] ^ k1, p0 & MASK]
    return c


# Known-answer vectors of Random123 (kat_vectors, philox4x32_10).
assert philox4x32_10([0, 0, 0, 0], [0, 0]) == [0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8]
assert philox4x32_10([MASK] * 4, [MASK, MASK]) == [0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD]
assert philox4x32_10([0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344], [0xA4093822, 0x299F31D0]) == \
    [0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1]


def keeps(seed, stream, index, probability):
    seed &= (1 << 64) - 1
    word = philox4x32_10([index & MASK, index >> 32, stream, 0], [seed & MASK, seed >> 32])[0]
    return word < math.ceil((1.0 - probability) * 2.0 ** 32)


def write_config(args):
    with open(os.path.join(args.model_dir, "config.json")) as f:
        config = json.load(f)
    config.update(zip(("embd_pdrop", "attn_pdrop", "resid_pdrop"), args.pdrop))
    os.makedirs(args.out_dir, exist_ok=True)
    with open(os.path.join(args.out_dir, "config.json"), "w") as f:
        json.dump(config, f)


def write_inputs(args):
    rng = random.Random(0)
    ids = array.array("q", [rng.randrange(args.vocab) for _ in range(args.seq)])
    tensors = {name: {"dtype": "I64", "shape": [1, args.seq], "bytes": ids.tobytes()}
               for name in ("input_ids", "labels")}
    write(args.out, tensors)


def write_seed(args):
    tensors = read(args.input)
    tensors["dropout_seed"] = {"dtype": "I64", "shape": [], "bytes": array.array("q", [args.seed]).tobytes()}
    write(args.out, tensors)


def check(args):
    _, shape, values = read_safetensors(args.grads)["transformer.wpe.weight"]
    width = shape[1]
    count = (args.seq - 1) * width
    differences = dropped = 0
    for index in range(count):
        expected = keeps(args.seed, args.stream, index, args.probability)
        dropped += values[index] == 0
        differences += (values[index] != 0) != expected
    fraction = dropped / count
    bound = 4 * math.sqrt(args.probability * (1 - args.probability) / count)
    ok = differences == 0 and abs(fraction - args.probability) <= bound
    print("dropout mask: %d elements, %d differ from Philox, dropped fraction %.4f (p %g, bound %.4f) %s"
          % (count, differences, fraction, args.probability, bound, "ok" if ok else "FAIL"))
    sys.exit(0 if ok else 1)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    config = commands.add_parser("config")
    config.add_argument("model_dir")
    config.add_argument("out_dir")
    config.add_argument("--pdrop", type=float, nargs=3, required=True)
    inputs = commands.add_parser("inputs")
    inputs.add_argument("out")
    inputs.add_argument("--vocab", type=int, required=True)
    inputs.add_argument("--seq", type=int, required=True)
    seed = commands.add_parser("seed")
    seed.add_argument("input")
    seed.add_argument("out")
    seed.add_argument("seed", type=int)
    checker = commands.add_parser("check")
    checker.add_argument("grads")
    checker.add_argument("--probability", type=float, required=True)
    checker.add_argument("--seed", type=int, default=0)
    checker.add_argument("--stream", type=int, default=0)
    checker.add_argument("--seq", type=int, required=True)
    args = parser.parse_args()
    {"config": write_config, "inputs": write_inputs, "seed": write_seed, "check": check}[args.command](args)


if __name__ == "__main__":
    main()
