#!/usr/bin/env python3
"""Checks a training log written by `ptm-run pretrain --log` (stdlib only).

  check_training_log.py LOG.csv --min-drop D [--final-at-least COLUMN=VALUE ...]
      the last validation loss is at least D below the first one, and each
      named column's last value (of a validation row) is at least VALUE

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
    parser.add_argument("--final-at-least", action="append", default=[], metavar="COLUMN=VALUE")
    args = parser.parse_args()
    rows = read_log(args.log)

    validation = [(int(r["step"]), float(r["val_loss"])) for r in rows if r["val_loss"]]
    if len(validation) < 2:
        sys.exit(f"FAIL: {args.log} has fewer than two validation losses")
    (first_step, first), (last_step, last) = validation[0], validation[-1]
    print(f"val loss {first:.4f} at step {first_step} -> {last:.4f} at step {last_step}")
    if first - last < args.min_drop:
        sys.exit(f"FAIL: validation loss fell by {first - last:.4f}, less than {args.min_drop}")
    for bound in args.final_at_least:
        column, _, value = bound.partition("=")
        if column not in rows[0]:
            sys.exit(f"FAIL: {args.log} has no column {column}")
        measured = [float(r[column]) for r in rows if r[column]]
        if not measured:
            sys.exit(f"FAIL: {args.log} has no value of {column}")
        print(f"{column} {measured[0]:.4f} -> {measured[-1]:.4f} (at least {float(value):g})")
        if measured[-1] < float(value):
            sys.exit(f"FAIL: the last {column} is {measured[-1]:.4f}, below {value}")
    print("ok")


if __name__ == "__main__":
    main()
