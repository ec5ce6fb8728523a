"""memview stat, find and count against NumPy on random typed data: slices,
N-D keys, NaN rules (np.sum / np.nansum, np.min / np.nanmin ...), exact
integer sums (Python's int sum), --json; and a progress bar only on a
terminal.
"""

import json
import math
import os
import pty
import subprocess

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from test_cli import DataFile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
CLI = os.environ.get("MEMVIEW_CLI") or os.path.join(ROOT, "build", "memview")

# struct format -> NumPy dtype (native order and size, as struct's '@')
DTYPES = {"b": "i1", "B": "u1", "h": "i2", "H": "u2", "i": "i4", "I": "u4",
          "l": "i8", "L": "u8", "q": "i8", "Q": "u8", "n": "i8", "N": "u8",
          "f": "f4", "d": "f8", "e": "f2"}


def run(*args, **kw):
    p = subprocess.run([CLI, *map(str, args)], capture_output=True,
                       timeout=120, stdin=subprocess.DEVNULL, **kw)
    return p.returncode, p.stdout, p.stderr.decode()


def close(got, want, rel=1e-9, scale=0.0):
    """Equal, to within rounding: sums of floats taken in another order
    differ by a few ulps of the sum of magnitudes (scale)."""
    if isinstance(want, float) and math.isnan(want):
        return isinstance(got, float) and math.isnan(got)
    if isinstance(want, int) and not isinstance(want, bool):
        return got == want
    return got == want or math.isclose(got, want, rel_tol=rel,
                                       abs_tol=rel * scale)


def oracle(a):
    """What NumPy (and Python's exact int sum) says about array a."""
    flat = a.ravel()
    if a.dtype.kind == "f":
        b = flat.astype("f8")
        with np.errstate(all="ignore"):
            res = {"count": int(b.size), "sum": float(np.sum(b)),
                   "min": float(np.min(b)) if b.size else math.nan,
                   "max": float(np.max(b)) if b.size else math.nan,
                   "mean": float(np.mean(b)) if b.size else math.nan,
                   "nans": int(np.isnan(b).sum()),
                   "nansum": float(np.nansum(b))}
            ok = b[~np.isnan(b)]
            res["nanmin"] = float(np.nanmin(b)) if ok.size else math.nan
            res["nanmax"] = float(np.nanmax(b)) if ok.size else math.nan
            res["nanmean"] = float(np.nanmean(b)) if ok.size else math.nan
            res["_scale"] = float(np.sum(np.abs(ok[np.isfinite(ok)])))
        return res
    vals = [int(x) for x in flat.tolist()]
    return {"count": len(vals), "sum": sum(vals),
            "min": min(vals) if vals else math.nan,
            "max": max(vals) if vals else math.nan,
            "mean": sum(vals) / len(vals) if vals else math.nan}


def check(path, fmt, want, *extra, rel=1e-9):
    want = dict(want)
    scale = want.pop("_scale", 0.0)
    code, out, err = run("stat", path, fmt, *extra, "--json")
    assert code == 0, err
    got = json.loads(out)
    assert set(got) == set(want), (got, want)
    for k in want:
        assert close(got[k], want[k], rel, scale), (k, got[k], want[k], fmt,
                                                    extra)
    # the text form says the same
    code, text, err = run("stat", path, fmt, *extra)
    assert code == 0, err
    lines = dict(line.split(": ") for line in text.decode().splitlines())
    assert lines["count"] == str(want["count"])


@settings(max_examples=120, deadline=None)
@given(fmt=st.sampled_from(sorted(DTYPES)), data=st.data())
def test_stat_matches_numpy(fmt, data):
    dtype = np.dtype(DTYPES[fmt])
    a = data.draw(hnp.arrays(dtype, st.integers(0, 3000)))
    # float16/32 sums are taken in double by memview: compare with float64
    with DataFile(a.tobytes()) as path:
        check(path, fmt, oracle(a), rel=1e-6 if fmt == "e" else 1e-9)


@settings(max_examples=80, deadline=None)
@given(fmt=st.sampled_from("bhiqfdBHIQ"), rows=st.integers(1, 12),
       cols=st.integers(1, 12), data=st.data())
