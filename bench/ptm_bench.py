"""Helpers shared by the bench/ scripts: locating ptmc and ptm-run, compiling
an artifact, running `ptm-run bench` and reading its line

    bench entry=NAME iters=N threads=K median_ms=X min_ms=Y

and timing a Python callable the same way (warm-up calls, then the median
and min of the timed calls).
"""

import os
import re
import statistics
import subprocess
import sys
import time

BENCH_LINE = re.compile(r"^bench entry=(\S+) iters=(\d+)(?: \S+=\S+)*? median_ms=([0-9.eE+-]+) min_ms=([0-9.eE+-]+)")


def tool_paths(ptm_bin, ptmc=None, ptm_run=None):
    """(ptmc, ptm-run) under PTM_BIN (its ptmc/ptmc and ptm-run/ptm-run) unless given explicitly."""
    return (ptmc or os.path.join(ptm_bin, "ptmc", "ptmc"),
            ptm_run or os.path.join(ptm_bin, "ptm-run", "ptm-run"))


def missing_executables(*paths):
    return [p for p in paths if not (os.path.isfile(p) and os.access(p, os.X_OK))]


def run_tool(cmd, verbose=False):
    """Run cmd capturing its output; return (stdout, seconds) or raise RuntimeError with a clear message."""
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True)
    except OSError as e:
        raise RuntimeError("%s: %s" % (cmd[0], e.strerror))
    seconds = time.perf_counter() - t0
    if verbose:
        print("  $ %s  (%.1fs)" % (" ".join(cmd), seconds), file=sys.stderr)
    if p.returncode != 0:
        tail = (p.stderr or p.stdout).strip().splitlines()[-5:]
        raise RuntimeError("%s exited %d: %s" % (os.path.basename(cmd[0]), p.returncode, " | ".join(tail)))
    return p.stdout, seconds


def compile_artifact(ptmc, model_dir, artifact, batch, seq, extra=(), verbose=False):
    """`ptmc MODEL_DIR -o ARTIFACT --batch B --seq T EXTRA...`; return its wall time in seconds."""
    cmd = [ptmc, model_dir, "-o", artifact, "--batch", str(batch), "--seq", str(seq)] + list(extra)
    return run_tool(cmd, verbose)[1]


def parse_bench_line(stdout):
    """(median_ms, min_ms) from ptm-run bench's output, or raise RuntimeError."""
    for line in stdout.splitlines():
        m = BENCH_LINE.match(line.strip())
        if m:
            return float(m.group(3)), float(m.group(4))
    raise RuntimeError("ptm-run bench printed no 'bench entry=... median_ms=... min_ms=...' line; stdout was: %r"
                       % stdout[-500:])


def bench_entry(ptm_run, artifact, iters, threads, entry=None, warmup=None, verbose=False):
    """`ptm-run bench` of one entry (its defaults for entry/warmup when None); return (median_ms, min_ms)."""
    cmd = [ptm_run, "bench", artifact]
    if entry is not None:
        cmd += ["--entry", entry]
    cmd += ["--iters", str(iters)]
    if warmup is not None:
        cmd += ["--warmup", str(warmup)]
    cmd += ["--threads", str(threads)]
    return parse_bench_line(run_tool(cmd, verbose)[0])


def time_calls(fn, iters, warmup):
    """Call fn() warmup times untimed, then iters times timed; return (median_ms, min_ms)."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(iters):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times), min(times)
