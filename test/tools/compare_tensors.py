#!/usr/bin/env python3
"""Compare the tensors of two safetensors files (standard library only).

    compare_tensors.py EXPECTED ACTUAL [--atol 1e-4] [--rtol 0] [--rel-l2 TOL]
                       [--only NAME ...] [--exclude SUFFIX ...]

Every tensor of EXPECTED must exist in ACTUAL with the same shape; extra
tensors in ACTUAL are ignored. One line per tensor:

    logits: max_abs_err=1.2e-06 max_rel_err=3.4e-07 (atol=0.0001) ok

An element fails when |actual - expected| > atol + rtol * |expected| (rtol is 0
by default, so the check is absolute). max_rel_err is max |a-e| / max(|e|, 1e-30)
and is informational unless --rtol is given. NaN or inf in ACTUAL where EXPECTED
is finite fails. With --rel-l2, a float tensor must also have
||actual - expected||_2 / ||expected||_2 <= TOL (printed as rel_l2=...). Dtypes: F32, F64, I64, I32 (integers compare by value; the
dtypes of the two files may differ, e.g. I32 vs I64). Exit status: 0 all ok,
1 some tensor failed / missing / misshaped, 2 unreadable file or bad usage.
"""

import argparse
import array
import functools
import json
import math
import operator
import struct
import sys

# safetensors dtype -> (array typecode, item size)
_DTYPES = {"F32": ("f", 4), "F64": ("d", 8), "I64": ("q", 8), "I32": ("i", 4)}


class FormatError(Exception):
    pass


def _typecode(code, size):
    if array.array(code).itemsize == size:
        return code
    for alt in ("l", "q", "i") if code in "qi" else ():
        if array.array(alt).itemsize == size:
            return alt
    raise FormatError("no %d-byte array type for %r on this platform" % (size, code))


