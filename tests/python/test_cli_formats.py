"""memview get / show with any struct or PEP 3118 format, against struct
(get) and NumPy (show of N-D keys), printed as Python's repr or JSON."""

import json
import struct

import memview
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from test_cli import DataFile, run

CODES = "bBhHiIqQefd?cs"


def _unwrap(t):
    return t[0] if len(t) == 1 else t


def _jsonable(x):
    if isinstance(x, tuple):
        return [_jsonable(y) for y in x]
    if isinstance(x, bytes):
        return x.decode("latin-1")
    if isinstance(x, complex):
        return [x.real, x.imag]
    return x


@settings(max_examples=60, deadline=None)
@given(order=st.sampled_from("<>=!@"),
       codes=st.lists(st.sampled_from(CODES), min_size=1, max_size=3),
       data=st.data())
def test_get_any_format(order, codes, data):
    fmt = order + "".join(codes)
    size = struct.calcsize(fmt)
    n = data.draw(st.integers(1, 5))
    raw = data.draw(st.binary(min_size=n * size, max_size=n * size))
    i = data.draw(st.integers(-n, n - 1))
    want = _unwrap(struct.unpack_from(fmt, raw, (i % n) * size))
    with DataFile(raw) as path:
        code, out, err = run("get", path, fmt, i)
        jcode, jout, _ = run("get", path, fmt, i, "--json")
    assert (code, err) == (0, "")
    assert out.decode() == repr(want) + "\n"
    assert jcode == 0
    got = json.loads(jout)
    if "nan" not in repr(want):
        assert got == _jsonable(want)


def test_get_records_and_complex():
    dt = np.dtype([("id", "<u4"), ("x", ">f4"), ("z", "<c8"),
                   ("s", [("p", ">i2"), ("q", "(2,)<u1")])])
    a = np.zeros(3, dtype=dt)
    a["id"] = [7, 8, 9]
    a["x"] = [1.5, -2.0, 0.25]
    a["z"] = [1 + 2j, -1j, 3]
    a["s"]["p"] = [-1, 2, 3]
    a["s"]["q"] = [[1, 2], [3, 4], [5, 6]]
    fmt = memoryview(a).format
    with DataFile(a.tobytes()) as path:
        code, out, err = run("get", path, fmt, 1)
        assert (code, err) == (0, "")
        # the Python type's item (itself checked against NumPy)
        assert out.decode() == repr(memview.memoryview(a)[1]) + "\n"
        assert out.decode() == "(8, -2.0, (-0-1j), (2, (3, 4)))\n"
        code, out, err = run("get", path, fmt, -1, "--json")
        assert json.loads(out) == [9, 0.25, [3.0, 0.0], [3, [5, 6]]]
        assert json.loads(out) == _jsonable(memview.memoryview(a)[-1])


def test_show_key_against_numpy():
    a = (np.arange(1000 * 10) * 7).astype(">i4").reshape(1000, 10)
    with DataFile(a.tobytes()) as path:
        code, out, err = run("show", path, ">i", "[::100, 3]",
                             "--shape", "1000,10")
        assert (code, err) == (0, "")
        want = a[::100, 3].tolist()
        assert out.decode().splitlines() == [repr(x) for x in want]
        code, out, _ = run("show", path, ">i", "[-1, 2:5]", "--shape",
                           "1000,10", "--json")
        assert [json.loads(x) for x in out.decode().splitlines()] == \
            a[-1, 2:5].tolist()
        code, out, _ = run("show", path, ">i", "5", "--shape", "1000,10")
        assert out.decode().splitlines() == [repr(x) for x in a[5].tolist()]
        # the whole file, 1-D
        code, out, _ = run("show", path, "<2h", "[:3]")
        raw = a.tobytes()
        assert out.decode().splitlines() == [
            repr(t) for t in list(struct.iter_unpack("<2h", raw))[:3]]


def test_show_errors():
    with DataFile(bytes(12)) as path:
        assert run("show", path, ">i", "[1:x]")[0] == 2
        assert run("show", path, ">i", "[0]", "--shape", "a,b")[0] == 2
        code, out, err = run("show", path, ">i", "[7]")
        assert code == 1 and "IndexError" in err
        code, out, err = run("show", path, "T{", "[0]")
        assert code == 1 and "ValueError" in err
        code, out, err = run("show", path, ">i", "[0]", "--shape", "5")
        assert code == 1 and "TypeError" in err


def _slice_text(start, stop, step):
    return "%s:%s%s" % ("" if start is None else start,
                        "" if stop is None else stop,
                        "" if step is None else ":%d" % step)


_bound = st.one_of(st.none(), st.integers(-9, 9))
_slice = st.builds(slice, _bound, _bound,
                   st.one_of(st.none(), st.integers(-3, 3).filter(bool)))
_entry = st.one_of(_slice, st.integers(-4, 3))


@settings(max_examples=60, deadline=None)
@given(key=st.lists(_entry, min_size=0, max_size=2),
       brackets=st.booleans(), blank=st.sampled_from(["", " "]))
def test_show_and_stat_read_keys_as_python_does(key, brackets, blank):
    """One KEY syntax for show and stat, judged by NumPy's a[key]."""
    a = np.arange(4 * 7, dtype="<i2").reshape(4, 7) * 3 - 20
    texts = [_slice_text(k.start, k.stop, k.step) if isinstance(k, slice)
             else str(k) for k in key]
    text = ("," + blank).join(texts)
    if brackets:
        text = "[" + blank + text + blank + "]"
    elif not text:
        return  # no KEY at all is tested elsewhere
    try:
        want = a[tuple(key)]
    except IndexError:
        want = None
    with DataFile(a.tobytes()) as path:
        code, out, err = run("show", path, "<h", text, "--shape", "4,7",
                             "--json")
        if want is None:
            assert code == 1 and "IndexError" in err, (text, err)
        else:
            assert (code, err) == (0, ""), text
            got = [json.loads(x) for x in out.decode().splitlines()]
            assert got == list(np.ravel(want).tolist()), text
        code, out, err = run("stat", path, "<h", text, "--shape", "4,7",
                             "--json")
        if want is None:
            assert code == 1 and "IndexError" in err, (text, err)
        else:
            assert code == 0, (text, err)
            st_ = json.loads(out)
            assert st_["count"] == np.size(want), text
            if np.size(want):
                assert st_["sum"] == int(np.sum(want, dtype=np.int64))
                assert st_["min"] == int(np.min(want))
                assert st_["max"] == int(np.max(want))
