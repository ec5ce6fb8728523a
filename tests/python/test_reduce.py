"""sum(), min(), max(), mean() and stats() against NumPy.

Hypothesis draws a NumPy array of a random numeric dtype (either byte
order, float16 and bool included), shape and slicing (negative steps,
empty views), with NaNs among the floats; the view of it must reduce to
what NumPy computes.  Integer sums are exact (NumPy over Python ints);
float sums are compared with NumPy's float64 sum within rounding.
"""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

np = pytest.importorskip("numpy")
import memview  # noqa: E402

INT_DTYPES = ["i1", "u1", "<i2", ">i2", "<u2", ">u2", "<i4", ">i4", "<u4",
              ">u4", "<i8", ">i8", "<u8", ">u8"]
FLOAT_DTYPES = ["<f2", ">f2", "<f4", ">f4", "<f8", ">f8"]
DTYPES = INT_DTYPES + FLOAT_DTYPES + ["?"]


@st.composite
def arrays(draw):
    dt = np.dtype(draw(st.sampled_from(DTYPES)))
    ndim = draw(st.integers(0, 3))
    shape = tuple(draw(st.lists(st.integers(0, 6), min_size=ndim,
                                max_size=ndim)))
    n = int(np.prod(shape)) if shape else 1
    if dt.kind == "b":
        vals = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    elif dt.kind in "iu":
        info = np.iinfo(dt)
        vals = draw(st.lists(st.integers(int(info.min), int(info.max)),
                             min_size=n, max_size=n))
    else:
        width = 8 * dt.itemsize
        big = 2048.0 if width == 16 else 2.0**100
        vals = draw(st.lists(st.one_of(
            st.floats(-big, big, width=width),
            st.just(float("nan"))), min_size=n, max_size=n))
    a = np.array(vals, dtype=dt).reshape(shape)
    key = []
    for d in range(ndim):
        start = draw(st.one_of(st.none(), st.integers(-8, 8)))
        stop = draw(st.one_of(st.none(), st.integers(-8, 8)))
        step = draw(st.sampled_from([None, 1, 2, -1, -2, 3]))
        key.append(slice(start, stop, step))
    if draw(st.booleans()) and ndim > 1:
        a = a.T
        key.reverse()
    return a[tuple(key)] if key else a


def same_float(x, y):
    if math.isnan(y):
        return isinstance(x, float) and math.isnan(x)
    return isinstance(x, float) and math.isclose(x, y, rel_tol=1e-9,
                                                  abs_tol=1e-300)


def expected(a):
    """NumPy's answers for a, as Python objects."""
    flat = a.ravel()
    kind = a.dtype.kind
    if kind in "iub":
        total = sum(int(x) for x in flat)
    else:
        total = float(np.sum(flat.astype(np.float64)))
    exp = {"count": flat.size, "sum": total}
    if flat.size:
        lo, hi = np.min(a), np.max(a)
        exp["min"] = bool(lo) if kind == "b" else (
            int(lo) if kind in "iu" else float(lo))
        exp["max"] = bool(hi) if kind == "b" else (
            int(hi) if kind in "iu" else float(hi))
        exp["mean"] = float(np.mean(flat.astype(np.float64)))
    return exp


@given(arrays())
def test_reductions_match_numpy(a):
    m = memview.memoryview(a)
    exp = expected(a)
    s = m.stats()
    assert s.count == exp["count"]
    if a.dtype.kind in "iub":
        assert type(m.sum()) is int and m.sum() == exp["sum"]
        assert s.sum == exp["sum"] and s.nansum == exp["sum"]
    else:
        assert same_float(m.sum(), exp["sum"])
        assert same_float(s.sum, exp["sum"])
        nonan = a.ravel()[~np.isnan(a.ravel())].astype(np.float64)
        assert same_float(s.nansum, float(np.sum(nonan)))
        assert s.nans == int(np.isnan(a).sum())
        if nonan.size:
            assert s.nanmin == float(np.nanmin(a))
            assert s.nanmax == float(np.nanmax(a))
            assert same_float(s.nanmean, float(np.mean(nonan)))
        else:
            assert math.isnan(s.nanmin) and math.isnan(s.nanmean)
    if exp["count"]:
        for got, want in ((m.min(), exp["min"]), (m.max(), exp["max"]),
                          (s.min, exp["min"]), (s.max, exp["max"])):
            assert type(got) is type(want)
            assert got == want or (math.isnan(want) and math.isnan(got))
        assert same_float(m.mean(), exp["mean"])
        assert same_float(s.mean, exp["mean"])
    else:
        for name, op in (("min", "minimum"), ("max", "maximum")):
            with pytest.raises(ValueError) as e:
                getattr(m, name)()
            with pytest.raises(ValueError) as n:
                getattr(a, name)()
            assert str(e.value) == str(n.value) == (
                f"zero-size array to reduction operation {op} which has "
                f"no identity")
        with pytest.raises(ValueError):
            m.mean()


