#!/usr/bin/env python3
"""Check `ptm-run generate --prompts` output against per-prompt texts.

    check_escaped_lines.py OUTPUT.txt EXPECTED-1.bin [EXPECTED-2.bin ...]

Line k of OUTPUT must be the bytes of EXPECTED-k (without its final newline)
with backslashes written as \\\\ and newlines as \\n.
"""
import sys


def escape(data):
    return data.replace(b"\\", b"\\\\").replace(b"\n", b"\\n")


def main():
    output, expected = sys.argv[1], sys.argv[2:]
    with open(output, "rb") as f:
        lines = f.read().split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    if len(lines) != len(expected):
        sys.exit(f"{output}: {len(lines)} lines, expected {len(expected)}")
    for k, (line, path) in enumerate(zip(lines, expected)):
        with open(path, "rb") as f:
            want = f.read()
        if want.endswith(b"\n"):
            want = want[:-1]
        if line != escape(want):
            sys.exit(f"{output}: line {k + 1} is {line!r}, expected {escape(want)!r} (from {path})")
    print(f"{len(lines)} lines as expected")


if __name__ == "__main__":
    main()
