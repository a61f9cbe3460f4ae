"""Helpers shared by the bench/ scripts: locating ptmc and ptm-run, compiling
an artifact, running `ptm-run bench` and reading its line

    bench entry=NAME iters=N threads=K median_ms=X min_ms=Y

running a command while recording its peak memory, timing a Python callable
the same way as ptm-run bench (warm-up calls, then the median and min of the
timed calls), and progress lines on stderr.
"""

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

BENCH_LINE = re.compile(r"^bench entry=(\S+) iters=(\d+)(?: \S+=\S+)*? median_ms=([0-9.eE+-]+) min_ms=([0-9.eE+-]+)")


def tool_paths(ptm_bin, ptmc=None, ptm_run=None):
    """(ptmc, ptm-run) under PTM_BIN (its ptmc/ptmc and ptm-run/ptm-run) unless given explicitly."""
    return (ptmc or os.path.join(ptm_bin, "ptmc", "ptmc"),
            ptm_run or os.path.join(ptm_bin, "ptm-run", "ptm-run"))


def missing_executables(*paths):
    return [p for p in paths if not (os.path.isfile(p) and os.access(p, os.X_OK))]


class ToolRun:
    """What run_measured saw of one command."""

    def __init__(self, returncode, stdout, stderr, seconds, peak_mib, timed_out):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr
        self.seconds, self.peak_mib, self.timed_out = seconds, peak_mib, timed_out

    def failure_tail(self, lines=5):
        if self.timed_out:
            return "killed after %.0f s (timeout)" % self.seconds
        return " | ".join((self.stderr or self.stdout).strip().splitlines()[-lines:])


def run_measured(cmd, timeout=None, env=None):
    """Run cmd to its end and return a ToolRun with its peak resident memory (the max RSS of the process).

    The process is reaped with os.wait4, whose resource usage is that one
    process's, unlike RUSAGE_CHILDREN (the maximum over every child so far).
    Its output goes to temporary files so that no pipe can fill up. A command
    still running after TIMEOUT seconds is killed (returncode -9)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t0 = time.perf_counter()
        try:
            p = subprocess.Popen(cmd, stdout=out, stderr=err, text=True, env=env)
        except OSError as e:
            raise RuntimeError("%s: %s" % (cmd[0], e.strerror))
        timed_out = False
        while True:
            pid, status, usage = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if timeout is not None and not timed_out and time.perf_counter() - t0 > timeout:
                p.kill()
                timed_out = True
            time.sleep(0.05)
        p.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - t0
        out.seek(0)
        err.seek(0)
        # ru_maxrss is in KiB on Linux.
        return ToolRun(p.returncode, out.read(), err.read(), seconds, usage.ru_maxrss / 1024.0, timed_out)


def run_tool(cmd, verbose=False, timeout=None):
    """Run cmd capturing its output; return (stdout, seconds) or raise RuntimeError with a clear message."""
    run = run_measured(cmd, timeout)
    if verbose:
        print("  $ %s  (%.1fs)" % (" ".join(cmd), run.seconds), file=sys.stderr)
    if run.returncode != 0:
        raise RuntimeError("%s exited %d: %s" % (os.path.basename(cmd[0]), run.returncode, run.failure_tail()))
    return run.stdout, run.seconds


def compile_artifact(ptmc, model_dir, artifact, batch, seq, extra=(), verbose=False, timeout=None):
    """`ptmc MODEL_DIR -o ARTIFACT --batch B --seq T EXTRA...`; return its wall time in seconds."""
    cmd = [ptmc, model_dir, "-o", artifact, "--batch", str(batch), "--seq", str(seq)] + list(extra)
    return run_tool(cmd, verbose, timeout)[1]


def parse_bench_line(stdout):
    """(median_ms, min_ms) from ptm-run bench's output, or raise RuntimeError."""
    for line in stdout.splitlines():
        m = BENCH_LINE.match(line.strip())
        if m:
            return float(m.group(3)), float(m.group(4))
    raise RuntimeError("ptm-run bench printed no 'bench entry=... median_ms=... min_ms=...' line; stdout was: %r"
                       % stdout[-500:])


def bench_command(ptm_run, artifact, iters, threads, entry=None, warmup=None):
    """The `ptm-run bench` command line of one entry (its defaults for entry/warmup when None)."""
    cmd = [ptm_run, "bench", artifact]
    if entry is not None:
        cmd += ["--entry", entry]
    cmd += ["--iters", str(iters)]
    if warmup is not None:
        cmd += ["--warmup", str(warmup)]
    return cmd + ["--threads", str(threads)]


def bench_entry(ptm_run, artifact, iters, threads, entry=None, warmup=None, verbose=False):
    """`ptm-run bench` of one entry (its defaults for entry/warmup when None); return (median_ms, min_ms)."""
    cmd = bench_command(ptm_run, artifact, iters, threads, entry, warmup)
    return parse_bench_line(run_tool(cmd, verbose)[0])


def ptmc_adamw(torch, model):
    """torch.optim.AdamW set up as ptmc's train_step: lr 1e-4, betas 0.9/0.95,
    eps 1e-8, weight decay 0.1 on matrices only (not biases or LayerNorm weights)."""
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    return torch.optim.AdamW([{"params": decay, "weight_decay": 0.1},
                              {"params": no_decay, "weight_decay": 0.0}],
                             lr=1e-4, betas=(0.9, 0.95), eps=1e-8)


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


_START = time.perf_counter()


def progress(message):
    """One line on stderr, prefixed by the seconds since this process started."""
    print("[%7.1fs] %s" % (time.perf_counter() - _START, message), file=sys.stderr, flush=True)
