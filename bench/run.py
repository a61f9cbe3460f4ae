#!/usr/bin/env python3
"""ptm against its peers in one run: GPT-2 124M and BERT-base forward
latency, train-step throughput and peak memory, GPT-2 decoding, and (when
bench/matmul.py is present) matmul GFLOP/s, printed as one table of values
and ratios and written as CSV and as a PNG bar chart of the ratios.

    python3 bench/run.py [--ptm-bin build/tools] [--threads 2] [--iters 10] [--warmup 2]
                         [--models gpt2,bert] [--only forward,train,decode,matmul]
                         [--peers eager,compile,ort,iree] [--keep DIR [--reuse]]
                         [--csv FILE] [--png FILE]

Peers: PyTorch eager, torch.compile (Inductor), ONNX Runtime and IREE
(llvm-cpu, host CPU, data tiling) for the forward; PyTorch eager and
torch.compile for the train step; PyTorch eager for decoding. Each
measurement runs in a process of its own (its peak resident memory is the
train step's "peak memory"); a peer that is not installed or fails is
reported as "unavailable: REASON" and the run goes on. Every ratio is
oriented so that > 1 means ptm is better (faster, more tokens/s, less memory).
See bench/README.md.
"""

import argparse
import csv
import json
import os
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gpt2_decode  # noqa: E402
import ptm_bench  # noqa: E402
from ptm_bench import progress  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PEERS_SCRIPT = os.path.join(HERE, "peers.py")
MATMUL_SCRIPT = os.path.join(HERE, "matmul.py")

MODELS = ("gpt2", "bert")
TASKS = ("forward", "train", "decode", "matmul")
# Peer key (as in --peers and peers.py) and its column in the table.
PEERS = {"eager": "torch eager", "compile": "torch.compile", "ort": "onnxruntime", "iree": "iree"}
FORWARD_PEERS = ("eager", "compile", "ort", "iree")
TRAIN_PEERS = ("eager", "compile")
DECODE_PEERS = ("eager",)
OPENBLAS = "openblas"
MODEL_NAMES = {"gpt2": "GPT-2", "bert": "BERT"}


class Row:
    """One line of the table: a measurement of one model, its value per column, and whether higher is better."""

    def __init__(self, model, measurement, unit, higher_is_better, threads=None):
        self.model, self.measurement, self.unit = model, measurement, unit
        self.higher_is_better = higher_is_better
        self.threads = threads  # None: --threads
        self.values = {}  # column -> float, or "unavailable: ..." / "failed: ..."
        self.note = ""

    def ratio(self, column):
        """ptm vs COLUMN, > 1 when ptm is better; None unless both are numbers."""
        ptm, peer = self.values.get("ptm"), self.values.get(column)
        if not (isinstance(ptm, float) and isinstance(peer, float)) or ptm <= 0 or peer <= 0:
            return None
        return ptm / peer if self.higher_is_better else peer / ptm


# ---------------------------------------------------------------- running one measurement

