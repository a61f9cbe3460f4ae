#!/usr/bin/env python3
"""Turns lines of token ids (ptm-run tokenize output) into an inputs file for
ptm-run forward (stdlib only): one row per line, right-padded to LENGTH with
id 0 and attention_mask 0.

    ids_to_inputs.py IDS.txt OUT.safetensors --rows R --length T
"""
import argparse
import struct
import sys

from edit_safetensors import write


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("ids")
    parser.add_argument("output")
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--length", type=int, required=True)
    args = parser.parse_args()
    with open(args.ids) as f:
        lines = [[int(t) for t in line.split()] for line in f][: args.rows]
    if len(lines) < args.rows:
        sys.exit(f"{args.ids}: {len(lines)} lines, need {args.rows}")
    ids, mask = bytearray(), bytearray()
    for line in lines:
        line = line[: args.length]
        padding = args.length - len(line)
        ids += struct.pack(f"<{args.length}q", *(line + [0] * padding))
        mask += struct.pack(f"<{args.length}q", *([1] * len(line) + [0] * padding))
    shape = [args.rows, args.length]
    write(args.output, {"input_ids": {"dtype": "I64", "shape": shape, "bytes": ids},
                        "attention_mask": {"dtype": "I64", "shape": shape, "bytes": mask}})


if __name__ == "__main__":
    main()
