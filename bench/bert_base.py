#!/usr/bin/env python3
"""BERT-base (BertForPreTraining) on ptm against PyTorch, in one run:

  (a) inference latency of the forward entry (prediction_logits and
      seq_relationship_logits of a B x T batch), and
  (b) throughput of the MLM + NSP training step (forward, backward, global-norm
      clipping to 1.0, AdamW) in sequences/s and tokens/s,

each as the median (and min) of --iters timed calls after --warmup untimed ones.

    python3 bench/bert_base.py [--batch 8] [--seq 128] [--iters 10] [--warmup 2] [--threads 2]
                               [--ptm-bin build/tools] [--config examples/bert-base]
                               [--only-ptm | --only-torch] [--no-forward | --no-train]
                               [--no-torch-compile] [--keep DIR [--reuse]] [--json FILE] [-v]

ptm: `ptmc CONFIG -o forward.ptm --batch B --seq T` and `ptmc ... --mode train`
(their wall times are printed), then `ptm-run bench` of the entries forward and
train_step (random weights; random inputs: token ids and token types uniform,
attention_mask all ones, labels at every position, random next_sentence_label).

PyTorch: transformers' BertForPreTraining from the same config.json (random
weights, fp32, torch.set_num_threads(--threads)), dropout off like ptm's
artifact (compiled without --dropout); the same input shapes, attention_mask
all ones, ~15% of the positions scored (labels -100 elsewhere), random
next_sentence_label; torch.optim.AdamW with ptmc's defaults (lr 1e-4, betas
0.9/0.95, eps 1e-8, weight decay 0.1 on matrices only) and
clip_grad_norm_(1.0). Peers: PyTorch eager and, when it works, torch.compile of
the model (otherwise reported as "unavailable: reason"). Without torch and
transformers only ptm is timed.

"ptm speed-up" = peer median ms / ptm median ms (= ptm throughput / peer
throughput; > 1: ptm faster).
"""

import argparse
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ptm_bench  # noqa: E402


# ---------------------------------------------------------------- ptm

def run_ptm(args, work, results, compile_times):
    """Compile and bench the forward and train_step entries; fill results["forward"/"train"]["ptm"]."""
    jobs = []
    if args.forward:
        jobs.append(("forward", "forward.ptm", [], "forward"))
    if args.train:
        jobs.append(("train", "train.ptm", ["--mode", "train"], "train_step"))
    failed = False
    for kind, name, extra, entry in jobs:
        artifact = os.path.join(work, "bert-b%d-t%d-%s" % (args.batch, args.seq, name))
        try:
            if args.reuse and os.path.exists(artifact):
                print("reusing %s (compile time not measured)" % artifact)
            else:
                compile_times[kind] = ptm_bench.compile_artifact(args.ptmc, args.config, artifact, args.batch,
                                                                 args.seq, extra, verbose=args.verbose)
            results[kind]["ptm"] = ptm_bench.bench_entry(args.ptm_run, artifact, args.iters, args.threads,
                                                         entry=entry, warmup=args.warmup, verbose=args.verbose)
        except RuntimeError as e:
            print("error: ptm %s: %s" % (entry, e), file=sys.stderr)
            results[kind]["ptm"] = "failed: %s" % e
            failed = True
    return failed


# ---------------------------------------------------------------- PyTorch

def load_torch(args):
    """Return (torch, BertForPreTraining model, description) or (None, None, reason)."""
    try:
        import torch
        import transformers
        from transformers import BertConfig, BertForPreTraining
    except ImportError as e:
        return None, None, "torch/transformers not installed (%s)" % e
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    config = BertConfig.from_json_file(os.path.join(args.config, "config.json"))
    config.hidden_dropout_prob = config.attention_probs_dropout_prob = 0.0  # like ptm without --dropout
    model = BertForPreTraining(config)
    attention = getattr(model.config, "_attn_implementation", "eager")
    return torch, model, "torch %s, transformers %s, attention %s" % (torch.__version__, transformers.__version__,
                                                                     attention)


def torch_inputs(torch, model, args):
    config = model.config
    g = torch.Generator().manual_seed(1)
    b, t = args.batch, args.seq
    ids = torch.randint(0, config.vocab_size, (b, t), generator=g)
    types = torch.randint(0, config.type_vocab_size, (b, t), generator=g)
    mask = torch.ones(b, t, dtype=torch.long)
    scored = torch.rand(b, t, generator=g) < 0.15
    scored[:, 0] |= ~scored.any(dim=1)  # at least one scored position per sequence
    labels = torch.where(scored, torch.randint(0, config.vocab_size, (b, t), generator=g), torch.full_like(ids, -100))
    nsp = torch.randint(0, 2, (b,), generator=g)
    return ids, mask, types, labels, nsp


