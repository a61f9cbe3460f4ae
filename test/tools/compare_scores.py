#!/usr/bin/env python3
"""Compare the TSV output of ptm-run score / classify --predictions with a reference.

    compare_scores.py EXPECTED ACTUAL [--rtol 1e-4] [--atol 1e-6]

Rows are compared field by field: fields that parse as numbers must agree to
|actual - expected| <= atol + rtol * |expected|, all others (texts, labels,
predictions, shot rows, integer token counts) exactly. Lines of ACTUAL that
start with "# " are not rows; a "# total: N texts, M tokens, log-likelihood
L, perplexity P" line (ptm-run score) must match the sums of EXPECTED's rows
(columns log-likelihood and tokens) within the same tolerance. Prints the
largest relative difference; exits 1 on the first mismatch. Stdlib only.
"""
import argparse
import math
import re
import sys


def read_rows(path):
    with open(path, encoding="utf-8", newline="") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    rows = [line.split("\t") for line in lines if not line.startswith("# ")]
    comments = [line for line in lines if line.startswith("# ")]
    return rows, comments


def as_number(field):
    if not re.fullmatch(r"-?(\d+\.\d*|\d*\.\d+)([eE][-+]?\d+)?|-?nan|-?inf", field):
        return None
    return float(field)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("expected")
    ap.add_argument("actual")
    ap.add_argument("--rtol", type=float, default=1e-4)
    ap.add_argument("--atol", type=float, default=1e-6)
    args = ap.parse_args()
    expected, _ = read_rows(args.expected)
    actual, comments = read_rows(args.actual)
    worst = 0.0

    def check(where, want, got):
        nonlocal worst
        if abs(got - want) > args.atol + args.rtol * abs(want):
            sys.exit(f"{args.actual}: {where}: {got!r} differs from the expected {want!r} "
                     f"(rtol {args.rtol}, atol {args.atol})")
        worst = max(worst, abs(got - want) / max(abs(want), 1e-300))

    if len(actual) != len(expected):
        sys.exit(f"{args.actual}: {len(actual)} rows, expected {len(expected)}")
    for number, (want_row, got_row) in enumerate(zip(expected, actual), 1):
        where = f"row {number}"
        if len(want_row) != len(got_row):
            sys.exit(f"{args.actual}: {where} has {len(got_row)} fields, expected {len(want_row)}")
        for column, (want, got) in enumerate(zip(want_row, got_row), 1):
            want_number, got_number = as_number(want), as_number(got)
            if want_number is not None and got_number is not None:
                check(f"{where}, field {column}", want_number, got_number)
            elif want != got:
                sys.exit(f"{args.actual}: {where}, field {column}: {got!r}, expected {want!r}")

    for comment in comments:
        total = re.fullmatch(r"# total: (\d+) texts?, (\d+) tokens?, log-likelihood (\S+), perplexity (\S+)", comment)
        if not total:
            continue
        texts, tokens = int(total.group(1)), int(total.group(2))
        want_sum = math.fsum(float(row[0]) for row in expected)
        want_tokens = sum(int(row[1]) for row in expected)
        if (texts, tokens) != (len(expected), want_tokens):
            sys.exit(f"{args.actual}: total of {texts} texts and {tokens} tokens, expected {len(expected)} and "
                     f"{want_tokens}")
        check("total log-likelihood", want_sum, float(total.group(3)))
        check("total perplexity", math.exp(-want_sum / want_tokens), float(total.group(4)))
    print(f"{len(expected)} rows match; largest relative difference {worst:.2e}")


if __name__ == "__main__":
    main()
