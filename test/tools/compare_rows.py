#!/usr/bin/env python3
"""Compare two text files of rows of space-separated numbers (standard library only).

    compare_rows.py EXPECTED ACTUAL [--atol 1e-5] [--min-cosine C]

The files (embeddings, similarity matrices, one cosine per line as ptm-run
embed prints them) must have the same number of rows and each row the same
number of values. Fails when some |actual - expected| > atol, when a value is
not finite, or with --min-cosine when the cosine between an expected row and
its actual row is below C. Prints one summary line:

    16 rows x 384: max_abs_err=2.1e-07 (row 3) min_cosine=0.99999999 (row 15) (atol=1e-05) ok

Exit status: 0 ok, 1 mismatch, 2 unreadable file or bad usage.
"""

import argparse
import math
import sys


def read_rows(path):
    try:
        with open(path, encoding="utf-8") as f:
            return [[float(field) for field in line.split()] for line in f]
    except (OSError, ValueError) as error:
        print(f"compare_rows.py: {path}: {error}", file=sys.stderr)
        sys.exit(2)


def cosine(a, b):
    dot = sum(x * y for x, y in zip(a, b))
    norms = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norms if norms > 0 else (1.0 if a == b else 0.0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("expected")
    ap.add_argument("actual")
    ap.add_argument("--atol", type=float, default=1e-5)
    ap.add_argument("--min-cosine", type=float)
    args = ap.parse_args()
    expected, actual = read_rows(args.expected), read_rows(args.actual)

    if len(expected) != len(actual):
        print(f"{args.actual}: {len(actual)} rows, expected {len(expected)}")
        return 1
    worst, worst_row = 0.0, 0
    lowest, lowest_row = 1.0, 0
    for row, (e, a) in enumerate(zip(expected, actual), 1):
        if len(e) != len(a):
            print(f"{args.actual}: row {row} has {len(a)} values, expected {len(e)}")
            return 1
        if not all(math.isfinite(x) for x in a):
            print(f"{args.actual}: row {row} holds a value that is not finite")
            return 1
        error = max((abs(x - y) for x, y in zip(e, a)), default=0.0)
        if error > worst:
            worst, worst_row = error, row
        similarity = cosine(e, a)
        if similarity < lowest:
            lowest, lowest_row = similarity, row

    ok = worst <= args.atol and (args.min_cosine is None or lowest >= args.min_cosine)
    width = len(expected[0]) if expected else 0
    line = f"{len(expected)} rows x {width}: max_abs_err={worst:.3g} (row {worst_row})"
    if args.min_cosine is not None:
        line += f" min_cosine={lowest:.12f} (row {lowest_row}) (min {args.min_cosine})"
    print(f"{line} (atol={args.atol:g}) {'ok' if ok else 'FAILED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
