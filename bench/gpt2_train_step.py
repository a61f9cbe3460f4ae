#!/usr/bin/env python3
"""GPT-2 training step throughput: ptm's compiled train_step (forward,
backward, global-norm clipping, AdamW) vs PyTorch eager doing the same, in
one run, as tokens/s and their ratio.

    python3 bench/gpt2_train_step.py [--batch 4] [--seq 128] [--iters 5] [--threads 2]
                                     [--ptm-bin build/tools] [--config examples/gpt2-124m]

PyTorch (torch + transformers) is optional: without it only ptm is timed.
"""

import argparse
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ptm_bench  # noqa: E402


def time_ptm(args, work):
    ptmc, ptm_run = ptm_bench.tool_paths(args.ptm_bin)
    artifact = os.path.join(work, "train.ptm")
    try:
        compile_s = ptm_bench.compile_artifact(ptmc, args.config, artifact, args.batch, args.seq, ["--mode", "train"])
        ptm_ms, _ = ptm_bench.bench_entry(ptm_run, artifact, args.iters, args.threads, entry="train_step", warmup=1)
    except RuntimeError as e:
        sys.exit("error: %s" % e)
    return ptm_ms, compile_s


def time_torch(args):
    """Median ms of PyTorch eager's train step (bench/peers.py's), or None without torch/transformers."""
    import peers
    options = argparse.Namespace(model="gpt2", config=args.config, batch=args.batch, seq=args.seq,
                                 iters=args.iters, warmup=1, threads=args.threads)
    try:
        return peers.time_torch_train(options, "eager")[0]
    except peers.Unavailable:
        return None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--seq", type=int, default=128)
    parser.add_argument("--iters", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--ptm-bin", default="build/tools")
    parser.add_argument("--config", default="examples/gpt2-124m")
    args = parser.parse_args()
    tokens = args.batch * args.seq
    with tempfile.TemporaryDirectory() as work:
        ptm_ms, compile_s = time_ptm(args, work)
    torch_ms = time_torch(args)
    print("%s train step, B=%d T=%d, fp32, threads=%d, median of %d (ptmc compile %.0f s)"
          % (args.config, args.batch, args.seq, args.threads, args.iters, compile_s))
    print("ptm:   %9.1f ms  %8.0f tokens/s" % (ptm_ms, tokens / ptm_ms * 1000))
    if torch_ms is not None:
        print("torch: %9.1f ms  %8.0f tokens/s" % (torch_ms, tokens / torch_ms * 1000))
        print("ratio ptm/torch tokens/s: %.2fx" % (torch_ms / ptm_ms))


if __name__ == "__main__":
    main()
