"""The article's experiment, on this machine, with memview added.

For n = 100,000 ... 500,000 bytes, the loop

    while b:
        b = b[1:]

is timed four ways: by copying (Python bytes, as in the article), with
CPython's builtin memoryview, with memview.memoryview, and with memview's
C API (mv_view_narrow, through the seed_c program). One table shows them
side by side with the article's own figures and the growth of each (the
exponent k of time ~ n^k, fitted on a log-log scale: 2 for copies, 1 for
views). The article's plot, with memview's lines added, is drawn to
build/demo/seed.png.

    PYTHONPATH=build/python python3 bench/seed_demo.py [--out PNG]
        [--seed-c PROGRAM]

The C program is --seed-c, else $MEMVIEW_SEED_C, else bench/seed_c of the
build directory ($MEMVIEW_BUILD, else the one whose python/ holds the
imported memview, else build/), else the CLI's `memview seed` there; each
prints "n seconds_view seconds_raw" a line.
"""

import argparse
import math
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("MEMVIEW_BUILD", os.path.join(ROOT, "build"))

SIZES = list(range(100000, 600000, 100000))  # the article's sizes

# The article's figures (Windows 10, Intel Core i7 8th gen; its timer
# ticks in 15.6 ms steps, hence the 0.0).
ARTICLE_BYTES = [0.1532435417175293, 0.47913265228271484, 1.1720850467681885,
                 2.15946888923645, 3.440741777420044]
ARTICLE_VIEW = [0.0, 0.015674114227294922, 0.03777813911437988,
                0.04686594009399414, 0.05336737632751465]

VIEW_REPEAT = 7  # views are cheap: keep the best of a few runs


def seed_loop(b):
    """The article's loop; returns the seconds it took."""
    start = time.perf_counter()
    while b:
        b = b[1:]
    stop = time.perf_counter()
    assert len(b) == 0
    return stop - start


def build_dirs(module):
    """Where the build may be: $MEMVIEW_BUILD, the directory above the
    imported extension's python/, then build/ of the source tree."""
    dirs = [BUILD] if os.environ.get("MEMVIEW_BUILD") else []
    here = os.path.dirname(os.path.abspath(getattr(module, "__file__", "")))
    if os.path.basename(here) == "python":
        dirs.append(os.path.dirname(here))
    dirs.append(os.path.join(ROOT, "build"))
    return dirs


def c_api_program(arg, module):
    cands = [[arg] if arg else [],
             [os.environ.get("MEMVIEW_SEED_C", "")]]
    for d in build_dirs(module):
        cands.append([os.path.join(d, "bench", "seed_c")])
    for d in build_dirs(module):
        cands.append([os.path.join(d, "memview"), "seed"])
    cands.append([os.environ.get("MEMVIEW_CLI", ""), "seed"])
    for cmd in cands:
        if cmd and cmd[0] and os.access(cmd[0], os.X_OK):
            return cmd
    return None


def run_c_api(cmd, sizes):
    """{n: seconds} of the C API's loop, or {} when it cannot run."""
    if cmd is None:
        return {}
    out = subprocess.run(cmd + [str(n) for n in sizes], check=True,
                         capture_output=True, text=True).stdout
    times = {}
    for line in out.splitlines():
        fields = line.split()
        if len(fields) >= 2:
            times[int(fields[0])] = float(fields[1])
    return times


def growth(sizes, times):
    """Least-squares slope of log(time) against log(n), over the points
    with a time above zero; None with fewer than two such points."""
    pts = [(math.log(n), math.log(t)) for n, t in zip(sizes, times)
           if t is not None and t > 0]
    if len(pts) < 2:
        return None
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    sxx = sum((x - mx) ** 2 for x, _ in pts)
    sxy = sum((x - mx) * (y - my) for x, y in pts)
    return sxy / sxx


def fmt_s(t):
    return "n/a" if t is None else f"{t:.6f}"