class Bench:
    """The options of the run, and how to run ptm and the peers with them."""

    def __init__(self, args, work):
        self.args, self.work = args, work
        self.failed = False  # a ptm measurement failed: the exit status says so

    def model_work(self, model):
        """The directory for one model config's artifacts, ONNX files and weights."""
        config = self.args.configs[model]
        path = os.path.join(self.work, "%s-%s" % (model, os.path.basename(os.path.normpath(config))))
        os.makedirs(path, exist_ok=True)
        return path

    def ptm_artifact(self, model, name, batch, seq, extra):
        """Compile MODEL's config with ptmc unless --reuse finds the artifact; return its path."""
        artifact = os.path.join(self.model_work(model), name)
        if self.args.reuse and os.path.exists(artifact):
            progress("reusing %s" % artifact)
            return artifact
        progress("compiling %s (ptmc %s)" % (artifact, " ".join(["--batch", str(batch), "--seq", str(seq)] + extra)))
        # Written under another name first, so that --reuse never finds a half-written artifact.
        partial = artifact + ".partial"
        seconds = ptm_bench.compile_artifact(self.args.ptmc, self.args.configs[model], partial, batch, seq, extra,
                                             timeout=self.args.timeout)
        os.replace(partial, artifact)
        progress("  compiled in %.0f s" % seconds)
        return artifact

    def ptm_bench(self, model, name, batch, seq, extra, entry):
        """Compile (or reuse) and `ptm-run bench` one entry; return (median_ms, peak_mib) or "failed: ..."."""
        a = self.args
        try:
            artifact = self.ptm_artifact(model, name, batch, seq, extra)
            progress("timing ptm %s %s" % (model, entry))
            run = ptm_bench.run_measured(ptm_bench.bench_command(a.ptm_run, artifact, a.iters, a.threads, entry,
                                                                 a.warmup), a.timeout)
            if run.returncode != 0:
                raise RuntimeError("ptm-run exited %d: %s" % (run.returncode, run.failure_tail()))
            median, _ = ptm_bench.parse_bench_line(run.stdout)
        except RuntimeError as e:
            progress("  ptm failed: %s" % e)
            self.failed = True
            return "failed: %s" % e
        progress("  ptm: median %.3f ms, peak %.0f MiB" % (median, run.peak_mib))
        return median, run.peak_mib

    def peer(self, peer, task, model, batch, extra=()):
        """Run peers.py PEER TASK in its own process; return (its JSON result, peak_mib) or "unavailable: ..."."""
        a = self.args
        cmd = [a.python, PEERS_SCRIPT, peer, task, "--model", model, "--config", a.configs[model],
               "--batch", str(batch), "--seq", str(a.seq), "--iters", str(a.iters), "--warmup", str(a.warmup),
               "--threads", str(a.threads), "--work", self.model_work(model)] + list(extra)
        if a.reuse:
            cmd.append("--reuse")
        if task == "weights":
            progress("saving random %s weights with PyTorch" % model)
        else:
            progress("running %s %s %s B=%d" % (PEERS[peer], model, task, batch))
        env = dict(os.environ, OMP_NUM_THREADS=str(a.threads))  # no library below the peer takes more threads
        try:
            run = ptm_bench.run_measured(cmd, a.timeout, env=env)
        except RuntimeError as e:
            return "unavailable: %s" % e
        lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
        if run.returncode != 0 or not lines:
            reason = "%s exited %d: %s" % (os.path.basename(a.python), run.returncode, run.failure_tail(1))
            progress("  %s" % reason)
            return "unavailable: " + reason
        result = json.loads(lines[-1])
        if "unavailable" in result:
            progress("  unavailable: %s" % result["unavailable"])
            return "unavailable: " + result["unavailable"]
        progress("  %s (%.0f s, peak %.0f MiB)" % (
            ", ".join("%s %.3f" % kv for kv in result.items() if isinstance(kv[1], float)), run.seconds, run.peak_mib))
        return result, run.peak_mib


# ---------------------------------------------------------------- the measurements

def forward_rows(bench, model):
    a = bench.args
    rows = []
    for batch in a.forward_batches:
        row = Row(model, "forward latency B=%d T=%d" % (batch, a.seq), "ms", higher_is_better=False)
        ptm = bench.ptm_bench(model, "forward-b%d-t%d.ptm" % (batch, a.seq), batch, a.seq, [], "forward")
        row.values["ptm"] = ptm if isinstance(ptm, str) else ptm[0]
        for peer in FORWARD_PEERS:
            if peer in a.peers:
                result = bench.peer(peer, "forward", model, batch)
                row.values[PEERS[peer]] = result if isinstance(result, str) else result[0]["median_ms"]
        rows.append(row)
        if a.bf16:
            rows.append(bf16_row(bench, row, model, "forward-b%d-t%d-bf16.ptm" % (batch, a.seq), batch))
    return rows


def bf16_row(bench, f32_row, model, name, batch):
    """F32_ROW again with ptm compiled --precision bf16; the peers' figures are the f32 row's (one run each)."""
    a = bench.args
    row = Row(model, f32_row.measurement + ", ptm bf16 weights", f32_row.unit, f32_row.higher_is_better)
    ptm = bench.ptm_bench(model, name, batch, a.seq, ["--precision", "bf16"], "forward")
    row.values = dict(f32_row.values)
    row.values["ptm"] = ptm if isinstance(ptm, str) else ptm[0]
    row.note = "peers as in the f32 row above"
    return row


