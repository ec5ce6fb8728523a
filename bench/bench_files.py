"""Big files: memview's CLI against NumPy memmap and xxd on a 1 GiB file in
the page cache, measured in one run, printed as GB/s and ratios.

    python3 bench/bench_files.py [--size-mb N] [--cli build/memview]

  count  memview count FILE B     vs  np.count_nonzero(memmap == B)
  stat   memview stat FILE <i, <d  vs  sum, min and max of the same memmap
  dump   memview dump -l 64M      vs  xxd -l 64M (output to /dev/null)

Each figure is the best of three runs; memview's include starting the
process and mapping the file. The file lives under /tmp and is deleted at
the end.
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


def best(fn, n=3):
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def cli_runner(cli, *args):
    argv = [cli, *map(str, args)]

    def go():
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    return go


def callgrind(cli, path, nbytes=16 << 20):
    """Instructions per byte of each fast path, from callgrind, on the
    first 16 MiB: a figure that does not depend on the machine's load."""
    vg = shutil.which("valgrind")
    if not vg:
        print("callgrind: valgrind not installed, skipped")
        return
    print(f"instructions per byte (valgrind --tool=callgrind, {nbytes >> 20}"
          " MiB, whole process):")
    for label, cmd in (("count", ["count", path, 7]),
                       ("stat <i", ["stat", path, "<i"]),
                       ("stat <d", ["stat", path, "<d"]),
                       ("dump", ["dump", path])):
        p = subprocess.run([vg, "--tool=callgrind",
                            "--callgrind-out-file=/dev/null", cli,
                            *map(str, cmd), "--length", str(nbytes)],
                           capture_output=True, text=True, timeout=600)
        total = [int(line.split()[-1].replace(",", ""))
                 for line in p.stderr.splitlines() if "Collected" in line]
        if p.returncode != 0 or not total:
            print(f"  {label:8} callgrind failed: {p.stderr[-200:]}")
            continue
        print(f"  {label:8} {total[0] / nbytes:6.2f}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size-mb", type=int, default=1024)
    ap.add_argument("--dump-mb", type=int, default=64)
    ap.add_argument("--cli", default=os.environ.get("MEMVIEW_CLI") or
                    os.path.join(os.environ.get("MEMVIEW_BUILD") or
                                 os.path.join(ROOT, "build"), "memview"))
    args = ap.parse_args()
    size = args.size_mb << 20
    tmp = tempfile.mkdtemp(prefix="memview-bench-", dir="/tmp")
    path = os.path.join(tmp, "data.bin")
    try:
        rng = np.random.default_rng(1)
        with open(path, "wb") as f:  # normal doubles: no NaN, no subnormal
            for _ in range(size // (64 << 20)):
                f.write(rng.standard_normal(8 << 20).tobytes())
            f.write(rng.standard_normal((size % (64 << 20)) // 8).tobytes())
        with open(path, "rb") as f:  # into the page cache
            while f.read(64 << 20):
                pass
        print(f"file: {args.size_mb} MiB in the page cache ({path})")
        print(f"{'':8} {'memview':>14} {'other':>22} {'ratio':>7}")

        def row(name, t_mv, t_other, other, nbytes=size, target=None):
            g = nbytes / 1e9
            ratio = t_other / t_mv
            goal = f"  (target >= {target}x)" if target else ""
            print(f"{name:8} {g / t_mv:8.2f} GB/s {g / t_other:8.2f} GB/s "
                  f"{other:7} {ratio:6.1f}x{goal}")

        def np_count():
            a = np.memmap(path, dtype="u1", mode="r")
            return int(np.count_nonzero(a == 7))

        row("count", best(cli_runner(args.cli, "count", path, 7)),
            best(np_count), "numpy", target=3)
        for fmt, dtype in (("<i", "<i4"), ("<d", "<f8")):
            def np_stat(dtype=dtype):
                a = np.memmap(path, dtype=dtype, mode="r")
                with np.errstate(all="ignore"):
                    return a.sum(), a.min(), a.max()
            row(f"stat {fmt}", best(cli_runner(args.cli, "stat", path, fmt)),
                best(np_stat), "numpy", target=1.5)
        xxd = shutil.which("xxd")
        dump_bytes = args.dump_mb << 20
        if xxd:
            row("dump", best(cli_runner(args.cli, "dump", path, "-l",
                                        dump_bytes)),
                best(cli_runner(xxd, "-l", dump_bytes, path)), "xxd",
                nbytes=dump_bytes, target=5)
        else:
            print("dump     (xxd not installed: skipped)")
        callgrind(args.cli, path)
    finally:
        shutil.rmtree(tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
