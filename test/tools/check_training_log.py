#!/usr/bin/env python3
"""Checks a training log written by `ptm-run pretrain --log` (stdlib only).

  check_training_log.py LOG.csv --min-drop D
      the last validation loss is at least D below the first one

(kill_and_resume.py compares two logs step for step.)
"""
import argparse
import csv
import sys


def read_log(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        sys.exit(f"FAIL: {path} has no rows")
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("log")
    parser.add_argument("--min-drop", type=float, required=True)
    args = parser.parse_args()
    rows = read_log(args.log)

    validation = [(int(r["step"]), float(r["val_loss"])) for r in rows if r["val_loss"]]
    if len(validation) < 2:
        sys.exit(f"FAIL: {args.log} has fewer than two validation losses")
    (first_step, first), (last_step, last) = validation[0], validation[-1]
    print(f"val loss {first:.4f} at step {first_step} -> {last:.4f} at step {last_step}")
    if first - last < args.min_drop:
        sys.exit(f"FAIL: validation loss fell by {first - last:.4f}, less than {args.min_drop}")
    print("ok")


if __name__ == "__main__":
    main()
