"""Speed of reading items of any format, as ratios measured in one run.

  python3 bench/bench_formats.py [--bin BUILD/bench/bench_field] [--quick]

Python (best of several interleaved timings, n items):
  - tolist() of '<i' and '>i' against memview's own 'i' (targets 1.1x, 1.5x);
  - tolist() of a 3-field record format against
    list(struct.iter_unpack(fmt, buf)) and NumPy's tolist() of the same
    structured array (target: at most 1.0x of each);
  - the Python type against the builtin on a native format (target 1.1x).
C (instructions counted by valgrind's callgrind, exact): a read of one
field of one record with mv_view_get_field() against a raw pointer read (target
3x), in host and in swapped byte order.
"""

import argparse
import os
import shutil
import struct
import sys
import timeit

import numpy as np

import memview
from bench_c import callgrind_per_step

OURS = memview.memoryview
BUILTIN = memoryview


def best(fns, number, repeat):
    """Best time per call of each fn, the fns interleaved."""
    times = [float("inf")] * len(fns)
    for _ in range(repeat):
        for k, fn in enumerate(fns):
            t = timeit.timeit(fn, number=number) / number
            times[k] = min(times[k], t)
    return times


def python_part(n, repeat):
    ints = np.arange(n, dtype="<i4")
    native = OURS(ints.tobytes()).cast("i")
    # by cast: NumPy exports '<i4' as 'i' on a little-endian machine
    little = OURS(ints.astype("<i4").tobytes()).cast("<i")
    big = OURS(ints.astype(">i4").tobytes()).cast(">i")
    builtin = BUILTIN(ints.tobytes()).cast("i")
    fmt = "<IfH"
    dt = np.dtype([("a", "<u4"), ("b", "<f4"), ("c", "<u2")])
    rec = np.zeros(n, dtype=dt)
    rec["a"] = np.arange(n)
    rec["b"] = np.arange(n) / 4
    rec["c"] = np.arange(n) % 65536
    raw = rec.tobytes()
    recview = OURS(rec)
    castview = OURS(raw).cast(fmt)
    t = best([native.tolist, little.tolist, big.tolist, builtin.tolist,
              recview.tolist, castview.tolist,
              lambda: list(struct.iter_unpack(fmt, raw)), rec.tolist],
             number=3, repeat=repeat)
    (t_i, t_lt, t_gt, t_builtin, t_rec, t_cast, t_struct, t_np) = t
    per = 1e9 / n
    rows = [
        ("memview 'i' tolist (baseline)", t_i, t_i),
        ("memview '<i' tolist", t_lt, t_i),
        ("memview '>i' tolist", t_gt, t_i),
        ("builtin 'i' tolist", t_builtin, t_i),
        ("memview T{<I:a:<f:b:<H:c:} tolist", t_rec, t_struct),
        ("memview '<IfH' (cast) tolist", t_cast, t_struct),
        ("list(struct.iter_unpack('<IfH'))", t_struct, t_struct),
        ("NumPy structured tolist()", t_np, t_struct),
    ]
    print(f"Python, n = {n:,} items, best of {repeat} interleaved runs")
    print(f"{'':44} {'ns/item':>9} {'ratio':>8}")
    for name, secs, base in rows:
        print(f"{name:44} {secs * per:9.1f} {secs / base:7.2f}x")
    res = {
        "'<i' / 'i'": (t_lt / t_i, 1.1),
        "'>i' / 'i'": (t_gt / t_i, 1.5),
        "record / struct.iter_unpack": (t_rec / t_struct, 1.0),
        "record / NumPy tolist": (t_rec / t_np, 1.0),
        "memview 'i' / builtin 'i'": (t_i / t_builtin, 1.1),
    }
    return res


def c_part(path, n):
    counts = {k: callgrind_per_step(path, k, n)
              for k in ("field", "raw", "fieldbe", "rawbe")}
    print(f"C, one field of one record (T{{<I:id:<f:x:}}), n = {n:,}: "
          "instructions per read (valgrind callgrind, exact)")
    for k, v in counts.items():
        print(f"  {k:8} {v:7.2f}")
    return {
        "mv_view_get_field / raw read": (counts["field"] / counts["raw"], 3.0),
        "mv_view_get_field / raw read, swapped":
            (counts["fieldbe"] / counts["rawbe"], 3.0),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin")
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    n = 20000 if args.quick else 200000
    res = python_part(n, 3 if args.quick else 7)
    path = args.bin or os.path.join(
        os.environ.get("MEMVIEW_BUILD", "build"), "bench", "bench_field")
    print()
    if shutil.which("valgrind") and os.path.exists(path):
        res.update(c_part(path, 100000))
    else:
        print(f"C part skipped (valgrind or {path} missing)")
    print()
    for name, (ratio, target) in res.items():
        ok = "PASS" if ratio <= target else "MISS"
        print(f"target: {name} <= {target:.1f}x: {ratio:.2f}x {ok}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
