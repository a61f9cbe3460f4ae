#!/usr/bin/env python3
"""Finite-difference check of the gradients a ptm training artifact computes
(standard library only).

    check_gradients.py --ptm-run PTM_RUN --model MODEL.ptm --weights W.safetensors
                       --inputs IN.safetensors [--probes 3] [--step 1e-6] [--rtol 1e-6]

MODEL.ptm is compiled with `ptmc --mode train --precision f64`. `ptm-run grad`
gives the loss and every parameter gradient; then, for --probes coordinates of
each parameter (the largest-gradient one and random others), the loss is
evaluated at w ± step and the central difference (L+ - L-) / (2 step) is
compared with the gradient: |fd - g| <= rtol * max(|fd|, |g|) + atol. atol
(1e-8 by default) covers the rounding error of the difference itself: f64
losses near 7 carry about 1e-15 of rounding, which a step of 1e-6 amplifies to
about 1e-9 or more once the loss's own accumulation error is counted. Prints
one line per parameter and exits 1 if any probe fails.
"""

import argparse
import array
import os
import random
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare_tensors import read_safetensors  # noqa: E402
from edit_safetensors import write  # noqa: E402


def write_safetensors(path, tensors):
    """tensors: {name: (dtype, shape, array)}, as read_safetensors returns them."""
    write(path, {name: {"dtype": dtype, "shape": shape, "bytes": values.tobytes()}
                 for name, (dtype, shape, values) in tensors.items()})


def run_grad(ptm_run, model, weights, inputs, out):
    subprocess.run([ptm_run, "grad", model, "--weights", weights, "--inputs", inputs, "--out", out,
                    "--threads", "1"], check=True, stdout=subprocess.DEVNULL)
    return read_safetensors(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ptm-run", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--weights", required=True)
    parser.add_argument("--inputs", required=True)
    parser.add_argument("--probes", type=int, default=3)
    parser.add_argument("--step", type=float, default=1e-6)
    parser.add_argument("--rtol", type=float, default=1e-6)
    parser.add_argument("--atol", type=float, default=1e-8)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as work:
        out = os.path.join(work, "grad.safetensors")
        weights = read_safetensors(args.weights)
        # The checks run in f64 end to end: the checkpoint is widened here.
        base = {}
        for name, (dtype, shape, values) in weights.items():
            if dtype == "F32":
                values = array.array("d", values)
                dtype = "F64"
            base[name] = (dtype, shape, values)
        base_path = os.path.join(work, "base.safetensors")
        write_safetensors(base_path, base)
        result = run_grad(args.ptm_run, args.model, base_path, args.inputs, out)
        if result["loss"][0] != "F64":
            sys.exit("check_gradients: %s must be compiled with --precision f64" % args.model)

        def loss_at(name, index, value):
            dtype, shape, values = base[name]
            original = values[index]
            values[index] = value
            path = os.path.join(work, "probe.safetensors")
            write_safetensors(path, base)
            values[index] = original
            return run_grad(args.ptm_run, args.model, path, args.inputs, out)["loss"][2][0]

        rng = random.Random(args.seed)
        failures = 0
        for name in sorted(result):
            if name == "loss":
                continue
            # Checkpoints may lack the "transformer." prefix.
            key = name if name in base else name.split(".", 1)[1]
            gradient = result[name][2]
            count = len(gradient)
            largest = max(range(count), key=lambda i: abs(gradient[i]))
            probes = [largest] + [rng.randrange(count) for _ in range(args.probes - 1)]
            worst = 0.0
            tensor_failures = 0
            for index in probes:
                w = base[key][2][index]
                fd = (loss_at(key, index, w + args.step) - loss_at(key, index, w - args.step)) / (2 * args.step)
                g = gradient[index]
                error = abs(fd - g)
                bound = args.rtol * max(abs(fd), abs(g)) + args.atol
                if error > bound:
                    tensor_failures += 1
                    print("%s[%d]: gradient %.10g, finite difference %.10g FAIL" % (name, index, g, fd))
                elif max(abs(fd), abs(g)) > 1e3 * args.atol:
                    worst = max(worst, error / max(abs(fd), abs(g)))
            failures += tensor_failures
            # Relative errors of (near) zero gradients are noise; those probes
            # are held to the absolute bound only.
            print("%s: %d probes, max relative error %.2e %s" % (name, len(probes), worst,
                                                                 "FAIL" if tensor_failures else "ok"))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