def read_safetensors(path):
    """Return {name: (dtype, shape, array)} for every tensor in `path`."""
    try:
        with open(path, "rb") as f:
            blob = f.read()
    except OSError as e:
        raise FormatError("%s: cannot read: %s" % (path, e.strerror))
    if len(blob) < 8:
        raise FormatError("%s: truncated (no header length)" % path)
    (n,) = struct.unpack("<Q", blob[:8])
    if n > len(blob) - 8:
        raise FormatError("%s: header length %d exceeds file size %d" % (path, n, len(blob)))
    try:
        header = json.loads(blob[8:8 + n].decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise FormatError("%s: header is not valid JSON: %s" % (path, e))
    if not isinstance(header, dict):
        raise FormatError("%s: header is not a JSON object" % path)
    data = memoryview(blob)[8 + n:]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        try:
            dtype, shape, (begin, end) = info["dtype"], info["shape"], info["data_offsets"]
        except (KeyError, TypeError, ValueError):
            raise FormatError("%s: tensor %r: malformed header entry" % (path, name))
        if dtype not in _DTYPES:
            raise FormatError("%s: tensor %r: unsupported dtype %s" % (path, name, dtype))
        code, size = _DTYPES[dtype]
        count = 1
        for d in shape:
            count *= d
        if not (0 <= begin <= end <= len(data)) or end - begin != count * size:
            raise FormatError("%s: tensor %r: data_offsets [%d, %d] do not match shape %s %s "
                              "(data section is %d bytes)" % (path, name, begin, end, shape, dtype, len(data)))
        arr = array.array(_typecode(code, size))
        arr.frombytes(data[begin:end])
        if sys.byteorder == "big":
            arr.byteswap()
        out[name] = (dtype, list(shape), arr)
    return out


def compare(name, exp, act, atol, rtol, rel_l2=None):
    """Return (ok, line)."""
    edt, eshape, e = exp
    adt, ashape, a = act
    if eshape != ashape:
        return False, "%s: shape mismatch: expected %s %s, actual %s %s" % (name, edt, eshape, adt, ashape)
    if len(e) == 0:
        return True, "%s: empty ok" % name
    e_float = edt.startswith("F")
    a_float = adt.startswith("F")
    if e_float != a_float:
        return False, "%s: dtype mismatch: expected %s, actual %s" % (name, edt, adt)
    if e_float:
        e_bad = not all(map(math.isfinite, e))
        a_bad = not all(map(math.isfinite, a))
        if a_bad or e_bad:
            # rare: compare element by element, non-finite values must match exactly
            for i, (x, y) in enumerate(zip(e, a)):
                if math.isfinite(x) and math.isfinite(y):
                    continue
                if not (x == y or (x != x and y != y)):  # non-finite must match exactly (NaN == NaN here)
                    return False, "%s: non-finite mismatch at flat index %d: expected %r, actual %r" % (name, i, x, y)
            pairs = [(x, y) for x, y in zip(e, a) if math.isfinite(x)]
            if not pairs:
                return True, "%s: all non-finite, equal ok" % name
            e = array.array("d", (x for x, _ in pairs))
            a = array.array("d", (y for _, y in pairs))
    diff = list(map(abs, map(operator.sub, a, e)))
    abs_e = list(map(abs, e))
    max_abs = max(diff)
    max_rel = max(map(operator.truediv, diff, map(functools.partial(max, 1e-30), abs_e)))
    if rtol:
        excess = list(map(operator.sub, diff, map(functools.partial(operator.mul, rtol), abs_e)))
        max_excess = max(excess)
        ok = max_excess <= atol
        worst = excess.index(max_excess)
        tol = "atol=%g rtol=%g" % (atol, rtol)
    else:
        ok = max_abs <= atol
        worst = diff.index(max_abs)
        tol = "atol=%g" % atol
    if rel_l2 is not None:
        norm = math.sqrt(math.fsum(x * x for x in e))
        error_norm = math.sqrt(math.fsum(d * d for d in diff))
        relative = error_norm / norm if norm > 0 else (0.0 if error_norm == 0 else math.inf)
        ok = ok and relative <= rel_l2
        tol += " rel_l2=%.3g<=%g" % (relative, rel_l2)
    line = "%s: max_abs_err=%.3g max_rel_err=%.3g (%s) %s" % (name, max_abs, max_rel, tol, "ok" if ok else "FAIL")
    if not ok:
        idx, rest = [], worst
        for d in reversed(eshape):
            idx.append(rest % d)
            rest //= d
        line += " worst at %s: expected %r actual %r" % (list(reversed(idx)), e[worst], a[worst])
    return ok, line


def main(argv=None):
    ap = argparse.ArgumentParser(description="Compare two safetensors files tensor by tensor.")
    ap.add_argument("expected")
    ap.add_argument("actual")
    ap.add_argument("--atol", type=float, default=1e-4)
    ap.add_argument("--rtol", type=float, default=0.0)
    ap.add_argument("--rel-l2", type=float, default=None, metavar="TOL",
                    help="also require a relative L2 error of at most TOL per float tensor")
    ap.add_argument("--only", action="append", metavar="NAME", help="compare only this tensor (repeatable)")
    ap.add_argument("--exclude", action="append", default=[], metavar="SUFFIX",
                    help="skip tensors whose name ends with SUFFIX (repeatable)")
    args = ap.parse_args(argv)
    try:
        exp = read_safetensors(args.expected)
        act = read_safetensors(args.actual)
    except FormatError as e:
        print("error: %s" % e, file=sys.stderr)
        return 2
    names = [n for n in (args.only or sorted(exp)) if not any(n.endswith(x) for x in args.exclude)]
    if not names:
        print("error: %s: no tensors" % args.expected, file=sys.stderr)
        return 2
    all_ok = True
    for name in names:
        if name not in exp:
            print("%s: missing from expected file %s" % (name, args.expected))
            all_ok = False
        elif name not in act:
            print("%s: missing from actual file %s" % (name, args.actual))
            all_ok = False
        else:
            ok, line = compare(name, exp[name], act[name], args.atol, args.rtol, args.rel_l2)
            print(line)
            all_ok = all_ok and ok
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