def test_sum_exact_beyond_64_bits():
    a = np.full(1000, 2**64 - 1, dtype=">u8")
    assert memview.memoryview(a).sum() == 1000 * (2**64 - 1)
    b = np.full(1000, -2**63, dtype="<i8")
    assert memview.memoryview(b).sum() == 1000 * -2**63


def test_stats_is_a_named_tuple():
    s = memview.memoryview(np.arange(5, dtype="i4")).stats()
    assert isinstance(s, memview.Stats) and isinstance(s, tuple)
    assert memview.Stats._fields == ("count", "sum", "min", "max", "mean",
                                     "nans", "nansum", "nanmin", "nanmax",
                                     "nanmean")
    assert s == (5, 10, 0, 4, 2.0, 0, 10, 0, 4, 2.0)


def test_suboffsets():
    _testbuffer = pytest.importorskip("_testbuffer")
    nd = _testbuffer.ndarray(list(range(12)), shape=[3, 4], format="<h",
                             flags=_testbuffer.ND_PIL)
    m = memview.memoryview(nd)
    assert m.suboffsets
    assert (m.sum(), m.min(), m.max()) == (66, 0, 11)
    assert m[::-1, 1::2].sum() == sum(range(1, 12, 2))


def _non_numeric(fmt):
    if fmt in ("c", "P"):
        return memview.memoryview(bytes(16)).cast(fmt)
    _testbuffer = pytest.importorskip("_testbuffer")
    item = b"abcde" if fmt == "5s" else (b"a", b"b")
    return memview.memoryview(_testbuffer.ndarray([item], shape=[1],
                                                  format=fmt))


@pytest.mark.parametrize("fmt", ["c", "5s", "P", "2c"])
def test_non_numeric_formats_name_the_format(fmt):
    m = _non_numeric(fmt)
    for op in ("sum", "min", "max", "mean", "stats"):
        with pytest.raises(TypeError) as e:
            getattr(m, op)()
        assert f"'{fmt[-1]}'" in str(e.value)


def test_records_name_their_fields():
    a = np.zeros(3, dtype=[("x", "<i4"), ("y", "<f8")])
    m = memview.memoryview(a)
    with pytest.raises(TypeError) as e:
        m.sum()
    assert "'x'" in str(e.value) and "'y'" in str(e.value)


def test_released_view():
    m = memview.memoryview(bytes(8))
    b = memoryview(bytes(8))
    m.release()
    b.release()
    for op in ("sum", "min", "max", "mean", "stats"):
        with pytest.raises(ValueError) as e:
            getattr(m, op)()
        with pytest.raises(ValueError) as want:
            b.tobytes()
        assert str(e.value) == str(want.value)


@given(st.sampled_from(["<c8", ">c8", "<c16", ">c16"]),
       st.lists(st.one_of(st.complex_numbers(max_magnitude=1e6,
                                             allow_nan=False),
                          st.just(complex(float("nan"), 1.0))),
                max_size=20),
       st.sampled_from([1, -1, 2]))
def test_complex_sum_and_mean(dt, vals, step):
    a = np.array(vals, dtype=dt)[::step]
    m = memview.memoryview(a)
    want = complex(np.sum(a.astype(np.complex128)))
    got = m.sum()
    assert type(got) is complex
    for g, w in ((got.real, want.real), (got.imag, want.imag)):
        assert same_float(g, w)
    if a.size:
        mean = complex(np.mean(a.astype(np.complex128)))
        assert same_float(m.mean().real, mean.real)
        assert same_float(m.mean().imag, mean.imag)
    else:
        with pytest.raises(ValueError):
            m.mean()
    for op in ("min", "max"):
        with pytest.raises(TypeError) as e:
            getattr(m, op)()
        with pytest.raises(TypeError) as b:
            min([1j, 2j])
        assert str(e.value) == str(b.value)