def train_rows(bench, model):
    """Throughput and peak memory of the train step, both from the same runs."""
    a = bench.args
    batch, tokens = a.train_batch, a.train_batch * a.seq
    shape = "B=%d T=%d" % (batch, a.seq)
    speed = Row(model, "train-step throughput " + shape, "tokens/s", higher_is_better=True)
    memory = Row(model, "train-step peak memory " + shape, "MiB", higher_is_better=False)
    baselines = []

    def fill(column, result, median_of):
        if isinstance(result, str):
            speed.values[column] = memory.values[column] = result
            return
        speed.values[column] = tokens / median_of(result[0]) * 1e3
        memory.values[column] = result[1]
        if isinstance(result[0], dict) and result[0].get("baseline_mib"):
            baselines.append("%s %.0f MiB" % (column, result[0]["baseline_mib"]))

    fill("ptm", bench.ptm_bench(model, "train-b%d-t%d.ptm" % (batch, a.seq), batch, a.seq, ["--mode", "train"],
                                "train_step"), lambda median_ms: median_ms)
    for peer in TRAIN_PEERS:
        if peer in a.peers:
            fill(PEERS[peer], bench.peer(peer, "train", model, batch), lambda result: result["median_ms"])
    memory.note = "max RSS of the measuring process"
    if baselines:
        memory.note += "; of it, Python with torch loaded before the model is built: " + ", ".join(baselines)
    return [speed, memory]


def decode_rows(bench):
    """GPT-2 greedy decoding (B=1) of the same random weights: ptm-run generate against PyTorch with a KV cache."""
    a = bench.args
    row = Row("gpt2", "decode tokens/s B=1 prompt=%d new=%d" % (a.decode_prompt, a.decode_new), "tokens/s",
              higher_is_better=True)
    decode_options = ["--prompt", str(a.decode_prompt), "--new", str(a.decode_new)]
    # Both sides load these weights, so they need PyTorch even for ptm's column.
    saved = bench.peer("eager", "weights", "gpt2", 1)
    if isinstance(saved, str):
        row.values["ptm"] = "unavailable: random weights need PyTorch (%s)" % saved[len("unavailable: "):]
    else:
        row.values["ptm"] = ptm_decode(bench)
    if "eager" in a.peers:
        result = bench.peer("eager", "decode", "gpt2", 1, decode_options)
        row.values[PEERS["eager"]] = result if isinstance(result, str) else result[0]["tokens_per_s"]
    rows = [row]
    if a.bf16:
        bf16 = Row("gpt2", row.measurement + ", ptm bf16 weights", row.unit, higher_is_better=True)
        bf16.values = dict(row.values)
        bf16.values["ptm"] = row.values["ptm"] if isinstance(saved, str) else ptm_decode(bench, ["--precision", "bf16"])
        bf16.note = "peers as in the f32 row above"
        rows.append(bf16)
    return rows


def ptm_decode(bench, extra=()):
    """Median decoding tokens/s of ptm-run generate over --iters runs after --warmup runs, or "failed: ..."."""
    a = bench.args
    directory = bench.model_work("gpt2")
    suffix = "-bf16" if "bf16" in extra else ""
    artifact = os.path.join(directory, "generate-p%d-n%d%s.ptm" % (a.decode_prompt, a.decode_new, suffix))
    try:
        if a.reuse and os.path.exists(artifact):
            progress("reusing %s" % artifact)
        else:
            progress("compiling %s (ptmc --mode generate)" % artifact)
            partial = artifact + ".partial"  # as in Bench.ptm_artifact
            seconds = ptm_bench.run_tool(gpt2_decode.generate_command(a.ptmc, directory, partial, a.decode_prompt,
                                                                      a.decode_new) + list(extra),
                                         timeout=a.timeout)[1]
            os.replace(partial, artifact)
            progress("  compiled in %.0f s" % seconds)
        with open(os.path.join(a.configs["gpt2"], "config.json")) as f:
            prompt = gpt2_decode.prompt_ids(json.load(f)["vocab_size"], a.decode_prompt)
        progress("timing ptm gpt2 decode")
        rates = []
        for i in range(a.warmup + a.iters):
            rate = gpt2_decode.ptm_run_once(a.ptm_run, artifact, directory, prompt, a.decode_new, a.threads)[1]
            if i >= a.warmup:
                rates.append(rate)
    except (RuntimeError, OSError, KeyError, ValueError) as e:
        progress("  ptm failed: %s" % e)
        bench.failed = True
        return "failed: %s" % e
    progress("  ptm: %.1f tokens/s" % statistics.median(rates))
    return statistics.median(rates)


