#!/usr/bin/env python3
"""Matrix products of GPT-2 124M and BERT-base: ptm's compiled code against
OpenBLAS's cblas_sgemm and the machine's measured peak, in one run.

    python3 bench/matmul.py [--ptm-bin build/tools] [--threads 1,2] [--iters 10] [--rounds 3]
                            [--shapes NAME,...] [--json FILE] [--keep DIR] [-v]

Every product of a training step at B=4, T=128 (M = 512 rows) appears with
its layout: "nn" (activations times a weight [K, N]), "nt" (a weight stored
[N, K]: GPT-2's tied lm_head, BERT's torch Linear weights, input gradients),
"tn" (weight gradients xᵀ · dy).

  * ptm: one module in the ptm dialect with an entry per product (the weight a
    parameter, the activations an input) is compiled by `ptmc FILE.mlir`, and
    each entry is timed by `ptm-run bench --threads K`;
  * OpenBLAS: cblas_sgemm through ctypes on the same shapes and layouts, with
    openblas_set_num_threads(K);
  * peak: bench/peak_flops.c (independent FMA chains in registers), built with
    the system C compiler for the host.

Measurements alternate between ptm and OpenBLAS for --rounds rounds; each
figure is the median over the rounds of each round's median. The ratio is
ptm / OpenBLAS GFLOP/s (> 1: ptm faster).
"""

import argparse
import ctypes
import ctypes.util
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import ptm_bench  # noqa: E402

# name: (M, K, N, layout)
SHAPES = {
    "gpt2.attn.c_attn": (512, 768, 2304, "nn"),
    "gpt2.attn.c_proj": (512, 768, 768, "nn"),
    "gpt2.mlp.c_fc": (512, 768, 3072, "nn"),
    "gpt2.mlp.c_proj": (512, 3072, 768, "nn"),
    "gpt2.lm_head": (512, 768, 50257, "nt"),
    "gpt2.mlp.c_fc.input_grad": (512, 3072, 768, "nt"),
    "gpt2.mlp.c_fc.weight_grad": (768, 512, 3072, "tn"),
    "bert.attention.query": (512, 768, 768, "nt"),
    "bert.intermediate.dense": (512, 768, 3072, "nt"),
    "bert.output.dense": (512, 3072, 768, "nt"),
    "bert.intermediate.dense.input_grad": (512, 3072, 768, "nn"),
    "bert.intermediate.dense.weight_grad": (3072, 512, 768, "tn"),
}

OPENBLAS_CANDIDATES = [
    "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
    "/usr/lib/x86_64-linux-gnu/libopenblas.so.0",
    "/usr/lib/aarch64-linux-gnu/openblas-pthread/libopenblas.so.0",
]


def entry_name(name):
    return name.replace(".", "_")


def operand_shapes(m, k, n, layout):
    lhs = (k, m) if layout == "tn" else (m, k)
    rhs = (n, k) if layout == "nt" else (k, n)
    return lhs, rhs


def tensor_type(shape):
    return "tensor<%sxf32>" % "x".join(str(d) for d in shape)


def module_text(names):
    """One ptm entry per product: lhs an input, rhs a parameter (a weight),
    except for weight gradients, whose operands are both activations."""
    functions = []
    for name in names:
        m, k, n, layout = SHAPES[name]
        lhs, rhs = operand_shapes(m, k, n, layout)
        x_arg = '%%x: %s {ptm.input = "x"}' % tensor_type(lhs)
        # Parameters come before inputs in an entry's arguments.
        if layout == "tn":
            arguments = '%s, %%w: %s {ptm.input = "dy"}' % (x_arg, tensor_type(rhs))
        else:
            arguments = ('%%w: %s {ptm.parameter = "%s.weight", ptm.init = "normal", ptm.init_std = 0.02 : f64}, %s'
                         % (tensor_type(rhs), name, x_arg))
        flags = {"nn": "", "nt": " {transpose_rhs = true}", "tn": " {transpose_lhs = true}"}[layout]
        functions.append(
            'func.func @%s(%s) -> (%s {ptm.output = "y"}) attributes {ptm.entry} {\n'
            '  %%y = ptm.matmul %%x, %%w%s : (%s, %s) -> %s\n'
            '  return %%y : %s\n}\n' % (entry_name(name), arguments, tensor_type((m, n)), flags, tensor_type(lhs),
                                        tensor_type(rhs), tensor_type((m, n)), tensor_type((m, n))))
    return "\n".join(functions)


def gflops(m, k, n, milliseconds):
    return 2.0 * m * k * n / (milliseconds * 1e6)


class OpenBlas:
    ROW_MAJOR, NO_TRANS, TRANS = 101, 111, 112

    def __init__(self):
        path = next((p for p in OPENBLAS_CANDIDATES if os.path.exists(p)), None) or ctypes.util.find_library("openblas")
        if not path:
            raise RuntimeError("OpenBLAS not found (Debian: apt-get install libopenblas0-pthread)")
        self.lib = ctypes.CDLL(path)
        self.path = path
        self.buffers = {}

    def time_ms(self, m, k, n, layout, threads, iters, warmup):
        self.lib.openblas_set_num_threads(threads)
        lhs, rhs = operand_shapes(m, k, n, layout)
        # Zero-filled operands: the products take the same time on any values.
        a = (ctypes.c_float * (lhs[0] * lhs[1]))()
        b = (ctypes.c_float * (rhs[0] * rhs[1]))()
        c = (ctypes.c_float * (m * n))()
        trans_a = self.TRANS if layout == "tn" else self.NO_TRANS
        trans_b = self.TRANS if layout == "nt" else self.NO_TRANS

        def call():
            self.lib.cblas_sgemm(self.ROW_MAJOR, trans_a, trans_b, m, n, k, ctypes.c_float(1.0), a, lhs[1], b,
                                 rhs[1], ctypes.c_float(0.0), c, n)

        return ptm_bench.time_calls(call, iters, warmup)[0]


