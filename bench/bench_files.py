"""Scans of big files in a fresh process, measured in one run against the
machine's own limit and against NumPy memmap, for both states the page
cache can hold a file in:

  small  the file written in 4 KiB writes (as `head -c` or `cp` of a
         pipe leave it): small page-cache folios, a mapping faults page
         by page
  large  the file written in 64 MiB writes: large folios, a mapping
         faults in a few big steps

    python3 bench/bench_files.py [--size-mb N] [--dump-mb N] [--runs N]
                                 [--cli build/memview] [--dir /var/tmp]

For each state it prints, in GB/s of file read, best of --runs:

  C read()       bench_scanref read: read() into one 1 MiB buffer, count
  C mmap         bench_scanref mmap: one MAP_SHARED mapping, count
  memview ...    count, find (of a byte that is not there: a whole scan),
                 stat <i, stat <d, dump (the first --dump-mb MiB), each
                 a new process
  numpy fresh    a new interpreter (numpy imported first), timed from
                 np.memmap() to the result: count_nonzero(a == B), and
                 sum, min and max
  numpy warm     the same in this process, the file mapped before

with each row's ratio to the faster C loop, memview's ratio to NumPy
(fresh and warm), and the process's max RSS (/usr/bin/time's %M). Targets:
memview's scans >= 0.8x the faster C loop, count >= 3x and stat >= 2x
NumPy fresh, max RSS <= 128 MiB. The machine's load shows in the C rows:
compare ratios of one run, not absolute speeds across runs. The files are
written under --dir (not a tmpfs: its page cache is another matter) and
deleted at the end.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("MEMVIEW_BUILD") or os.path.join(ROOT, "build")
RSS_LIMIT = 128 << 20
MISSING = 255  # the byte value the files do not hold: find scans it all

NUMPY_CHILD = r"""
import sys, time
import numpy as np
path, op = sys.argv[1], sys.argv[2]
t0 = time.perf_counter()
if op == "count":
    a = np.memmap(path, dtype="u1", mode="r")
    r = int(np.count_nonzero(a == 7))
else:
    a = np.memmap(path, dtype=op, mode="r")
    with np.errstate(all="ignore"):
        r = (a.sum(), a.min(), a.max())
