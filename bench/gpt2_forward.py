#!/usr/bin/env python3
"""GPT-2 124M forward latency: ptm (ptmc + ptm-run bench) against PyTorch eager.

    python3 bench/gpt2_forward.py [--ptm-bin build/tools] [--iters 20] [--threads 2]
    python3 bench/gpt2_forward.py --only-torch --iters 2 --shapes 1x128

For each shape B x T (default 1x128 and 4x256) it
  * writes the GPT-2 124M config.json to a temporary directory,
  * runs `ptmc DIR -o model.ptm --batch B --seq T` and
    `ptm-run bench model.ptm --iters N --threads K`, and reads its line
    `bench entry=forward iters=N median_ms=X min_ms=Y`,
  * times GPT2LMHeadModel (random weights, eval, no_grad, float32,
    torch.set_num_threads(K)) with the same method: WARMUP untimed calls, then
    N timed calls, median and min,
and prints one table row per shape; ratio = torch_ms / ptm_ms (> 1: ptm faster).
Without torch / transformers only the ptm column is filled; with --only-torch
only the torch column is.
"""

import argparse
import json
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ptm_bench  # noqa: E402

GPT2_124M = {
    "model_type": "gpt2",
    "architectures": ["GPT2LMHeadModel"],
    "n_layer": 12,
    "n_head": 12,
    "n_embd": 768,
    "n_positions": 1024,
    "n_ctx": 1024,
    "vocab_size": 50257,
    "layer_norm_epsilon": 1e-05,
    "activation_function": "gelu_new",
    "attn_pdrop": 0.1,
    "embd_pdrop": 0.1,
    "resid_pdrop": 0.1,
    "initializer_range": 0.02,
    "bos_token_id": 50256,
    "eos_token_id": 50256,
    "tie_word_embeddings": True,
    "scale_attn_weights": True,
    "use_cache": True,
}

WARMUP = 2


def parse_shape(s):
    m = re.fullmatch(r"(\d+)[xX,](\d+)", s.strip())
    if not m:
        raise argparse.ArgumentTypeError("shape %r: expected BxT, e.g. 4x256" % s)
    return int(m.group(1)), int(m.group(2))


def run_ptm(args, model_dir, work_dir, batch, seq):
    """Return (median_ms, min_ms) from ptm-run bench, or raise RuntimeError with a clear message."""
    artifact = os.path.join(work_dir, "gpt2-b%d-t%d.ptm" % (batch, seq))
    ptm_bench.compile_artifact(args.ptmc, model_dir, artifact, batch, seq, verbose=args.verbose)
    return ptm_bench.bench_entry(args.ptm_run, artifact, args.iters, args.threads, verbose=args.verbose)


def load_torch_model(threads):
    """Return (torch, model) or (None, reason)."""
    try:
        import torch
        from transformers import GPT2Config, GPT2LMHeadModel
    except ImportError as e:
        return None, "torch/transformers not installed (%s)" % e
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    cfg = {k: v for k, v in GPT2_124M.items() if k not in ("model_type", "architectures", "n_ctx")}
    model = GPT2LMHeadModel(GPT2Config(**cfg)).eval()  # random weights (default init), float32
    return torch, model


