"""memview.memoryview against the builtin memoryview, in one process.

Each operation is timed with timeit, the implementations taking turns
(ours, builtin, NumPy, ours, builtin, NumPy, ...) so that a slow moment of
a shared machine hurts all alike; the best of the repeats is kept. Printed:
ns per operation and the ratio ours/builtin (target: 1.1 or less).

    PYTHONPATH=build/python python3 bench/bench_py.py [--repeat R] [--quick]

Operations:
  seed      the article's loop, while b: b = b[1:], at n = 500,000 (per slice)
  index     for i in range(n): m[i] over 1,000,000 items, formats B, i, d
            (per item)
  iter      for x in m over 1,000,000 items of format B (per item)
  tolist, tobytes, hex, ==   over 1 MiB (per call): contiguous, strided
            1-D (m[::2]) and strided 2-D (every other row of a 1024 x 1024
            array)
NumPy's equivalents are shown where they are the same work.

Then the reductions (skip them with --no-reduce): m.sum() over a 512 MiB
file mapped with memview.map (--reduce-mib), cast to d and to <i, against
NumPy's a.sum() on a numpy.memmap of the same file, both in the page cache,
taking turns; and the same sum split between two threads (each summing a
half) against one thread, which shows the GIL released during the scan.
"""

import argparse
import array
import gc
import os
import random
import sys
import tempfile
import threading
import time
import timeit

try:
    import numpy as np
except ImportError:  # NumPy's column stays empty
    np = None

try:
    import memview
except ImportError as e:
    sys.exit(f"bench_py: cannot import memview ({e}); build it and run with "
             "PYTHONPATH=build/python")

OURS = memview.memoryview
TARGET = 1.1
MIB = 1 << 20
N_INDEX = 1_000_000
N_SEED = 500_000


def seed_loop(m):
    b = m
    while b:
        b = b[1:]


def index_loop(m, r=range(N_INDEX)):
    for i in r:
        m[i]


def iter_loop(m):
    for x in m:
        pass


class Case:
    """One operation: a function of one argument, the objects to call it on
    (ours, builtin, NumPy's or None) and how many steps one call makes."""

    def __init__(self, group, name, fn, ours, builtin, numpy=None, steps=1,
                 unit="call"):
        self.group, self.name, self.fn = group, name, fn
        self.args = {"ours": ours, "builtin": builtin, "numpy": numpy}
        self.steps, self.unit = steps, unit