def test_stat_nd_keys(fmt, rows, cols, data):
    dtype = np.dtype(DTYPES[fmt])
    a = data.draw(hnp.arrays(dtype, (rows, cols)))
    ends = st.none() | st.integers(-14, 14)
    steps = st.none() | st.integers(-3, 3).filter(bool)
    parts, key = [], []
    for dim in range(data.draw(st.integers(1, 2))):
        if data.draw(st.booleans()):
            i = data.draw(st.integers(-(rows, cols)[dim], (rows, cols)[dim] - 1))
            parts.append(str(i))
            key.append(i)
        else:
            s = slice(data.draw(ends), data.draw(ends), data.draw(steps))
            parts.append(":".join("" if x is None else str(x)
                                  for x in (s.start, s.stop, s.step)))
            key.append(s)
    sub = a[tuple(key)]
    with DataFile(a.tobytes()) as path:
        check(path, fmt, oracle(np.asarray(sub)), ",".join(parts),
              "--shape", f"{rows},{cols}")


def test_nan_rules():
    a = np.array([1.5, np.nan, -2.0, np.inf, 3.0], dtype="d")
    with DataFile(a.tobytes()) as path:
        check(path, "d", oracle(a))
        check(path, "d", oracle(a[2:]), "2:")
    allnan = np.array([np.nan, np.nan], dtype="f")
    with DataFile(allnan.tobytes()) as path:
        want = oracle(allnan)
        assert want["nansum"] == 0.0 and math.isnan(want["nanmin"])
        check(path, "f", want)
    infs = np.array([np.inf, -np.inf], dtype="d")
    with DataFile(infs.tobytes()) as path:
        check(path, "d", oracle(infs))  # inf + -inf is NaN, as in NumPy


def test_exact_integer_sums():
    big = np.full(5000, 2**63 - 1, dtype="q")
    with DataFile(big.tobytes()) as path:
        code, out, _ = run("stat", path, "q", "--json")
        assert json.loads(out)["sum"] == 5000 * (2**63 - 1)
        # NumPy's own sum wraps around; memview's does not
        assert int(big.sum()) != 5000 * (2**63 - 1)
    neg = np.full(3000, -2**63, dtype="q")
    with DataFile(neg.tobytes()) as path:
        code, out, _ = run("stat", path, "q", "--json")
        assert json.loads(out)["sum"] == 3000 * -2**63
    u = np.full(4000, 2**64 - 1, dtype="Q")
    with DataFile(u.tobytes()) as path:
        code, out, _ = run("stat", path, "Q")
        assert f"sum: {4000 * (2**64 - 1)}\n".encode() in out


def test_stat_range_options_and_tail():
    a = np.arange(1000, dtype="<i")
    with DataFile(a.tobytes() + b"xy") as path:  # a tail shorter than an item
        check(path, "i", oracle(a))
        check(path, "i", oracle(a[100:150]), "--offset", 400, "--length", 200)
        check(path, "i", oracle(a[-10:]), "--offset", -42)


def test_stat_errors():
    with DataFile(b"abcd") as path:
        code, out, err = run("stat", path, "c")
        assert code == 1 and "TypeError" in err
        code, out, err = run("stat", path, "B", "1:x")
        assert code == 2
        code, out, err = run("stat", path, "B", "9")
        assert code == 1 and "IndexError" in err


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=3000), byte=st.integers(0, 255),
       offset=st.integers(-100, 100))
def test_find_and_count(data, byte, offset):
    start = max(0, len(data) + offset) if offset < 0 else min(offset, len(data))
    with DataFile(data) as path:
        code, out, err = run("find", path, byte, "--offset", offset)
        at = data.find(bytes([byte]), start)
        if at < 0:
            assert code == 1 and "x not found" in err
        else:
            assert (code, out) == (0, f"{at}\n".encode())
        assert run("count", path, byte, "--offset", offset)[1] == (
            f"{data[start:].count(bytes([byte]))}\n".encode())


