#!/usr/bin/env python3
"""GPT-2 124M decoding: ptm (ptmc --mode generate + ptm-run generate) against
PyTorch eager with a key/value cache, in one run.

    python3 bench/gpt2_decode.py [--ptm-bin build/tools] [--runs 3] [--threads 2]
    python3 bench/gpt2_decode.py --keep /tmp/decode --reuse   # skip compiling again

One prompt (B=1) of --prompt tokens, --new greedy tokens (default 32 and 128):
  * random GPT-2 124M weights (GPT2LMHeadModel(config), seed 0) are saved as
    model.safetensors, so both sides run the same model,
  * ptm: `ptmc DIR --mode generate --prompt-lengths P --cache-lengths ...` and
    `ptm-run generate --prompt-ids ... --temperature 0 --ignore-eos
    --print-ids`, whose stderr line gives the prefill time and the decoding
    tokens/s,
  * PyTorch: the same greedy loop as generate(): one forward of the prompt
    with use_cache=True (prefill), then one forward per new token with
    past_key_values, no_grad, eval, float32, torch.set_num_threads(K),
and prints the medians of --runs runs (after one warm-up run each), the
ratios (> 1: ptm faster) and whether both chose the same tokens.
"""

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ptm_bench  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
CONFIG = os.path.join(HERE, "..", "examples", "gpt2-124m", "config.json")
STATS = re.compile(r"prefill ([0-9.]+) ms; (\d+) new tokens in [0-9.]+ s \(decoding ([0-9.]+) tokens/s")


def write_model(directory, config_path=CONFIG):
    """Save random GPT-2 weights (seed 0) of config_path as DIRECTORY/model.safetensors; return the model."""
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel
    torch.manual_seed(0)
    with open(config_path) as f:
        config = GPT2Config(**json.load(f))
    model = GPT2LMHeadModel(config).eval()
    model.save_pretrained(directory, safe_serialization=True)
    return model


def prompt_ids(vocab_size, length):
    """The prompt: LENGTH token ids, uniform below vocab_size, the same in every process (no torch needed)."""
    rng = random.Random(1)
    return [rng.randrange(vocab_size) for _ in range(length)]


def generate_command(ptmc, directory, artifact, prompt, new):
    """ptmc --mode generate of DIRECTORY: one prefill bucket (the prompt's), caches of half and all of the sequence."""
    total = prompt + new
    cache_lengths = sorted({max(prompt, total // 2), total})
    return [ptmc, directory, "-o", artifact, "--mode", "generate", "--batch", "1",
            "--prompt-lengths", str(prompt), "--cache-lengths", ",".join(map(str, cache_lengths))]


def ptm_run_once(ptm_run, artifact, weights, prompt, new, threads):
    cmd = [ptm_run, "generate", artifact, "--weights", weights, "--prompt-ids", ",".join(map(str, prompt)),
           "--max-new-tokens", str(new), "--temperature", "0", "--ignore-eos", "--print-ids",
           "--threads", str(threads)]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("ptm-run generate exited %d: %s" % (p.returncode, p.stderr.strip()[-500:]))
    m = STATS.search(p.stderr)
    if not m:
        raise RuntimeError("ptm-run generate printed no statistics line: %r" % p.stderr[-500:])
    return float(m.group(1)), float(m.group(3)), [int(t) for t in p.stdout.split()]


def torch_run_once(model, prompt, new):
    import torch
    with torch.no_grad():
        ids = torch.tensor([prompt])
        t0 = time.perf_counter()
        out = model(ids, use_cache=True)
        prefill_ms = (time.perf_counter() - t0) * 1e3
        past = out.past_key_values
        token = int(out.logits[0, -1].argmax())
        tokens = [token]
        t0 = time.perf_counter()
        for _ in range(new - 1):
            out = model(torch.tensor([[token]]), past_key_values=past, use_cache=True)
            past = out.past_key_values
            token = int(out.logits[0, -1].argmax())
            tokens.append(token)
        decode_seconds = time.perf_counter() - t0
    return prefill_ms, (new - 1) / decode_seconds, tokens


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ptm-bin", default=os.path.join(HERE, "..", "build", "tools"))
    parser.add_argument("--prompt", type=int, default=32)
    parser.add_argument("--new", type=int, default=128)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--keep", help="directory for the weights and artifact (default: a temporary one)")
    parser.add_argument("--reuse", action="store_true", help="reuse the artifact and weights in --keep")
    args = parser.parse_args()

    import torch
    torch.set_num_threads(args.threads)
    ptmc, ptm_run = ptm_bench.tool_paths(args.ptm_bin)
    missing = ptm_bench.missing_executables(ptmc, ptm_run)
    if missing:
        sys.exit("missing executables: %s (build them, or pass --ptm-bin)" % ", ".join(missing))
    directory = args.keep or tempfile.mkdtemp(prefix="ptm-decode-")
    os.makedirs(directory, exist_ok=True)
    artifact = os.path.join(directory, "gpt2-124m-generate.ptm")
    if args.reuse and os.path.exists(artifact) and os.path.exists(os.path.join(directory, "model.safetensors")):
        from transformers import GPT2LMHeadModel
        model = GPT2LMHeadModel.from_pretrained(directory).eval()
        print("reusing %s" % artifact)
    else:
        model = write_model(directory)
        command = generate_command(ptmc, directory, artifact, args.prompt, args.new)
        seconds = ptm_bench.run_tool(command)[1]
        print("ptmc %s: %.0f s" % (" ".join(command[4:]), seconds))

    prompt = prompt_ids(model.config.vocab_size, args.prompt)
    ptm_runs, torch_runs = [], []
    ptm_run_once(ptm_run, artifact, directory, prompt, args.new, args.threads)
    torch_run_once(model, prompt, args.new)
    for _ in range(args.runs):
        ptm_runs.append(ptm_run_once(ptm_run, artifact, directory, prompt, args.new, args.threads))
        torch_runs.append(torch_run_once(model, prompt, args.new))
    ptm_prefill = statistics.median(r[0] for r in ptm_runs)
    ptm_rate = statistics.median(r[1] for r in ptm_runs)
    torch_prefill = statistics.median(r[0] for r in torch_runs)
    torch_rate = statistics.median(r[1] for r in torch_runs)
    same = sum(a == b for a, b in zip(ptm_runs[0][2], torch_runs[0][2]))
    first_difference = next((i for i, (a, b) in enumerate(zip(ptm_runs[0][2], torch_runs[0][2])) if a != b), None)

    print("GPT-2 124M (random weights), B=1, prompt %d tokens, %d new tokens, greedy, fp32, %d threads, "
          "median of %d runs; torch %s" % (args.prompt, args.new, args.threads, args.runs, torch.__version__))
    print("%-26s %12s %14s %10s" % ("", "ptm", "torch eager", "ratio"))
    print("%-26s %9.1f ms %11.1f ms %9.2fx" % ("prefill latency", ptm_prefill, torch_prefill,
                                             torch_prefill / ptm_prefill))
    print("%-26s %8.1f tok/s %9.1f tok/s %9.2fx" % ("decode throughput", ptm_rate, torch_rate,
                                                  ptm_rate / torch_rate))
    print("same greedy tokens: %d of %d%s" % (same, args.new, "" if first_difference is None else
                                              " (first difference at step %d)" % first_difference))


if __name__ == "__main__":
    main()
