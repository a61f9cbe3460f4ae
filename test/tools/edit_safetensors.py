#!/usr/bin/env python3
"""Write a modified copy of a safetensors file (standard library only), to
make well-formed but wrong inputs for the bad-input tests.

    edit_safetensors.py IN OUT [--drop NAME] [--shrink NAME] [--retype NAME DTYPE]
                               [--set NAME INDEX VALUE]

--drop NAME           remove the tensor
--shrink NAME         keep the first half of dimension 0 (a valid tensor of the wrong shape)
--retype NAME DTYPE   relabel the bytes with another dtype of the same item size
                      (F32<->I32, F64<->I64)
--set NAME INDEX VALUE  set element INDEX (flat) of an integer tensor
--to-float NAME       convert an integer tensor to F32 values
--fill-float NAME VALUE  set every element of an F32 tensor to VALUE
"""

import argparse
import json
import struct

_ITEM = {"F32": 4, "I32": 4, "F64": 8, "I64": 8, "F16": 2, "BF16": 2, "U8": 1, "I8": 1, "BOOL": 1}
_PACK = {"I64": "<q", "I32": "<i"}


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    body = data[8 + length:]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        tensors[name] = {"dtype": info["dtype"], "shape": info["shape"], "bytes": bytearray(body[begin:end])}
    return tensors


def write(path, tensors):
    header, body = {}, bytearray()
    for name in sorted(tensors):
        t = tensors[name]
        header[name] = {"dtype": t["dtype"], "shape": t["shape"],
                        "data_offsets": [len(body), len(body) + len(t["bytes"])]}
        body += t["bytes"]
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + body)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--drop", action="append", default=[])
    parser.add_argument("--shrink", action="append", default=[])
    parser.add_argument("--retype", nargs=2, action="append", default=[])
    parser.add_argument("--set", nargs=3, action="append", default=[])
    parser.add_argument("--to-float", action="append", default=[])
    parser.add_argument("--fill-float", nargs=2, action="append", default=[])
    args = parser.parse_args()
    tensors = read(args.input)
    for name in args.drop:
        del tensors[name]
    for name in args.shrink:
        t = tensors[name]
        rows = t["shape"][0] // 2
        row_bytes = len(t["bytes"]) // t["shape"][0]
        t["shape"] = [rows] + t["shape"][1:]
        t["bytes"] = t["bytes"][:rows * row_bytes]
    for name, dtype in args.retype:
        if _ITEM[dtype] != _ITEM[tensors[name]["dtype"]]:
            parser.error(f"{dtype} has another item size than {tensors[name]['dtype']}")
        tensors[name]["dtype"] = dtype
    for name, index, value in args.set:
        t = tensors[name]
        fmt = _PACK[t["dtype"]]
        size = struct.calcsize(fmt)
        struct.pack_into(fmt, t["bytes"], int(index) * size, int(value))
    for name in args.to_float:
        t = tensors[name]
        fmt = _PACK[t["dtype"]]
        size = struct.calcsize(fmt)
        values = [struct.unpack_from(fmt, t["bytes"], i * size)[0] for i in range(len(t["bytes"]) // size)]
        t["dtype"] = "F32"
        t["bytes"] = bytearray(struct.pack("<%df" % len(values), *values))
    for name, value in args.fill_float:
        t = tensors[name]
        count = len(t["bytes"]) // 4
        t["bytes"] = bytearray(struct.pack("<%df" % count, *([float(value)] * count)))
    write(args.output, tensors)


if __name__ == "__main__":
    main()