print(time.perf_counter() - t0)
"""


TIME = shutil.which("time", path="/usr/bin:/bin")


def child(argv, env=None):
    """Run argv: (wall seconds, max RSS in bytes, exit code, stdout).

    The max RSS is /usr/bin/time's report of its child: a process forked
    by this one inherits this one's RSS as its high-water mark (Linux
    keeps it through exec), NumPy's arrays included."""
    with tempfile.TemporaryFile() as out, \
            tempfile.NamedTemporaryFile("r") as rss_file:
        pre = [TIME, "-f", "%M", "-o", rss_file.name] if TIME else []
        t0 = time.perf_counter()
        p = subprocess.Popen(pre + [str(a) for a in argv], stdout=out,
                             stderr=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(p.pid, 0)
        t = time.perf_counter() - t0
        code = os.waitstatus_to_exitcode(status)
        rss = usage.ru_maxrss * 1024
        if TIME:
            lines = rss_file.read().split()
            rss = int(lines[-1]) * 1024
            if lines[0].startswith("Command"):  # "Command exited with
                code = int(lines[5])            # non-zero status N"
        out.seek(0)
        return t, rss, code, out.read(1 << 16)


def best(argv, runs, ok=(0,)):
    """Best wall time of runs and the largest max RSS."""
    ts, rss = [], 0
    for _ in range(runs):
        t, r, code, _ = child(argv)
        if code not in ok:
            raise SystemExit(f"{argv} exited {code}")
        ts.append(t)
        rss = max(rss, r)
    return min(ts), rss


def numpy_fresh(path, op, runs):
    ts, rss = [], 0
    for _ in range(runs):
        _, r, code, out = child([sys.executable, "-c", NUMPY_CHILD, path, op])
        if code != 0:
            raise SystemExit(f"numpy child exited {code}")
        ts.append(float(out))
        rss = max(rss, r)
    return min(ts), rss


def numpy_warm(path, op, runs):
    if op == "count":
        a = np.memmap(path, dtype="u1", mode="r")
        fn = lambda: int(np.count_nonzero(a == 7))  # noqa: E731
    else:
        a = np.memmap(path, dtype=op, mode="r")

        def fn():
            with np.errstate(all="ignore"):
                return a.sum(), a.min(), a.max()
    fn()
    ts = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return min(ts)


def write_file(path, size, write_size):
    """size bytes of random values 0..254, written write_size at a time,
    then read once so that the page cache holds them."""
    rng = np.random.default_rng(1)
    block = rng.integers(0, MISSING, 64 << 20, dtype=np.uint8).tobytes()
    with open(path, "wb") as f:
        done = 0
        while done < size:
            part = block[:min(len(block), size - done)]
            for at in range(0, len(part), write_size):
                f.write(part[at:at + write_size])
            done += len(part)
    with open(path, "rb") as f:
        while f.read(64 << 20):
            pass


def bench_state(label, path, size, args):
    runs = args.runs
    g = size / 1e9
    ref = os.path.join(BUILD, "bench", "bench_scanref")
    rows = []  # name, seconds, bytes, rss, numpy key

    t_read, rss_read = best([ref, "read", path, 7], runs)
    t_mmap, rss_mmap = best([ref, "mmap", path, 7], runs)
    c_best = min(t_read, t_mmap)
    rows.append(("C read() 1 MiB", t_read, size, rss_read, None))
    rows.append(("C mmap MAP_SHARED", t_mmap, size, rss_mmap, None))
    cli = args.cli
    for name, argv, ok, key in (
            ("memview count", ["count", path, 7], (0,), "count"),
            ("memview find", ["find", path, MISSING], (1,), None),
            ("memview stat <i", ["stat", path, "<i"], (0,), "<i4"),
            ("memview stat <d", ["stat", path, "<d"], (0,), "<f8")):
        t, rss = best([cli, *argv], runs, ok)
        rows.append((name, t, size, rss, key))
    dump_bytes = min(size, args.dump_mb << 20)
    t, rss = best([cli, "dump", path, "-l", dump_bytes], runs)
    rows.append(("memview dump", t, dump_bytes, rss, None))

    fresh, warm = {}, {}
    for key in ("count", "<i4", "<f8"):
        fresh[key] = numpy_fresh(path, key, runs)
        warm[key] = numpy_warm(path, key, runs)

    print(f"\n{label}: {size >> 20} MiB in the page cache")
    print(f"  {'':22} {'GB/s':>7} {'max RSS':>9} {'/ C best':>9} "
          f"{'/ np fresh':>11} {'/ np warm':>10}")
    for name, t, nbytes, rss, key in rows:
        rate = nbytes / 1e9 / t
        c_ratio = rate / (g / c_best)
        line = (f"  {name:22} {rate:7.2f} {rss / 2**20:6.0f} MiB "
                f"{c_ratio:8.2f}x")
        if key:
            line += (f" {fresh[key][0] / t:10.2f}x "
                     f"{warm[key] / t:9.2f}x")
        if name.startswith("memview") and rss > RSS_LIMIT:
            line += "  RSS over 128 MiB"
        print(line)
    for key, what in (("count", "count"), ("<i4", "stat <i"),
                      ("<f8", "stat <d")):
        t, rss = fresh[key]
        print(f"  {'numpy fresh ' + what:22} {g / t:7.2f} "
              f"{rss / 2**20:6.0f} MiB {c_best / t:8.2f}x")
        print(f"  {'numpy warm ' + what:22} {g / warm[key]:7.2f} "
              f"{'':>10} {c_best / warm[key]:8.2f}x")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size-mb", type=int, default=1024)
    ap.add_argument("--dump-mb", type=int, default=256)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--dir", default="/var/tmp")
    ap.add_argument("--cli", default=os.environ.get("MEMVIEW_CLI") or
                    os.path.join(BUILD, "memview"))
    args = ap.parse_args()
    size = args.size_mb << 20
    if not os.path.exists(os.path.join(BUILD, "bench", "bench_scanref")):
        raise SystemExit("bench_scanref is missing: make build")
    tmp = tempfile.mkdtemp(prefix="memview-bench-", dir=args.dir)
    try:
        for label, write_size in (("small folios (4 KiB writes)", 4 << 10),
                                  ("large folios (64 MiB writes)",
                                   64 << 20)):
            path = os.path.join(tmp, "data.bin")
            write_file(path, size, write_size)
            bench_state(label, path, size, args)
            os.unlink(path)
    finally:
        shutil.rmtree(tmp)
    print("\ntargets: memview >= 0.8x C best; count >= 3x and stat >= 2x "
          "numpy fresh; max RSS <= 128 MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