def plot(path, sizes, cols):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (lin, log) = plt.subplots(1, 2, figsize=(13, 5))
    styles = {
        "bytes": ("x-", "Without Memoryview (bytes)", "C0"),
        "builtin": ("o--", "With Memoryview (builtin)", "C1"),
        "memview": ("s-", "memview.memoryview", "C2"),
        "c_api": ("^-", "memview C API (mv_view_narrow)", "C3"),
        "article_bytes": ("x:", "article: Without Memoryview", "0.55"),
        "article_view": ("o:", "article: With Memoryview", "0.75"),
    }
    for key, (style, label, color) in styles.items():
        ys = cols.get(key)
        if not ys or all(y is None for y in ys):
            continue
        xs = [n for n, y in zip(sizes, ys) if y is not None]
        ys = [y for y in ys if y is not None]
        lin.plot(xs, ys, style, label=label, color=color)
        xs2 = [x for x, y in zip(xs, ys) if y > 0]
        ys2 = [y for y in ys if y > 0]
        log.loglog(xs2, ys2, style, label=label, color=color)
    lin.set_title("The article's plot, on this machine, with memview")
    lin.set_xlabel("Size of Bytearray")
    lin.set_ylabel("Time (s)")
    lin.legend()
    log.set_title("Log-log: slope 2 for copies, 1 for views")
    log.set_xlabel("Size of Bytearray")
    log.set_ylabel("Time (s)")
    log.grid(True, which="both", alpha=0.3)
    log.legend(fontsize="small")
    fig.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=100)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", help="the plot's file (default: demo/seed.png "
                    "in the build directory)")
    ap.add_argument("--seed-c")
    args = ap.parse_args()

    try:
        import memview
    except ImportError as e:
        sys.exit(f"seed_demo: cannot import memview ({e}); build it and run "
                 "with PYTHONPATH=build/python")
    ours = memview.memoryview
    if args.out is None:
        args.out = os.path.join(build_dirs(memview)[0], "demo", "seed.png")

    cols = {"bytes": [], "builtin": [], "memview": []}
    for n in SIZES:
        data = b"x" * n
        cols["bytes"].append(seed_loop(data))  # once: it takes seconds
        # the two view types take turns, so that a busy moment of the
        # machine hurts both alike; the best run of each is kept
        tb = tm = float("inf")
        for _ in range(VIEW_REPEAT):
            tb = min(tb, seed_loop(memoryview(data)))
            tm = min(tm, seed_loop(ours(data)))
        cols["builtin"].append(tb)
        cols["memview"].append(tm)
    cmd = c_api_program(args.seed_c, memview)
    c_times = run_c_api(cmd, SIZES)
    cols["c_api"] = [c_times.get(n) for n in SIZES]
    cols["article_bytes"] = ARTICLE_BYTES
    cols["article_view"] = ARTICLE_VIEW

    heads = [("n", 7), ("bytes (copy)", 12), ("memoryview", 12),
             ("memview py", 12), ("memview C", 12), ("py/builtin", 12),
             ("article bytes", 13), ("article view", 12)]
    print("while b: b = b[1:]   (seconds; views best of "
          f"{VIEW_REPEAT}, copies once)")
    print("  bytes (copy): Python bytes; memoryview: CPython's builtin; "
          "memview py: memview.memoryview;\n  memview C: the C API "
          "(mv_view_narrow); article: the article's figures (its timer "
          "ticks in 15.6 ms)")
    print(" ".join(f"{h:>{w}}" for h, w in heads))
    for i, n in enumerate(SIZES):
        ratio = cols["memview"][i] / cols["builtin"][i]
        row = [f"{n:>7}", f"{fmt_s(cols['bytes'][i]):>12}",
               f"{fmt_s(cols['builtin'][i]):>12}",
               f"{fmt_s(cols['memview'][i]):>12}",
               f"{fmt_s(cols['c_api'][i]):>12}",
               f"{ratio:>11.2f}x",
               f"{ARTICLE_BYTES[i]:>13.4f}", f"{ARTICLE_VIEW[i]:>12.4f}"]
        print(" ".join(row))
    ks = []
    for key in ("bytes", "builtin", "memview", "c_api"):
        k = growth(SIZES, cols[key])
        ks.append("n/a" if k is None else f"n^{k:.2f}")
    ka = growth(SIZES, ARTICLE_BYTES)
    kv = growth(SIZES, ARTICLE_VIEW)
    print(" ".join([f"{'growth':>7}"] + [f"{k:>12}" for k in ks]
                   + [f"{'':>12}", f"{'n^%.2f' % ka:>13}",
                      f"{'n^%.2f' % kv:>12}"]))
    n = SIZES[-1]
    print(f"at n = {n:,}, per slice: copy {cols['bytes'][-1] / n * 1e9:.0f} "
          f"ns, builtin {cols['builtin'][-1] / n * 1e9:.1f} ns, "
          f"memview.memoryview {cols['memview'][-1] / n * 1e9:.1f} ns"
          + ("" if cols["c_api"][-1] is None else
             f", C API {cols['c_api'][-1] / n * 1e9:.2f} ns"))
    if cmd is None:
        print("memview C: no seed_c program found (see --seed-c)")
    try:
        plot(args.out, SIZES, cols)
    except ImportError as e:
        print(f"plot: not drawn, matplotlib is missing ({e})")
    else:
        print(f"plot: {os.path.abspath(args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
