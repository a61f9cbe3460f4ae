#!/usr/bin/env python3
"""Checks a training log written by `ptm-run pretrain --log` (stdlib only).

  check_training_log.py LOG.csv --min-drop D [--below X]
      the last validation loss is at least D below the first one (and below X)
  check_training_log.py LOG.csv --same-losses OTHER.csv
      both logs hold the same steps with bit-identical train and validation
      losses and learning rates (what an exact resume must give)
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
    parser.add_argument("--min-drop", type=float)
    parser.add_argument("--below", type=float)
    parser.add_argument("--same-losses")
    args = parser.parse_args()
    rows = read_log(args.log)

    if args.min_drop is not None:
        validation = [(int(r["step"]), float(r["val_loss"])) for r in rows if r["val_loss"]]
        if len(validation) < 2:
            sys.exit(f"FAIL: {args.log} has fewer than two validation losses")
        (first_step, first), (last_step, last) = validation[0], validation[-1]
        print(f"val loss {first:.4f} at step {first_step} -> {last:.4f} at step {last_step}")
        if first - last < args.min_drop:
            sys.exit(f"FAIL: validation loss fell by {first - last:.4f}, less than {args.min_drop}")
        if args.below is not None and last >= args.below:
            sys.exit(f"FAIL: final validation loss {last:.4f} is not below {args.below}")

    if args.same_losses:
        other = read_log(args.same_losses)
        columns = ("step", "epoch", "lr", "train_loss", "val_loss")
        mine = [tuple(r[c] for c in columns) for r in rows]
        theirs = [tuple(r[c] for c in columns) for r in other]
        if mine != theirs:
            for a, b in zip(mine, theirs):
                if a != b:
                    sys.exit(f"FAIL: logs differ: {a} vs {b}")
            sys.exit(f"FAIL: logs have {len(mine)} and {len(theirs)} rows")
        print(f"same losses at all {len(mine)} logged steps")
    print("ok")


if __name__ == "__main__":
    main()