def build_cases(quick):
    rnd = random.Random(2026)
    raw = rnd.randbytes(MIB)
    raw_copy = bytes(bytearray(raw))  # equal content, other memory
    cases = []

    seed_data = b"x" * N_SEED
    cases.append(Case("seed, n = 500,000", "while b: b = b[1:]", seed_loop,
                      lambda: OURS(seed_data), lambda: memoryview(seed_data),
                      steps=N_SEED, unit="slice"))

    sources = {
        "B": array.array("B", raw[:N_INDEX]),
        "i": array.array("i", (rnd.randrange(-2**31, 2**31)
                               for _ in range(N_INDEX))),
        "d": array.array("d", (rnd.random() for _ in range(N_INDEX))),
    }
    for fmt, src in sources.items():
        cases.append(Case("index, 1,000,000 items", f"m[i], format {fmt}",
                          index_loop, lambda s=src: OURS(s),
                          lambda s=src: memoryview(s),
                          steps=N_INDEX, unit="item"))
    bsrc = sources["B"]
    cases.append(Case("iter, 1,000,000 items", "for x in m, format B",
                      iter_loop, lambda: OURS(bsrc),
                      lambda: memoryview(bsrc),
                      steps=N_INDEX, unit="item"))

    # doubles from random bytes would hold NaNs, which end == early
    rawd = array.array("d", (rnd.random() for _ in range(MIB // 8))).tobytes()
    rawd_copy = bytes(bytearray(rawd))
    if np is None:  # a 2-D exporter of the same layout, without NumPy
        grid = memoryview(raw).cast("B", (1024, 1024))
        grid_copy = memoryview(raw_copy).cast("B", (1024, 1024))
    else:
        grid = np.frombuffer(raw, np.uint8).reshape(1024, 1024)
        grid_copy = np.frombuffer(raw_copy, np.uint8).reshape(1024, 1024)
    # each layout: make ours, the builtin, NumPy's, over raw and over a copy
    layouts = {
        "contiguous 1 MiB B": (
            lambda r: OURS(r), lambda r: memoryview(r),
            lambda r: np.frombuffer(r, np.uint8), raw, raw_copy),
        "contiguous 1 MiB d": (
            lambda r: OURS(r).cast("d"), lambda r: memoryview(r).cast("d"),
            lambda r: np.frombuffer(r, np.float64), rawd, rawd_copy),
        "strided m[::2] of 1 MiB B": (
            lambda r: OURS(r)[::2], lambda r: memoryview(r)[::2],
            lambda r: np.frombuffer(r, np.uint8)[::2], raw, raw_copy),
        "strided 2-D rows[::2] 1024x1024 B": (
            lambda g: OURS(g[::2]), lambda g: memoryview(g[::2]),
            lambda g: g[::2], grid, grid_copy),
    }
    for layout, (mo, mb, mn, src, src2) in layouts.items():
        def one(make, src=src):
            return lambda: make(src)

        def two(make, src=src, src2=src2):
            return lambda: (make(src), make(src2))

        ops = [
            ("tolist", lambda m: m.tolist(), one(mo), one(mb), one(mn)),
            ("tobytes", lambda m: m.tobytes(), one(mo), one(mb), one(mn)),
            ("hex", lambda m: m.hex(), one(mo), one(mb), None),
            ("==", lambda pair: pair[0] == pair[1], two(mo), two(mb), None),
        ]
        for name, fn, o, b, n in ops:
            if quick and layout.endswith(" d") and name != "tolist":
                continue
            cases.append(Case(layout, name, fn, o, b, n))
        if not quick:
            # NumPy's == gives an array; array_equal asks the same question
            case = Case(layout, "== (NumPy: array_equal)",
                        lambda pair: pair[0] == pair[1], two(mo), two(mb),
                        two(mn))
            case.np_fn = lambda pair: np.array_equal(pair[0], pair[1])
            cases.append(case)
    return cases


def time_case(case, repeat):
    """{impl: seconds per call, or an error string}."""
    results, timers = {}, {}
    for impl, make in case.args.items():
        if make is None or (impl == "numpy" and np is None):
            continue
        fn = case.fn
        if impl == "numpy" and hasattr(case, "np_fn"):
            fn = case.np_fn
        try:
            arg = make()
            fn(arg)  # warm up, and see that it works at all
        except Exception as e:  # not implemented (yet), say so in the table
            results[impl] = f"{type(e).__name__}"
            continue
        timers[impl] = timeit.Timer(lambda fn=fn, arg=arg: fn(arg))
        results[impl] = float("inf")
    # about 0.05 s a measurement
    numbers = {}
    for impl, t in timers.items():
        one = t.timeit(1)
        numbers[impl] = max(1, int(0.05 / max(one, 1e-9)))
    gc_was = gc.isenabled()
    gc.disable()
    try:
        order = list(timers.items())
        for _ in range(repeat):
            order.reverse()  # nobody always goes first
            for impl, t in order:
                s = t.timeit(numbers[impl]) / numbers[impl]
                results[impl] = min(results[impl], s)
    finally:
        if gc_was:
            gc.enable()
    return results


def check_same(case):
    """Ours and the builtin must give the same answer."""
    try:
        a = case.fn(case.args["ours"]())
        b = case.fn(case.args["builtin"]())
    except Exception:
        return True
    return a == b or repr(a) == repr(b)  # NaN != NaN, but reprs agree


def fmt_ns(x, steps):
    if isinstance(x, str):
        return x
    ns = x * 1e9 / steps
    return f"{ns:.1f}" if ns < 1e4 else f"{ns:,.0f}"


def best_of(fns, repeat):
    """{name: best seconds of one call}, the functions taking turns."""
    best = {name: float("inf") for name in fns}
    order = list(fns.items())
    for _ in range(repeat):
        order.reverse()
        for name, fn in order:
            t = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - t)
    return best


def two_threads(m):
    """m.sum() split between two threads, each summing a half."""
    half = len(m) // 2
    out = [None, None]

    def run(k, part):
        out[k] = part.sum()

    ts = [threading.Thread(target=run, args=(0, m[:half])),
          threading.Thread(target=run, args=(1, m[half:]))]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return out[0] + out[1]


def bench_reductions(mib, repeat):
    print()
    print(f"reductions over a {mib} MiB mapped file (page cache), "
          f"best of {repeat}, taking turns")
    fd, path = tempfile.mkstemp(prefix="memview-bench-", suffix=".bin")
    try:
        chunk = array.array("d", (float(i % 1000) for i in range(1 << 17)))
        with os.fdopen(fd, "wb") as f:
            # one write: the page cache then holds the file in large pages
            # (written 1 MiB at a time, every scan faulted again, with
            # memview and NumPy alike, at a tenth of the speed)
            f.write(chunk.tobytes() * (mib * (1 << 20) // (len(chunk) * 8)))
        head = (f"{'format':8} {'memview m.sum() ms':>19} "
                f"{'numpy a.sum() ms':>17} {'numpy/memview':>14} "
                f"{'2 threads ms':>13} {'speed-up':>9}")
        print(head)
        print("-" * len(head))
        for fmt, dtype in (("<d", "<f8"), ("<i", "<i4")):
            with memview.map(path, advise="sequential") as raw:
                m = raw.cast("B").cast(fmt)
                fns = {"ours": m.sum, "two": lambda: two_threads(m)}
                a = None
                if np is not None:
                    a = np.memmap(path, dtype=dtype, mode="r")
                    fns["numpy"] = a.sum
                for fn in fns.values():
                    fn()  # pages in, warms up
                if a is not None:
                    want = a.astype(np.float64).sum() if fmt == "<d" else \
                        int(a.sum(dtype=np.int64))
                    got = m.sum()
                    assert abs(got - want) <= 1e-9 * abs(want) + 1e-6, \
                        (got, want)
                assert two_threads(m) == m.sum() or fmt == "<d"
                best = best_of(fns, repeat)
                n = best.get("numpy")
                ratio = f"{n / best['ours']:13.2f}x" if n else f"{'n/a':>14}"
                print(f"{fmt:8} {best['ours'] * 1e3:19.1f} "
                      f"{'' if n is None else f'{n * 1e3:.1f}':>17} {ratio} "
                      f"{best['two'] * 1e3:13.1f} "
                      f"{best['ours'] / best['two']:8.2f}x")
                del m, a, fns
    finally:
        os.unlink(path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--quick", action="store_true",
                    help="fewer repeats and cases")
    ap.add_argument("--no-reduce", action="store_true",
                    help="leave out the reductions over a mapped file")
    ap.add_argument("--reduce-only", action="store_true",
                    help="only the reductions over a mapped file")
    ap.add_argument("--reduce-mib", type=int, default=512,
                    help="the mapped file's size (default 512)")
    args = ap.parse_args()
    repeat = 3 if args.quick else args.repeat

    if args.reduce_only:
        bench_reductions(args.reduce_mib, repeat)
        return 0
    print(f"memview.memoryview (from {memview.__file__})")
    print("vs the builtin memoryview, "
          f"Python {sys.version.split()[0]}, "
          f"NumPy {np.__version__ if np else 'not installed'}; "
          f"best of {repeat}, taking turns")
    head = (f"{'case':34} {'op':28} {'unit':>5} {'ours ns':>11} "
            f"{'builtin ns':>11} {'numpy ns':>11} {'ours/builtin':>13}")
    print(head)
    print("-" * len(head))
    slow, failed = [], []
    worst = (0.0, "")
    for case in build_cases(args.quick):
        r = time_case(case, repeat)
        o, b = r.get("ours"), r.get("builtin")
        if isinstance(o, float) and isinstance(b, float):
            ratio = o / b
            worst = max(worst, (ratio, f"{case.group}, {case.name}"))
            mark = "" if ratio <= TARGET else "  > 1.1"
            if ratio > TARGET:
                slow.append(f"{case.group} {case.name}")
            rtxt = f"{ratio:12.2f}x{mark}"
        else:
            rtxt = f"{'n/a':>13}"
            if isinstance(o, str):
                failed.append(f"{case.group} {case.name}: {o}")
        if not check_same(case):
            rtxt += "  RESULTS DIFFER"
            failed.append(f"{case.group} {case.name}: results differ")
        n = r.get("numpy")
        print(f"{case.group:34} {case.name:28} {case.unit:>5} "
              f"{fmt_ns(o, case.steps):>11} {fmt_ns(b, case.steps):>11} "
              f"{'' if n is None else fmt_ns(n, case.steps):>11} {rtxt}")
    print()
    print(f"above {TARGET}x the builtin: " + (", ".join(slow) or "none"))
    print(f"cpython-{sys.version_info[0]}.{sys.version_info[1]} "
          f"({sys.version.split()[0]}): highest ours/builtin "
          f"{worst[0]:.2f}x ({worst[1]}), "
          f"{len(slow)} above {TARGET}x")
    if failed:
        print("not measured / wrong: " + "; ".join(failed))
    if not args.no_reduce:
        bench_reductions(args.reduce_mib, repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