def matmul_rows(bench):
    """Rows from bench/matmul.py --json FILE: ptm against OpenBLAS, with the measured peak in the note."""
    a = bench.args
    if not os.path.exists(MATMUL_SCRIPT):
        row = Row("matmul", "GFLOP/s", "GFLOP/s", higher_is_better=True)
        row.values["ptm"] = row.values[OPENBLAS] = "unavailable: bench/matmul.py not present"
        return [row]
    out = os.path.join(bench.work, "matmul.json")
    progress("running bench/matmul.py")
    try:
        run = ptm_bench.run_measured([a.python, MATMUL_SCRIPT, "--json", out], a.timeout)
        if run.returncode != 0:
            raise RuntimeError("matmul.py exited %d: %s" % (run.returncode, run.failure_tail(1)))
        with open(out) as f:
            entries = json.load(f)
    except (RuntimeError, OSError, ValueError) as e:
        row = Row("matmul", "GFLOP/s", "GFLOP/s", higher_is_better=True)
        row.values["ptm"] = row.values[OPENBLAS] = "unavailable: %s" % e
        return [row]
    peaks = {e["threads"]: e["peak_gflops"] for e in entries if "peak_gflops" in e}
    rows = []
    for e in entries:
        if "shape" not in e:
            continue
        row = Row("matmul", "%s threads=%d" % (e["shape"], e["threads"]), "GFLOP/s", higher_is_better=True,
                  threads=e["threads"])
        row.values["ptm"], row.values[OPENBLAS] = float(e["ptm_gflops"]), float(e["openblas_gflops"])
        peak = peaks.get(e["threads"])
        if peak:
            row.note = "ptm at %.0f%% of the measured peak %.1f GFLOP/s" % (100 * row.values["ptm"] / peak, peak)
        rows.append(row)
    for threads, peak in sorted(peaks.items()):
        if not any(r.measurement.endswith("threads=%d" % threads) for r in rows):
            row = Row("matmul", "measured peak threads=%d" % threads, "GFLOP/s", higher_is_better=True,
                      threads=threads)
            row.note = "peak %.1f GFLOP/s" % peak
            rows.append(row)
    return rows


def collect(bench):
    a = bench.args
    rows = []
    for model in a.models:
        if "forward" in a.only:
            rows += forward_rows(bench, model)
        if "train" in a.only:
            rows += train_rows(bench, model)
        if "decode" in a.only and model == "gpt2":
            rows += decode_rows(bench)
    if "matmul" in a.only:
        rows += matmul_rows(bench)
    return rows


# ---------------------------------------------------------------- output

def columns_of(rows, args):
    """ptm, then the peers selected by --peers that some row measured (OpenBLAS for matmul)."""
    peers = [PEERS[p] for p in PEERS if p in args.peers] + [OPENBLAS]
    return ["ptm"] + [c for c in peers if any(c in r.values for r in rows)]


def number(x):
    if x >= 100:
        return "%.0f" % x
    if x >= 1:
        return "%.2f" % x
    return "%.3g" % x


def print_table(rows, columns, args):
    peers = columns[1:]
    footnotes = []  # unavailable/failed reasons, each printed once below the table

    def cell(value):
        if isinstance(value, float):
            return number(value)
        if value is None:
            return ""
        if value not in footnotes:
            footnotes.append(value)
        return "n/a[%d]" % (footnotes.index(value) + 1)

    header = ["model", "measurement", "unit"] + columns + ["ptm/" + p for p in peers]
    lines = [[MODEL_NAMES.get(r.model, r.model), r.measurement, r.unit] + [cell(r.values.get(c)) for c in columns]
             + [("%.2fx" % r.ratio(p)) if r.ratio(p) else "" for p in peers] for r in rows]
    widths = [max(len(x) for x in column) for column in zip(header, *lines)]
    print("ptm vs peers: fp32, threads=%d, median of %d timed calls after %d warm-up; ratios > 1: ptm better"
          % (args.threads, args.iters, args.warmup))
    for i, line in enumerate([header] + lines):
        print("  ".join(x.ljust(w) if j < 3 else x.rjust(w) for j, (x, w) in enumerate(zip(line, widths))))
        if i == 0:
            print("  ".join("-" * w for w in widths))
    for r in rows:
        if r.note:
            print("note: %s %s: %s" % (MODEL_NAMES.get(r.model, r.model), r.measurement, r.note))
    for i, reason in enumerate(footnotes):
        print("[%d] %s" % (i + 1, reason))