def torch_forward(torch, model, run_model, inputs, args):
    ids, mask, types, _, _ = inputs
    model.eval()
    with torch.no_grad():
        return ptm_bench.time_calls(lambda: run_model(input_ids=ids, attention_mask=mask, token_type_ids=types),
                                    args.iters, args.warmup)


def torch_train(torch, model, run_model, inputs, args):
    ids, mask, types, labels, nsp = inputs
    model.train()
    optimizer = ptm_bench.ptmc_adamw(torch, model)

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = run_model(input_ids=ids, attention_mask=mask, token_type_ids=types, labels=labels,
                         next_sentence_label=nsp).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()

    return ptm_bench.time_calls(step, args.iters, args.warmup)


def reason(e):
    lines = str(e).strip().splitlines()
    return "%s: %s" % (type(e).__name__, lines[0][:200] if lines else "")


def run_torch(torch, model, args, results):
    inputs = torch_inputs(torch, model, args)
    peers = [("torch eager", model)]
    if args.torch_compile:
        if not hasattr(torch, "compile"):
            compiled = "unavailable: torch %s has no torch.compile" % torch.__version__
        else:
            try:
                compiled = torch.compile(model)
            except Exception as e:  # noqa: BLE001 - any failure makes the peer unavailable
                compiled = "unavailable: " + reason(e)
        peers.append(("torch.compile", compiled))
    for kind, timer in (("forward", torch_forward), ("train", torch_train)):
        if not getattr(args, kind):
            continue
        for name, run_model in peers:
            if isinstance(run_model, str):
                results[kind][name] = run_model
                continue
            try:
                results[kind][name] = timer(torch, model, run_model, inputs, args)
            except Exception as e:  # noqa: BLE001 - e.g. inductor without a C++ compiler
                if name == "torch eager":
                    raise
                results[kind][name] = "unavailable: " + reason(e)
            if args.verbose:
                print("  %s %s: %s" % (name, kind, results[kind][name]), file=sys.stderr)


# ---------------------------------------------------------------- report