def measure_peak(threads, work, verbose):
    source = os.path.join(HERE, "peak_flops.c")
    binary = os.path.join(work, "peak_flops")
    if not os.path.exists(binary):
        compiler = os.environ.get("CC", "cc")
        result = subprocess.run([compiler, "-O2", "-march=native", "-pthread", source, "-o", binary],
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError("%s cannot build %s: %s" % (compiler, source, result.stderr.strip()))
    output, _ = ptm_bench.run_tool([binary, str(threads)], verbose)
    return float(output.split("gflops=")[1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ptm-bin", default=os.path.join(HERE, "..", "build", "tools"),
                    help="directory with ptmc/ptmc and ptm-run/ptm-run (default build/tools)")
    ap.add_argument("--threads", default="1,2", help="thread counts to time, comma-separated (default 1,2)")
    ap.add_argument("--iters", type=int, default=10, help="timed calls per measurement (default 10)")
    ap.add_argument("--warmup", type=int, default=2, help="untimed calls before timing (default 2)")
    ap.add_argument("--rounds", type=int, default=3, help="alternating rounds of ptm and OpenBLAS (default 3)")
    ap.add_argument("--shapes", help="comma-separated names (default: all): " + ", ".join(SHAPES))
    ap.add_argument("--ptmc-flag", action="append", default=[], metavar="FLAG",
                    help="extra ptmc flag, e.g. --ptmc-flag=--tile-sizes=512,128,256 (repeatable)")
    ap.add_argument("--json", metavar="FILE", help="also write the rows as JSON")
    ap.add_argument("--keep", metavar="DIR", help="keep the module, artifact and peak binary here")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()

    names = args.shapes.split(",") if args.shapes else list(SHAPES)
    unknown = [n for n in names if n not in SHAPES]
    if unknown:
        sys.exit("error: unknown shape %s; known: %s" % (", ".join(unknown), ", ".join(SHAPES)))
    thread_counts = [int(t) for t in args.threads.split(",")]
    ptmc, ptm_run = ptm_bench.tool_paths(args.ptm_bin)
    missing = ptm_bench.missing_executables(ptmc, ptm_run)
    if missing:
        sys.exit("error: not built: %s (build ptmc and ptm-run, or pass --ptm-bin)" % ", ".join(missing))
    try:
        blas = OpenBlas()
    except (OSError, RuntimeError) as e:
        sys.exit("error: %s" % e)

    work = args.keep or tempfile.mkdtemp(prefix="ptm-matmul-")
    os.makedirs(work, exist_ok=True)
    module = os.path.join(work, "matmul.mlir")
    artifact = os.path.join(work, "matmul.ptm")
    with open(module, "w") as f:
        f.write(module_text(names))
    try:
        _, seconds = ptm_bench.run_tool([ptmc, module, "-o", artifact] + args.ptmc_flag, args.verbose)
        print("compiled %d products in %.1f s (%s)" % (len(names), seconds, artifact), file=sys.stderr)
        peaks = {t: measure_peak(t, work, args.verbose) for t in thread_counts}
    except RuntimeError as e:
        sys.exit("error: %s" % e)

    samples = {(name, t): ([], []) for name in names for t in thread_counts}
    for round_index in range(args.rounds):
        print("round %d of %d" % (round_index + 1, args.rounds), file=sys.stderr)
        for name in names:
            m, k, n, layout = SHAPES[name]
            for t in thread_counts:
                try:
                    ptm_ms, _ = ptm_bench.bench_entry(ptm_run, artifact, args.iters, t, entry=entry_name(name),
                                                      warmup=args.warmup, verbose=args.verbose)
                except RuntimeError as e:
                    sys.exit("error: %s" % e)
                blas_ms = blas.time_ms(m, k, n, layout, t, args.iters, args.warmup)
                samples[(name, t)][0].append(ptm_ms)
                samples[(name, t)][1].append(blas_ms)

    rows = []
    header = "%-36s %-19s %7s %10s %10s %7s %9s" % ("product", "M x K x N", "threads", "ptm GF/s", "BLAS GF/s",
                                                   "ratio", "% peak")
    print(header)
    print("-" * len(header))
    for t in thread_counts:
        for name in names:
            m, k, n, layout = SHAPES[name]
            ptm_gf = gflops(m, k, n, statistics.median(samples[(name, t)][0]))
            blas_gf = gflops(m, k, n, statistics.median(samples[(name, t)][1]))
            rows.append({"shape": name, "m": m, "k": k, "n": n, "layout": layout, "threads": t,
                         "ptm_gflops": round(ptm_gf, 2), "openblas_gflops": round(blas_gf, 2),
                         "ratio": round(ptm_gf / blas_gf, 3)})
            print("%-36s %-19s %7d %10.1f %10.1f %6.2fx %8.0f%%" % (
                name, "%dx%dx%d %s" % (m, k, n, layout), t, ptm_gf, blas_gf, ptm_gf / blas_gf,
                100 * ptm_gf / peaks[t]))
        ratios = [r["ratio"] for r in rows if r["threads"] == t]
        print("%-36s %-19s %7d %10s %10s %6.2fx   (geometric mean)" % (
            "all", "", t, "", "", statistics.geometric_mean(ratios)))
    for t in thread_counts:
        print("peak (FMA chains in registers), %d thread%s: %.1f GFLOP/s" % (t, "" if t == 1 else "s", peaks[t]))
        rows.append({"peak_gflops": round(peaks[t], 1), "threads": t})
    print("OpenBLAS: %s; medians of %d rounds of %d calls" % (blas.path, args.rounds, args.iters))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
