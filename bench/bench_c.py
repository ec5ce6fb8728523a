"""Speed of memview's C API, against a raw pointer and CPython's memoryview.

Runs the bench_c program (the article's loop ``while b: b = b[1:]`` at
n = 500,000, and an item-read loop), times the same loop with CPython's
builtin memoryview in this process, and prints ns per step and ratios.
Also shows that narrowing and reading allocate nothing and use no atomic
instruction, and, when valgrind is installed, instructions per step.

    python3 bench/bench_c.py [--bin build/bench/bench_c] [--n 500000]
                             [--no-callgrind] [--check]

The program is found by --bin, else $MEMVIEW_BENCH_C, else
build/bench/bench_c under the source tree. --check makes the exit status
non-zero when a target below is missed.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

TARGET_VS_BUILTIN = 50.0  # C API at least this many times faster
TARGET_VS_RAW = 3.0  # and within this factor of the raw loop
# The raw loop of reference does what b = b[1:] does on a pointer and a
# length: it clamps the slice's start to the length (Python's rule). The
# bare loop (p += 1, len -= 1) is printed too.


def find_bin(arg):
    path = arg or os.environ.get("MEMVIEW_BENCH_C") or os.path.join(
        ROOT, "build", "bench", "bench_c")
    if not os.access(path, os.X_OK):
        sys.exit(f"bench_c.py: no program at {path} (build it, or pass --bin)")
    return path


def run_bench_c(path, n):
    out = subprocess.run([path, str(n)], check=True, capture_output=True,
                         text=True).stdout
    return {k: float(v) for k, v in (line.split() for line in out.splitlines())}


def builtin_ns_per_slice(n, repeat=7):
    data = b"x" * n
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        b = memoryview(data)
        while b:
            b = b[1:]
        best = min(best, time.perf_counter() - t0)
    return best * 1e9 / n


# ---- no atomics: read the machine code reachable from a function ----------

def disassembly(paths):
    """Map function name -> instruction lines, over the given objects."""
    funcs = {}
    for path in paths:
        out = subprocess.run(["objdump", "-d", "--no-show-raw-insn", path],
                             capture_output=True, text=True).stdout
        name = None
        for line in out.splitlines():
            m = re.match(r"^[0-9a-f]+ <([^>]+)>:$", line)
            if m:
                name = m.group(1)
                funcs.setdefault(name, [])
            elif name and line.startswith(" "):
                funcs[name].append(line)
    return funcs


def linked_memview_libs(path):
    out = subprocess.run(["ldd", path], capture_output=True, text=True).stdout
    return [m.group(1) for m in re.finditer(r"=> (\S*libmemview\S*)", out)]


# What a loop calls before and after it runs: making and releasing the
# view (these take and give back the owner's reference, atomically).
SETUP = {"mv_view_from_owner", "mv_view_release", "mv_owner_data",
         "mv_owner_size", "die"}


def atomics_reachable(funcs, root):
    """Lock-prefixed (atomic) instructions in root and what it calls (but
    the setup above), or None when root's code is not found."""
    if root not in funcs:
        return None
    seen, todo, found = set(SETUP), [root], []
    while todo:
        f = todo.pop()
        if f in seen or f not in funcs:
            continue
        seen.add(f)
        for line in funcs[f]:
            if re.search(r"\block\b|\bxchg\s.*\(", line):
                found.append(f"{f}: {line.strip()}")
            m = re.search(r"\b(?:call|jmp)\w*\s+[0-9a-f]+ <([^>+]+)", line)
            if m:
                todo.append(m.group(1).replace("@plt", ""))
    return found


# ---- instruction counts ---------------------------------------------------