def print_table(title, rows, args, throughput):
    tokens = args.batch * args.seq
    print()
    print(title)
    header = "%-14s %11s %11s %9s" % ("peer", "median ms", "min ms", "seq/s")
    if throughput:
        header += " %10s" % "tokens/s"
    header += " %13s" % "ptm speed-up"
    print(header)
    print("-" * len(header))
    ptm = rows.get("ptm")
    ptm_ms = ptm[0] if isinstance(ptm, tuple) else None
    for name, value in rows.items():
        if not isinstance(value, tuple):
            print("%-14s %s" % (name, value))
            continue
        median, minimum = value
        line = "%-14s %11.2f %11.2f %9.1f" % (name, median, minimum, args.batch / median * 1e3)
        if throughput:
            line += " %10.0f" % (tokens / median * 1e3)
        line += " %13s" % ("-" if name == "ptm" or ptm_ms is None else "%.2fx" % (median / ptm_ms))
        print(line)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--batch", type=int, default=8, help="sequences per batch (default 8)")
    ap.add_argument("--seq", type=int, default=128, help="tokens per sequence (default 128)")
    ap.add_argument("--iters", type=int, default=10, help="timed calls per measurement (default 10)")
    ap.add_argument("--warmup", type=int, default=2, help="untimed calls before timing (default 2)")
    ap.add_argument("--threads", type=int, default=2, help="threads for both ptm-run and torch (default 2)")
    ap.add_argument("--config", default="examples/bert-base", help="HF BERT model directory with config.json "
                    "(default: examples/bert-base)")
    ap.add_argument("--ptm-bin", default="build/tools",
                    help="folder holding ptmc/ptmc and ptm-run/ptm-run (default: build/tools)")
    ap.add_argument("--ptmc", help="path of ptmc (default: PTM_BIN/ptmc/ptmc)")
    ap.add_argument("--ptm-run", help="path of ptm-run (default: PTM_BIN/ptm-run/ptm-run)")
    ap.add_argument("--only-ptm", action="store_true", help="time ptm only")
    ap.add_argument("--only-torch", action="store_true", help="time PyTorch only (no ptm binaries needed)")
    ap.add_argument("--no-forward", dest="forward", action="store_false", help="skip the forward latency")
    ap.add_argument("--no-train", dest="train", action="store_false", help="skip the train step")
    ap.add_argument("--no-torch-compile", dest="torch_compile", action="store_false",
                    help="skip the torch.compile peer")
    ap.add_argument("--keep", metavar="DIR", help="write the artifacts here instead of a temporary directory")
    ap.add_argument("--reuse", action="store_true",
                    help="with --keep: use artifacts already in DIR instead of compiling them again")
    ap.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    if min(args.batch, args.seq, args.iters, args.threads) < 1 or args.warmup < 0:
        ap.error("--batch, --seq, --iters and --threads must be >= 1, --warmup >= 0")
    if args.only_torch and args.only_ptm:
        ap.error("--only-torch and --only-ptm exclude each other")
    if not (args.forward or args.train):
        ap.error("--no-forward and --no-train leave nothing to time")
    config_path = os.path.join(args.config, "config.json")
    try:
        with open(config_path) as f:
            config = json.load(f)
    except (OSError, ValueError) as e:
        ap.error("%s: %s" % (config_path, e))
    if args.seq > config.get("max_position_embeddings", 512):
        ap.error("--seq %d exceeds max_position_embeddings %d" % (args.seq, config.get("max_position_embeddings", 512)))
    args.ptmc, args.ptm_run = ptm_bench.tool_paths(args.ptm_bin, args.ptmc, args.ptm_run)

    use_ptm = not args.only_torch
    if use_ptm:
        for exe in ptm_bench.missing_executables(args.ptmc, args.ptm_run):
            print("error: %s: no such executable (build ptm first, or pass --ptm-bin / --ptmc / --ptm-run, "
                  "or --only-torch)" % exe, file=sys.stderr)
            return 2
    torch = model = None
    torch_note = "PyTorch not timed (--only-ptm)"
    if not args.only_ptm:
        torch, model, torch_note = load_torch(args)
        if torch is None:
            print("note: %s; timing ptm only" % torch_note, file=sys.stderr)
            if not use_ptm:
                return 2

    results = {"forward": {}, "train": {}}
    compile_times = {}
    failed = False
    if use_ptm:
        if args.keep:
            os.makedirs(args.keep, exist_ok=True)
            failed = run_ptm(args, args.keep, results, compile_times)
        else:
            with tempfile.TemporaryDirectory(prefix="ptm-bench-bert-") as work:
                failed = run_ptm(args, work, results, compile_times)
    if torch is not None:
        run_torch(torch, model, args, results)

    print("BERT %s (BertForPreTraining: hidden %s, %s layers, %s heads, vocab %s), B=%d T=%d, fp32, threads=%d"
          % (args.config, config.get("hidden_size", 768), config.get("num_hidden_layers", 12),
             config.get("num_attention_heads", 12), config.get("vocab_size", 30522), args.batch, args.seq,
             args.threads))
    print("median of %d timed calls after %d warm-up; dropout off; %s" % (args.iters, args.warmup, torch_note))
    if compile_times:
        print("ptmc compile: " + ", ".join("%s %.1f s" % (kind if kind == "train" else "forward (infer)", s)
                                            for kind, s in compile_times.items()))
    if args.forward:
        print_table("(a) forward latency, prediction_logits + seq_relationship_logits", results["forward"], args,
                    throughput=False)
    if args.train:
        print_table("(b) train step: MLM + NSP loss, backward, clip 1.0, AdamW (torch: ~15% of positions scored)",
                    results["train"], args, throughput=True)
    print()
    print("ptm speed-up = peer median ms / ptm median ms (> 1: ptm faster)")
    if args.json:
        def plain(rows):
            return {k: ({"median_ms": v[0], "min_ms": v[1]} if isinstance(v, tuple) else v) for k, v in rows.items()}
        with open(args.json, "w") as f:
            json.dump({"config": args.config, "batch": args.batch, "seq": args.seq, "threads": args.threads,
                       "iters": args.iters, "warmup": args.warmup, "torch": torch_note,
                       "ptmc_compile_s": compile_times, "forward": plain(results["forward"]),
                       "train_step": plain(results["train"])}, f, indent=2)
            f.write("\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
