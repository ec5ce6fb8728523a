"""m['name'] against NumPy's a['name'], and the GIL during long operations.

Hypothesis draws structured dtypes (nested records, subarray fields, either
byte order, aligned or packed); every field path of the dtype must view
what NumPy's a['a']['b'] views: shape, strides, items, and writes through
the view must land where NumPy's land.
"""

import sys
import threading
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

np = pytest.importorskip("numpy")
import memview  # noqa: E402

SCALARS = ["<i2", ">i2", "<u4", ">i8", "<f4", ">f8", "u1", "i1", "<f2",
           "?", "S3"]


@st.composite
def dtypes(draw, depth=0):
    n = draw(st.integers(1, 4))
    fields = []
    for i in range(n):
        name = f"f{depth}{i}"
        if depth < 2 and draw(st.integers(0, 4)) == 0:
            sub = draw(dtypes(depth + 1))
            fields.append((name, sub))
        else:
            t = draw(st.sampled_from(SCALARS))
            shape = draw(st.sampled_from([(), (), (2,), (2, 3)]))
            fields.append((name, t, shape) if shape else (name, t))
    return np.dtype(fields, align=draw(st.booleans()))


def paths(dt, prefix=()):
    for name in dt.names:
        sub = dt.fields[name][0]
        yield prefix + (name,)
        if sub.names:
            yield from paths(sub, prefix + (name,))


@given(dtypes(), st.integers(0, 4), st.data())
def test_field_views_match_numpy(dt, n, data):
    raw = data.draw(st.binary(min_size=n * dt.itemsize,
                              max_size=n * dt.itemsize))
    a = np.frombuffer(bytearray(raw), dtype=dt).copy()
    if n > 1 and data.draw(st.booleans()):
        a = a[::-1]
    m = memview.memoryview(a)
    for path in paths(dt):
        want = a
        got = m
        for name in path:
            want = want[name]
            got = got[name]
        assert got.shape == want.shape
        if want.size:
            assert got.strides == want.strides
        assert not got.readonly
        dotted = m[".".join(path)]
        if want.dtype.names:
            # PEP 3118 formats carry no record's trailing padding (NumPy
            # writes it as the parent's "x"): a record field's items end
            # at its last field, NumPy's at its itemsize
            assert got.itemsize <= want.itemsize
            continue
        assert got.itemsize == want.itemsize
        assert got.tobytes() == want.tobytes()
        assert dotted.tobytes() == want.tobytes()
        if not want.dtype.names and want.dtype.kind in "iuf" and want.size:
            # a write through the field view lands where NumPy's lands
            idx = (0,) * want.ndim
            got[idx] = 1
            assert want[idx] == 1


def test_field_views_of_an_example():
    dt = np.dtype([("id", "<u4"), ("pos", [("x", "<f8"), ("y", "<f8")]),
                   ("v", "<i2", (3,))])
    a = np.zeros(5, dtype=dt)
    a["id"] = np.arange(5)
    a["pos"]["x"] = np.arange(5) * 0.5
    a["v"] = np.arange(15).reshape(5, 3)
    m = memview.memoryview(a)
    assert m["id"].tolist() == a["id"].tolist()
    assert m["pos"]["x"].tolist() == m["pos.x"].tolist() == m["x"].tolist()
    assert m["v"].shape == (5, 3) and m["v"].tolist() == a["v"].tolist()
    assert m["v"].sum() == a["v"].sum()
    assert m["pos.x"].mean() == a["pos"]["x"].mean()
    m["id"][2] = 42
    assert a["id"][2] == 42
    assert m.toreadonly()["id"].readonly
    assert m[1:3]["id"].tolist() == [1, 42]