def run_torch(torch, model, batch, seq, iters):
    ids = torch.randint(0, GPT2_124M["vocab_size"], (batch, seq), generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        return ptm_bench.time_calls(lambda: model(input_ids=ids, use_cache=False), iters, WARMUP)


def fmt(x):
    return "-" if x is None else "%.2f" % x


def main(argv=None):
    ap = argparse.ArgumentParser(description="GPT-2 124M forward: ptm vs PyTorch eager (median of N).")
    ap.add_argument("--ptm-bin", default="build/tools",
                    help="folder holding ptmc/ptmc and ptm-run/ptm-run (default: build/tools)")
    ap.add_argument("--ptmc", help="path of ptmc (default: PTM_BIN/ptmc/ptmc)")
    ap.add_argument("--ptm-run", help="path of ptm-run (default: PTM_BIN/ptm-run/ptm-run)")
    ap.add_argument("--iters", type=int, default=20, help="timed iterations per shape (default 20)")
    ap.add_argument("--threads", type=int, default=2, help="threads for both ptm-run and torch (default 2)")
    ap.add_argument("--shapes", type=parse_shape, nargs="+", default=[(1, 128), (4, 256)], metavar="BxT",
                    help="batch x sequence shapes (default: 1x128 4x256)")
    ap.add_argument("--only-torch", action="store_true", help="time PyTorch only (no ptm binaries needed)")
    ap.add_argument("--only-ptm", action="store_true", help="time ptm only")
    ap.add_argument("--keep", metavar="DIR", help="write config.json and artifacts here instead of a temp dir")
    ap.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    if args.iters < 1 or args.threads < 1:
        ap.error("--iters and --threads must be >= 1")
    if args.only_torch and args.only_ptm:
        ap.error("--only-torch and --only-ptm exclude each other")
    for b, t in args.shapes:
        if t > GPT2_124M["n_positions"]:
            ap.error("seq %d exceeds n_positions %d" % (t, GPT2_124M["n_positions"]))
    args.ptmc, args.ptm_run = ptm_bench.tool_paths(args.ptm_bin, args.ptmc, args.ptm_run)

    use_ptm = not args.only_torch
    use_torch = not args.only_ptm
    if use_ptm:
        for exe in ptm_bench.missing_executables(args.ptmc, args.ptm_run):
            print("error: %s: no such executable (build ptm first, or pass --ptm-bin / --ptmc / --ptm-run, "
                  "or --only-torch)" % exe, file=sys.stderr)
            return 2

    torch = model = None
    if use_torch:
        torch, model = load_torch_model(args.threads)
        if torch is None:
            print("note: %s; timing ptm only" % model, file=sys.stderr)
            if not use_ptm:
                return 2

    tmp = None
    work = args.keep
    if work:
        os.makedirs(work, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="ptm-bench-gpt2-")
        work = tmp.name
    model_dir = os.path.join(work, "gpt2-124m")
    os.makedirs(model_dir, exist_ok=True)
    with open(os.path.join(model_dir, "config.json"), "w") as f:
        json.dump(GPT2_124M, f, indent=2)
        f.write("\n")

    print("GPT-2 124M forward, fp32, threads=%d, iters=%d (median of timed iters after %d warm-up)"
          % (args.threads, args.iters, WARMUP))
    header = "%-10s %14s %14s %14s" % ("shape", "ptm med ms", "torch med ms", "torch/ptm")
    print(header)
    print("-" * len(header))
    results, failed = [], False
    for b, t in args.shapes:
        row = {"batch": b, "seq": t, "ptm_median_ms": None, "ptm_min_ms": None,
               "torch_median_ms": None, "torch_min_ms": None}
        if use_ptm:
            try:
                row["ptm_median_ms"], row["ptm_min_ms"] = run_ptm(args, model_dir, work, b, t)
            except RuntimeError as e:
                print("error: B=%d T=%d: %s" % (b, t, e), file=sys.stderr)
                failed = True
        if torch is not None:
            row["torch_median_ms"], row["torch_min_ms"] = run_torch(torch, model, b, t, args.iters)
        ratio = None
        if row["ptm_median_ms"] and row["torch_median_ms"]:
            ratio = row["torch_median_ms"] / row["ptm_median_ms"]
        row["ratio_torch_over_ptm"] = ratio
        results.append(row)
        print("%-10s %14s %14s %14s" % ("%dx%d" % (b, t), fmt(row["ptm_median_ms"]), fmt(row["torch_median_ms"]),
                                         "-" if ratio is None else "%.2fx" % ratio), flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"threads": args.threads, "iters": args.iters, "results": results}, f, indent=2)
            f.write("\n")
    if tmp:
        tmp.cleanup()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
