#!/usr/bin/env python3
"""Kills a pretraining run (SIGKILL) once its log has passed step
--kill-after, that is between two checkpoints, resumes it from its newest
checkpoint, and checks that the resumed run's log equals an uninterrupted
run's (stdlib only).

  kill_and_resume.py --ptm-run PTM_RUN --work DIR --kill-after N -- PRETRAIN_ARGS...

PRETRAIN_ARGS are the arguments after `ptm-run pretrain` (artifact, --data,
--steps, ...) without --out, --log and --resume, which this script adds.
"""
import argparse
import csv
import os
import signal
import subprocess
import sys
import time


# Columns that measure time, not the run's course.
TIMING = ("tokens_per_second", "elapsed_seconds")


def losses(path):
    """Every row of the log without its timing columns: step, epoch, lr,
    losses and whatever validation measurements the objective adds."""
    with open(path, newline="") as f:
        return [tuple((k, v) for k, v in r.items() if k not in TIMING) for r in csv.DictReader(f)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ptm-run", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--kill-after", type=int, required=True)
    parser.add_argument("pretrain", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    pretrain = [a for a in args.pretrain if a != "--"]
    os.makedirs(args.work, exist_ok=True)
    base = [args.ptm_run, "pretrain"] + pretrain + ["--sample-tokens", "0"]

    whole_log = os.path.join(args.work, "whole.csv")
    subprocess.run(base + ["--log", whole_log], check=True, stdout=subprocess.DEVNULL)

    out = os.path.join(args.work, "checkpoints")
    killed_log = os.path.join(args.work, "killed.csv")
    run = subprocess.Popen(base + ["--log", killed_log, "--out", out], stdout=subprocess.DEVNULL)
    deadline = time.time() + 300
    while time.time() < deadline and run.poll() is None:
        if os.path.exists(killed_log) and len(losses(killed_log)) > args.kill_after + 1:
            break
        time.sleep(0.001)
    if run.poll() is not None:
        sys.exit("FAIL: the run ended before it could be killed (make it longer)")
    run.send_signal(signal.SIGKILL)
    run.wait()
    done = len(losses(killed_log)) - 1
    kept = sorted(n for n in os.listdir(out) if n.startswith("checkpoint-") and "." not in n)
    print(f"killed after {done} logged steps; checkpoints: {', '.join(kept)}")

    subprocess.run(base + ["--log", killed_log, "--out", out, "--resume", out], check=True,
                   stdout=subprocess.DEVNULL)
    whole, resumed = losses(whole_log), losses(killed_log)
    if whole != resumed:
        for a, b in zip(whole, resumed):
            if a != b:
                sys.exit(f"FAIL: resumed run differs at step {a[0][1]}: {a} vs {b}")
        sys.exit(f"FAIL: {len(whole)} rows uninterrupted, {len(resumed)} resumed")
    print(f"resumed run matches the uninterrupted one at all {len(whole)} steps")
    print("ok")


if __name__ == "__main__":
    main()