def test_field_key_errors():
    a = np.zeros(2, dtype=[("x", "<i4")])
    m = memview.memoryview(a)
    with pytest.raises(ValueError) as e:
        m["nope"]
    with pytest.raises(ValueError) as n:
        a["nope"]
    assert str(e.value) == str(n.value) == "no field of name nope"
    # a view that is not of records keeps the builtin's TypeError
    for obj in (b"abc", bytearray(8), np.zeros(3)):
        with pytest.raises(TypeError) as e:
            memview.memoryview(obj)["x"]
        with pytest.raises(TypeError) as b:
            memoryview(obj)["x"]
        assert str(e.value) == str(b.value)
    m.release()
    with pytest.raises(ValueError) as e:
        m["x"]
    assert "released" in str(e.value)


BIG = 1 << 27  # 128 MiB: a few milliseconds a scan


@pytest.fixture(scope="module")
def big_views():
    a = np.ones(BIG, dtype="u1")
    b = np.ones(BIG, dtype="u1")
    return memview.memoryview(a), memview.memoryview(b)


@pytest.mark.parametrize("op", ["sum", "tobytes", "hex", "eq", "count",
                                "index", "assign"])
def test_gil_released(op, big_views):
    """Another thread makes progress during one long operation. The other
    thread gives the GIL back after every tick and the switch interval is
    longer than the test: it runs only when this thread releases the GIL
    itself, which only the operation does (holding it, the operation would
    leave the other thread no tick at all)."""
    m, o = big_views
    run = {"sum": lambda: m.sum(), "tobytes": lambda: m[:1 << 24].tobytes(),
           "hex": lambda: m[:1 << 24].hex(), "eq": lambda: m == o,
           "count": lambda: m.count(2),
           "index": lambda: pytest.raises(ValueError, m.index, 2),
           "assign": lambda: m.__setitem__(slice(None), o)}[op]
    run()
    ticks = [0]
    done = threading.Event()
    started = threading.Event()

    def counter():
        started.set()
        while not done.is_set():
            ticks[0] += 1
            time.sleep(0)  # gives the GIL back

    old = sys.getswitchinterval()
    sys.setswitchinterval(30)
    t = threading.Thread(target=counter)
    t.start()
    started.wait()
    try:
        progress = []
        for _ in range(5):
            before = ticks[0]
            run()
            progress.append(ticks[0] - before)
            if progress[-1]:
                break
    finally:
        done.set()
        t.join()
        sys.setswitchinterval(old)
    assert max(progress) > 0, progress


def test_release_during_a_scan_is_refused(big_views):
    """release() from another thread while a scan runs without the GIL
    raises BufferError; the scan finishes with the right answer."""
    refused = []
    for _ in range(20):
        m = memview.memoryview(big_views[0])
        result = []
        t = threading.Thread(target=lambda: result.append(m.count(2)))
        t.start()
        while t.is_alive() and not refused:
            try:
                m.release()
            except BufferError as e:
                refused.append(str(e))
            except ValueError:
                break
        t.join()
        if refused:
            assert result == [0]
            break
    assert refused and refused[0] == "memoryview has 1 exported buffer"


def test_assign_to_a_field():
    """m['name'] = buffer copies into the field, as NumPy's a['name'] = b."""
    dt = np.dtype([("id", "<u4"), ("v", "<i2", (2,))])
    a = np.zeros(3, dtype=dt)
    m = memview.memoryview(a)
    m["id"] = np.array([7, 8, 9], dtype="<u4")
    m["v"] = np.arange(6, dtype="<i2").reshape(3, 2)
    assert a["id"].tolist() == [7, 8, 9]
    assert a["v"].tolist() == [[0, 1], [2, 3], [4, 5]]
    with pytest.raises(ValueError):  # another structure
        m["id"] = np.zeros(2, dtype="<u4")
    with pytest.raises(TypeError):  # not a buffer
        m["id"] = 5
    with pytest.raises(ValueError, match="no field of name z"):
        m["z"] = np.zeros(3, dtype="<u4")
    with pytest.raises(TypeError, match="cannot modify read-only memory"):
        m.toreadonly()["id"] = np.zeros(3, dtype="<u4")
    with pytest.raises(TypeError) as b:
        memoryview(bytearray(4))["x"] = b"a"
    with pytest.raises(TypeError) as e:
        memview.memoryview(bytearray(4))["x"] = b"a"
    assert str(e.value) == str(b.value)