def test_stat_near_end_of_64g_sparse_file(tmp_path):
    path = tmp_path / "sparse"
    size = 64 << 30
    vals = np.linspace(-1, 1, 4096).astype("<d")
    with open(path, "wb") as f:
        f.truncate(size)
        f.seek(size - vals.nbytes)
        f.write(vals.tobytes())
    try:
        check(str(path), "d", oracle(vals), "--offset", -vals.nbytes)
        check(str(path), "d", oracle(vals[-100:]), "-100:",
              "--offset", "-1M")
        code, out, _ = run("find", path, 0x3f, "--offset", "-32K")
        assert code == 0 and int(out) >= size - (32 << 10)
    finally:
        os.unlink(path)


def test_progress_bar_only_on_a_terminal(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(bytes(1 << 20))
    env = dict(os.environ, MEMVIEW_PROGRESS_AFTER="0")
    code, out, err = run("count", path, 0, env=env)
    assert (code, out, err) == (0, f"{1 << 20}\n".encode(), "")
    master, slave = pty.openpty()
    try:
        p = subprocess.run([CLI, "count", str(path), "0"], stdout=subprocess.PIPE,
                           stderr=slave, env=env, timeout=60)
        os.close(slave)
        seen = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(master)
    assert p.returncode == 0 and p.stdout == f"{1 << 20}\n".encode()
    assert b"100%" in seen and b"GB/s" in seen


ORDERED = {"<i": "<i4", ">i": ">i4", "<d": "<f8", ">d": ">f8", ">H": ">u2",
           "<q": "<i8", ">Q": ">u8", "!f": ">f4", "=h": "=i2", ">e": ">f2"}


@settings(max_examples=80, deadline=None)
@given(fmt=st.sampled_from(sorted(ORDERED)), data=st.data())
def test_stat_any_byte_order(fmt, data):
    a = data.draw(hnp.arrays(np.dtype(ORDERED[fmt]), st.integers(0, 2500)))
    with DataFile(a.tobytes()) as path:
        check(path, fmt, oracle(a), rel=1e-6 if "e" in fmt else 1e-9)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 1500), data=st.data())
def test_stat_record_fields_against_structured_dtype(n, data):
    dt = np.dtype([("id", "<u4"), ("x", ">f8"), ("v", "<i2", (3,))])
    fmt = "T{<I:id:>d:x:<3h:v:}"
    a = np.zeros(n, dtype=dt)
    a["id"] = data.draw(hnp.arrays("<u4", n))
    a["x"] = data.draw(hnp.arrays(">f8", n))
    a["v"] = data.draw(hnp.arrays("<i2", (n, 3)))
    with DataFile(a.tobytes()) as path:
        check(path, fmt, oracle(a["id"]), "--field", "id")
        check(path, fmt, oracle(a["x"]), "--field", "x")
        check(path, fmt, oracle(a["v"]), "--field", "2")
        code, _, err = run("stat", path, fmt)
        assert code == 1 and "reduce a field" in err
        code, _, err = run("stat", path, fmt, "--field", "nope")
        assert code == 1 and "ValueError" in err
        assert "no field of name nope" in err


def test_field_paths_in_stat_and_show():
    """One naming rule in the CLI: NumPy's path "outer.b", and a leaf name
    that only one nested field has."""
    fmt = "T{T{<I:a:<f:b:}:outer:}"
    dt = np.dtype([("outer", [("a", "<u4"), ("b", "<f4")])])
    a = np.zeros(6, dtype=dt)
    a["outer"]["a"] = np.arange(6)
    a["outer"]["b"] = np.arange(6) * 0.5
    with DataFile(a.tobytes()) as path:
        for name in ("outer.b", "b"):
            check(path, fmt, oracle(a["outer"]["b"]), "--field", name)
        check(path, fmt, oracle(a["outer"]["a"]), "--field", "outer.a")
        code, out, err = run("show", path, fmt, "1:3", "--field", "outer.a")
        assert code == 0 and out == b"1\n2\n", err
        code, out, err = run("show", path, fmt, "--field", "b")
        assert code == 0 and out.decode().split() == [
            repr(x) for x in a["outer"]["b"].tolist()]
        code, _, err = run("show", path, fmt, "--field", "outer.z")
        assert code == 1 and "ValueError: no field of name outer.z" in err
        code, _, err = run("stat", path, fmt, "--field", "outer")
        assert code == 1 and "TypeError" in err