def csv_name(column):
    """'torch.compile' -> 'torch_compile': column names that need no quoting in other tools."""
    return column.replace(" ", "_").replace(".", "_")


def write_csv(rows, columns, path, args):
    peers = columns[1:]
    with open(path, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["model", "measurement", "unit", "better", "threads"] + [csv_name(c) for c in columns]
                     + ["ptm_vs_" + csv_name(p) for p in peers] + ["note"])
        for r in rows:
            values = [r.values.get(c, "") for c in columns]
            ratios = [("%.4f" % r.ratio(p)) if r.ratio(p) else "" for p in peers]
            out.writerow([r.model, r.measurement, r.unit, "higher" if r.higher_is_better else "lower",
                          r.threads or args.threads]
                         + [("%.6g" % v) if isinstance(v, float) else v for v in values] + ratios + [r.note])


def write_png(rows, columns, path, args):
    """Horizontal grouped bars: one group per row with a ratio, one bar per peer, log scale, a line at 1."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as e:
        progress("no PNG: matplotlib not installed (%s)" % e)
        return False
    peers = columns[1:]
    plotted = [r for r in rows if any(r.ratio(p) for p in peers)]
    if not plotted:
        progress("no PNG: no ratio to plot")
        return False
    height = 0.8 / len(peers)
    fig, ax = plt.subplots(figsize=(10, 1.2 + 0.25 * len(plotted) * len(peers) + 0.3 * len(plotted)))
    for k, peer in enumerate(peers):
        ys = [i + (k - (len(peers) - 1) / 2) * height for i in range(len(plotted))]
        ratios = [r.ratio(peer) or 0 for r in plotted]
        bars = ax.barh(ys, ratios, height=height, label="ptm / " + peer)
        ax.bar_label(bars, labels=[("%.2f" % x) if x else "" for x in ratios], fontsize=7, padding=2)
    ax.set_xscale("log")
    ax.axvline(1.0, color="black", linewidth=0.8)
    ax.set_yticks(range(len(plotted)))
    ax.set_yticklabels(["%s %s" % (MODEL_NAMES.get(r.model, r.model), r.measurement) for r in plotted], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("ratio, > 1: ptm better (log scale)")
    ax.set_title("ptm vs peers, fp32, %d threads" % args.threads)
    ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return True


# ---------------------------------------------------------------- options

def csv_list(allowed):
    def parse(text):
        items = [x.strip() for x in text.split(",") if x.strip()]
        unknown = [x for x in items if x not in allowed]
        if unknown or not items:
            raise argparse.ArgumentTypeError("expected a comma-separated subset of %s" % ",".join(allowed))
        return items
    return parse


def int_list(text):
    try:
        values = [int(x) for x in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError("expected comma-separated integers, e.g. 1,8")
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError("expected integers >= 1")
    return values


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ptm-bin", default=os.path.join(ROOT, "build", "tools"),
                    help="folder holding ptmc/ptmc and ptm-run/ptm-run (default: build/tools)")
    ap.add_argument("--ptmc", help="path of ptmc (default: PTM_BIN/ptmc/ptmc)")
    ap.add_argument("--ptm-run", help="path of ptm-run (default: PTM_BIN/ptm-run/ptm-run)")
    ap.add_argument("--python", default=sys.executable,
                    help="Python with the peers' packages (torch, transformers, onnxruntime, iree, ...) "
                         "that runs them and bench/matmul.py (default: this one)")
    ap.add_argument("--models", type=csv_list(MODELS), default=list(MODELS), help="default: gpt2,bert")
    ap.add_argument("--only", type=csv_list(TASKS), default=list(TASKS), help="default: forward,train,decode,matmul")
    ap.add_argument("--peers", type=csv_list(tuple(PEERS)), default=list(PEERS), help="default: eager,compile,ort,iree")
    ap.add_argument("--threads", type=int, default=2, help="threads of ptm and of every peer (default 2)")
    ap.add_argument("--iters", type=int, default=10, help="timed calls (decode: runs) per measurement (default 10)")
    ap.add_argument("--warmup", type=int, default=2, help="untimed calls (decode: runs) before timing (default 2)")
    ap.add_argument("--no-bf16", dest="bf16", action="store_false",
                    help="skip the extra forward and decode rows of ptm compiled with --precision bf16")
    ap.add_argument("--seq", type=int, default=128, help="tokens per sequence of forward and train (default 128)")
    ap.add_argument("--forward-batches", type=int_list, default=[1, 8], help="forward batch sizes (default 1,8)")
    ap.add_argument("--train-batch", type=int, default=4, help="train-step batch size (default 4)")
    ap.add_argument("--decode-prompt", type=int, default=32, help="decode: prompt tokens (default 32)")
    ap.add_argument("--decode-new", type=int, default=128, help="decode: new tokens (default 128)")
    ap.add_argument("--config-gpt2", default=os.path.join(ROOT, "examples", "gpt2-124m"),
                    help="GPT-2 model directory with config.json (default: examples/gpt2-124m)")
    ap.add_argument("--config-bert", default=os.path.join(ROOT, "examples", "bert-base"),
                    help="BERT model directory with config.json (default: examples/bert-base)")
    ap.add_argument("--keep", metavar="DIR", help="keep artifacts, ONNX/IREE files and weights here "
                    "(default: a temporary directory, removed at the end)")
    ap.add_argument("--reuse", action="store_true", help="with --keep: use what DIR already holds instead of "
                    "compiling or exporting again")
    ap.add_argument("--timeout", type=float, default=7200, help="seconds any one compile or measurement may take "
                    "(default 7200)")
    ap.add_argument("--csv", default=os.path.join(HERE, "results", "results.csv"),
                    help="default: bench/results/results.csv")
    ap.add_argument("--png", default=os.path.join(HERE, "results", "ratios.png"),
                    help="default: bench/results/ratios.png")
    args = ap.parse_args(argv)
    if min(args.threads, args.iters, args.seq, args.train_batch, args.decode_prompt, args.decode_new) < 1 \
            or args.warmup < 0:
        ap.error("--threads, --iters, --seq, --train-batch and --decode-* must be >= 1, --warmup >= 0")
    if args.reuse and not args.keep:
        ap.error("--reuse needs --keep DIR")
    args.configs = {"gpt2": args.config_gpt2, "bert": args.config_bert}
    for model in args.models:
        path = os.path.join(args.configs[model], "config.json")
        try:
            with open(path) as f:
                config = json.load(f)
        except (OSError, ValueError) as e:
            ap.error("%s: %s" % (path, e))
        positions = config.get("n_positions" if model == "gpt2" else "max_position_embeddings", 512)
        if args.seq > positions:
            ap.error("--seq %d exceeds %s's %d positions" % (args.seq, path, positions))
        if model == "gpt2" and "decode" in args.only and args.decode_prompt + args.decode_new > positions:
            ap.error("--decode-prompt + --decode-new exceed %s's %d positions" % (path, positions))
    args.ptmc, args.ptm_run = ptm_bench.tool_paths(args.ptm_bin, args.ptmc, args.ptm_run)
    missing = ptm_bench.missing_executables(args.ptmc, args.ptm_run)
    if missing and args.only != ["matmul"]:
        ap.error("%s: no such executable (build ptm first, or pass --ptm-bin / --ptmc / --ptm-run)"
                 % ", ".join(missing))
    return args


def main(argv=None):
    args = parse_args(argv)
    tmp = None
    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
        work = args.keep
    else:
        tmp = tempfile.TemporaryDirectory(prefix="ptm-bench-")
        work = tmp.name
    try:
        bench = Bench(args, work)
        rows = collect(bench)
    finally:
        if tmp:
            tmp.cleanup()
    columns = columns_of(rows, args)
    print_table(rows, columns, args)
    for path in (args.csv, args.png):
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    write_csv(rows, columns, args.csv, args)
    progress("wrote %s" % args.csv)
    if write_png(rows, columns, args.png, args):
        progress("wrote %s" % args.png)
    return 1 if bench.failed else 0


if __name__ == "__main__":
    sys.exit(main())