def callgrind_per_step(path, loop, n):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "cg.out")
        subprocess.run(["valgrind", "--tool=callgrind",
                        f"--toggle-collect=loop_{loop}",
                        f"--callgrind-out-file={out}",
                        path, "--only", loop, str(n)],
                       check=True, capture_output=True)
        with open(out) as f:
            for line in f:
                if line.startswith("summary:") or line.startswith("totals:"):
                    return int(line.split()[1]) / n
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin")
    ap.add_argument("--n", type=int, default=500000)
    ap.add_argument("--no-callgrind", action="store_true")
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    path = find_bin(args.bin)
    n = args.n

    # interleave: builtin, C, builtin, C; keep the best of each
    builtin = builtin_ns_per_slice(n)
    c = run_bench_c(path, n)
    builtin = min(builtin, builtin_ns_per_slice(n))
    c2 = run_bench_c(path, n)
    c = {k: min(v, c2[k]) if k.endswith("_ns") else max(v, c2[k])
         for k, v in c.items()}

    narrow, slice_, raw = c["narrow_ns"], c["slice_ns"], c["raw_ns"]
    print(f"C API: the article's loop (while b: b = b[1:]) at n = {n:,}, "
          "best of several runs")
    print(f"{'loop':44} {'ns/slice':>9} {'builtin/this':>13} {'this/raw':>9}")
    rows = [
        ("memview mv_view_narrow (in place)", narrow),
        ("memview mv_view_slice + mv_view_release", slice_),
        ("raw pointer and length (Python's clamping)", raw),
        ("raw, bare: p += 1, len -= 1", c["raw1_ns"]),
        ("raw, pointer and length kept in memory", c["rawmem_ns"]),
        ("CPython memoryview, b = b[1:] (Python)", builtin),
    ]
    for name, ns in rows:
        print(f"{name:44} {ns:9.3f} {builtin / ns:12.1f}x {ns / raw:8.2f}x")
    get, rawget = c["get_ns"], c["rawget_ns"]
    print()
    print(f"{'item read (every item once)':44} {'ns/item':>9} {'':>13} "
          f"{'this/raw':>9}")
    print(f"{'memview mv_view_get':44} {get:9.3f} {'':>13} {get / rawget:8.2f}x")
    print(f"{'raw pointer read':44} {rawget:9.3f} {'':>13} {1.0:8.2f}x")

    print()
    if "narrow_allocs" in c:
        print("heap allocations during the loop: "
              + ", ".join(f"{k} {int(c[k + '_allocs'])}"
                          for k in ("narrow", "slice", "get")))
    if shutil.which("objdump"):
        funcs = disassembly([path] + linked_memview_libs(path))
        for loop, what in (("narrow", "mv_view_narrow"), ("get", "mv_view_get")):
            found = atomics_reachable(funcs, f"loop_{loop}")
            if found is None:
                print(f"atomic instructions in the {what} loop: code not "
                      "found")
            else:
                print(f"atomic instructions in the {what} loop (machine code "
                      f"of the loop and all it calls): {len(found)}")
                for line in found[:5]:
                    print("    " + line)

    if not args.no_callgrind and shutil.which("valgrind"):
        counts = {loop: callgrind_per_step(path, loop, n)
                  for loop in ("narrow", "slice", "raw", "raw1", "rawmem", "get",
                               "rawget")}
        print("instructions per step (valgrind callgrind, exact): "
              + ", ".join(f"{k} {v:.1f}" for k, v in counts.items()))

    ok_builtin = builtin / narrow >= TARGET_VS_BUILTIN
    ok_raw = narrow / raw <= TARGET_VS_RAW
    print()
    print(f"target: mv_view_narrow >= {TARGET_VS_BUILTIN:.0f}x faster than "
          f"CPython's memoryview: {builtin / narrow:.1f}x "
          f"{'PASS' if ok_builtin else 'MISS'}")
    print(f"target: mv_view_narrow <= {TARGET_VS_RAW:.0f}x the raw loop: "
          f"{narrow / raw:.2f}x {'PASS' if ok_raw else 'MISS'}")
    if args.check and not (ok_builtin and ok_raw):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
