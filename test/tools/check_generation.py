#!/usr/bin/env python3
"""Compare `ptm-run generate --print-ids` output with generate-greedy.json.

    check_generation.py FIXTURE.json MODEL OUTPUT.txt [--prompts I,J,...] [--tokens N]

Line k of OUTPUT holds the new token ids of the k-th prompt given (by default
the fixture's prompts in order). Each must equal the first N tokens of the
reference continuation (all of it without --tokens); a run that stopped at
eos_token_id must stop where the reference stopped. Prints the number of
tokens compared; exits 1 on the first difference.
"""
import argparse
import json
import sys


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("fixture")
    parser.add_argument("model")
    parser.add_argument("output")
    parser.add_argument("--prompts", default=None)
    parser.add_argument("--tokens", type=int, default=None)
    args = parser.parse_args()
    with open(args.fixture) as f:
        cases = json.load(f)["models"][args.model]
    indices = [int(i) for i in args.prompts.split(",")] if args.prompts else list(range(len(cases)))
    with open(args.output) as f:
        lines = [line.split() for line in f.read().splitlines()]
    if len(lines) != len(indices):
        sys.exit(f"{args.output}: {len(lines)} lines, expected {len(indices)}")
    compared = 0
    for line, index in zip(lines, indices):
        expected = cases[index]["new_tokens"]
        if args.tokens is not None:
            expected = expected[:args.tokens]
        got = [int(token) for token in line]
        for step, (a, b) in enumerate(zip(got, expected)):
            if a != b:
                sys.exit(f"prompt {cases[index]['prompt']}: step {step} gives {a}, reference {b}")
        if len(got) != len(expected):
            sys.exit(f"prompt {cases[index]['prompt']}: {len(got)} new tokens, reference {len(expected)}")
        compared += len(got)
    print(f"{compared} tokens identical over {len(indices)} prompts")


if __name__ == "__main__":
    main()
