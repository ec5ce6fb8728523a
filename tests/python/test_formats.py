"""Formats the builtin memoryview refuses: the struct module's whole
language and PEP 3118's records, read by memview.

Oracles: the builtin where it answers (== of views in different byte
orders goes through struct in both), NumPy for structured dtypes.
"""

import struct

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from mvoracle import BUILTIN, OURS, outcome, same

INT_CODES = "bBhHiIlLqQ"


@settings(max_examples=200, deadline=None)
@given(code=st.sampled_from(INT_CODES + "efd"),
       orders=st.tuples(*[st.sampled_from(["", "@", "=", "<", ">", "!"])] * 2),
       data=st.data())
def test_equal_across_byte_orders(code, orders, data):
    """a == b for views of the same values packed in two byte orders (or
    of values that differ in one item) agrees with the builtin."""
    size = struct.calcsize(code)
    bits = 8 * size
    if code in "efd":
        val = st.floats(width=min(bits, 64), allow_nan=True)
    elif code.islower():
        val = st.integers(-(1 << (bits - 1)), (1 << (bits - 1)) - 1)
    else:
        val = st.integers(0, (1 << bits) - 1)
    if orders[0] in "<>!=" or orders[1] in "<>!=":
        std = struct.calcsize("<" + code)
        if std != size:  # 'l' is 8 native, 4 standard: keep sizes equal
            orders = ("", "")
    values = data.draw(st.lists(val, min_size=0, max_size=6))
    other = list(values)
    if values and data.draw(st.booleans()):
        other[data.draw(st.integers(0, len(values) - 1))] = data.draw(val)
    fa, fb = orders[0] + code, orders[1] + code
    ba = struct.pack("%s%d%s" % (orders[0], len(values), code), *values)
    bb = struct.pack("%s%d%s" % (orders[1], len(other), code), *other)

    def run(mv):
        va = _view(mv, ba, fa, struct.calcsize(fa), len(values))
        vb = _view(mv, bb, fb, struct.calcsize(fb), len(other))
        return (va == vb, vb == va, va != vb, va == va)
    expected = outcome(run, BUILTIN)
    got = outcome(run, OURS)
    assert same(expected, got, True), (expected, got)


def _view(mv, raw, fmt, itemsize, n):
    """A 1-D view of raw with format fmt, as an exporter with that format
    would give it (made with NumPy, which exports any such layout)."""
    arr = np.frombuffer(raw, dtype=np.uint8)
    dt = np.dtype(_np_code(fmt))
    assert dt.itemsize == itemsize
    return mv(arr.view(dt)) if n else mv(np.zeros(0, dtype=dt))


def _np_code(fmt):
    order = {"": "=", "@": "=", "=": "=", "<": "<", ">": ">", "!": ">"}[
        fmt[:-1]]
    code = fmt[-1]
    kinds = {"b": "i1", "B": "u1", "h": "i2", "H": "u2", "i": "i4",
             "I": "u4", "q": "i8", "Q": "u8", "e": "f2", "f": "f4", "d": "f8"}
    if code in "lL":
        size = struct.calcsize(fmt)
        return order + ("i" if code == "l" else "u") + str(size)
    return order + kinds[code]


STRUCTURED = [
    [("a", "<i4"), ("b", ">f8")],
    [("id", "<u4"), ("x", "<f4")],
    [("a", "u1"), ("s", [("p", ">i2"), ("q", "<f8", (2, 3))])],
]


@pytest.mark.parametrize("fields", STRUCTURED, ids=str)
def test_structured_equality(fields):
    """Views of NumPy structured arrays compare by value, as NumPy does."""
    dt = np.dtype(fields)
    a = np.zeros(4, dtype=dt)
    raw = np.arange(a.nbytes, dtype=np.uint8) % 7
    a = raw.view(dt).copy()
    b = a.copy()
    assert OURS(a) == OURS(b)
    assert OURS(a) == OURS(a)
    assert bool((a == b).all())
    c = a.copy()
    c.view(np.uint8)[-1] ^= 1
    assert OURS(a) != OURS(c)
    assert not bool((a == c).all())


# ---------------------------------------------------------------------------
# Random struct formats against _testbuffer.ndarray and struct

from _testbuffer import ND_WRITABLE, ndarray  # noqa: E402

import memview  # noqa: E402

NATIVE_ONLY = "nNP"
NATIVE_CODES = "cbB?hHiIlLqQnNefdP"
CODES = "xcbB?hHiIlLqQnNefdsp"


def _code_values(code, count):
    """A strategy for the values struct gives for `count` `code`."""
    if code == "x":
        return st.just(())
    if code == "s":
        return st.binary(min_size=count, max_size=count).map(lambda b: (b,))
    if code == "p":
        n = max(0, min(count - 1, 255))
        return st.binary(min_size=0, max_size=n).map(lambda b: (b,))
    one = _scalar(code)
    return st.lists(one, min_size=count, max_size=count).map(tuple)


def _scalar(code, order="@"):
    if code == "c":
        return st.binary(min_size=1, max_size=1)
    if code == "?":
        return st.booleans()
    if code in "efd":
        width = {"e": 16, "f": 32, "d": 64}[code]
        return st.floats(width=width, allow_nan=False)
    size = struct.calcsize(order + code)
    bits = 8 * size
    if code.islower():
        return st.integers(-(1 << (bits - 1)), (1 << (bits - 1)) - 1)
    return st.integers(0, (1 << bits) - 1)


@st.composite
def struct_formats(draw, min_fields=1):
    """(format, [(code, count)]) of a valid struct format."""
    order = draw(st.sampled_from(["", "@", "=", "<", ">", "!"]))
    codes = CODES if order in ("", "@") else CODES.translate(
        {ord(c): None for c in NATIVE_ONLY})
    fields = draw(st.lists(
        st.tuples(st.sampled_from(codes), st.integers(0, 3)),
        min_size=min_fields, max_size=4))
    # '0p' makes _testbuffer's tolist() fail (a negative length): use 1p
    fields = [(c, max(n, 1) if c == "p" else n) for c, n in fields]
    fmt = order + "".join(("%d" % n if n != 1 else "") + c
                          for c, n in fields)
    return fmt, order, fields


@st.composite
def items_of(draw, order, fields):
    """One item's value as _testbuffer takes and gives it."""
    vals = []
    for code, count in fields:
        if code in "sp":
            vals.extend(draw(_code_values(code, count)))
        elif code != "x":
            vals.extend(draw(st.lists(_scalar(code, order or "@"),
                                      min_size=count, max_size=count)))
    return vals[0] if len(vals) == 1 else tuple(vals)


def _nmemb(fields):
    return sum(1 if c in "sp" else (0 if c == "x" else n) for c, n in fields)


def _canon(x):
    """Values compared with their float signs and bytes exact."""
    return repr(x)


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_random_formats_against_testbuffer(data):
    fmt, order, fields = data.draw(struct_formats())
    if _nmemb(fields) == 0 or struct.calcsize(fmt) == 0:
        return  # _testbuffer cannot make items of no values or bytes
    n = data.draw(st.integers(1, 5))
    items = [data.draw(items_of(order, fields)) for _ in range(n)]
    ref = ndarray(items, shape=[n], format=fmt, flags=ND_WRITABLE)
    mine = ndarray(items, shape=[n], format=fmt, flags=ND_WRITABLE)
    m = memview.memoryview(mine)
    assert m.format == fmt and m.itemsize == struct.calcsize(fmt)
    # reads: tolist, indexing, iteration, 2-D views
    assert _canon(m.tolist()) == _canon(ref.tolist())
    for i in range(-n, n):
        assert _canon(m[i]) == _canon(ref[i])
    assert _canon(list(m)) == _canon(ref.tolist())
    if n % 2 == 0:
        ref2 = ndarray(items, shape=[2, n // 2], format=fmt)
        m2 = memview.memoryview(ndarray(items, shape=[2, n // 2], format=fmt))
        assert _canon(m2.tolist()) == _canon(ref2.tolist())
        assert _canon(m2[1, 0]) == _canon(ref2[1][0])
    # count and index, compared by Python's == as the list does
    first = m[0]
    assert m.count(first) == ref.tolist().count(first)
    assert m.index(first) == ref.tolist().index(first)
    # == with a view of the same exporter, and with a copy
    assert (m == memview.memoryview(ref)) == (m.tolist() == ref.tolist())
    # writes: the same value written by both gives the same bytes
    new = data.draw(items_of(order, fields))
    i = data.draw(st.integers(0, n - 1))
    ref[i] = new
    m[i] = new
    assert mine.tobytes() == ref.tobytes()
    assert _canon(m[i]) == _canon(ref[i])
    # slice assignment from a view of the same format
    m[0:1] = memview.memoryview(ref)[i:i + 1]
    assert _canon(m[0]) == _canon(ref[i])
    # refused writes: refused as struct.pack refuses the values
    # _testbuffer would hand it, and then nothing is written (formats the
    # builtin reads keep the builtin's rules: see test_parity)
    bad = data.draw(st.sampled_from(
        ["text", 1.5, None, (), (1,) * (_nmemb(fields) + 1),
         2 ** 70, -(2 ** 70), object(), b"xy", (b"x",) * _nmemb(fields)]))
    if fmt.lstrip("@") in NATIVE_CODES:
        return
    nmemb = _nmemb(fields)
    if isinstance(bad, (list, tuple)) and len(bad) == nmemb:
        args = list(bad)
    elif nmemb == 1 and not isinstance(bad, (list, tuple)):
        args = [bad]
    else:
        args = None
    try:
        struct.pack(fmt, *args)
        ref_ok = args is not None
    except (struct.error, TypeError, ValueError, OverflowError):
        ref_ok = False
    before = mine.tobytes()
    try:
        m[i] = bad
        ok = True
    except (TypeError, ValueError) as e:
        ok = False
        assert str(e)
        assert mine.tobytes() == before
    assert ok == ref_ok, (fmt, bad, ok, ref_ok)
    if ok:
        assert mine.tobytes() == struct.pack(fmt, *args).join(
            [before[:i * m.itemsize], before[(i + 1) * m.itemsize:]]) or \
            m[i] == struct.unpack(fmt, struct.pack(fmt, *args))


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_records_of_scalars_tolist_against_iter_unpack(data):
    """tolist() of items that are one tuple of scalars, a tuple at a time:
    up to 40 fields of every kind (padding between them), the same record
    as T{...}, in either order, reversed, 2-D and empty."""
    order = data.draw(st.sampled_from(["<", ">", "=", "!"]))
    scalars = "cbB?hHiIlLqQefd"
    codes = data.draw(st.lists(st.sampled_from(scalars + "x"), min_size=2,
                               max_size=40))
    assume(sum(c != "x" for c in codes) >= 2)
    fmt = order + "".join(codes)
    rec = "T{" + "".join(
        "x" if c == "x" else "%s%s:f%d:" % (order, c, k)
        for k, c in enumerate(codes)) + "}"
    size = struct.calcsize(fmt)
    n = data.draw(st.integers(0, 6))
    raw = data.draw(st.binary(min_size=n * size, max_size=n * size))
    want = list(struct.iter_unpack(fmt, raw))
    for f in (fmt, rec):
        m = memview.memoryview(raw).cast(f)
        assert m.itemsize == size
        assert _canon(m.tolist()) == _canon(want)
        assert _canon(m[::-1].tolist()) == _canon(want[::-1])
        assert _canon(m[1::2].tolist()) == _canon(want[1::2])
        if n and n % 2 == 0:
            rows = [want[:n // 2], want[n // 2:]]
            m2 = memview.memoryview(raw).cast("B").cast(f, shape=[2, n // 2])
            assert _canon(m2.tolist()) == _canon(rows)
            assert _canon(m2[::-1, ::-1].tolist()) == _canon(
                [r[::-1] for r in rows[::-1]])


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_cast_from_bytes_against_iter_unpack(data):
    fmt, order, fields = data.draw(struct_formats())
    size = struct.calcsize(fmt)
    if size == 0:
        return
    n = data.draw(st.integers(0, 6))
    raw = data.draw(st.binary(min_size=n * size, max_size=n * size))
    m = memview.memoryview(raw).cast(fmt)
    assert m.format == fmt and m.itemsize == size and len(m) == n
    want = [t[0] if len(t) == 1 else t for t in struct.iter_unpack(fmt, raw)]
    assert _canon(m.tolist()) == _canon(want)
    assert _canon(list(m)) == _canon(want)
    assert m.cast("B").tobytes() == raw
    assert m.tobytes() == raw
    if n:
        assert _canon(m[-1]) == _canon(want[-1])


# ---------------------------------------------------------------------------
# Random NumPy structured dtypes, nested and aligned

SCALARS = ["u1", "i1", "<i2", ">u2", "<i4", ">i4", "<u8", ">i8", "<f2",
           ">f4", "<f8", "?", "S3", "<c8", ">c16", "=i4", "i8", "f8"]


@st.composite
def dtypes(draw, depth=0):
    n = draw(st.integers(1, 4))
    fields = []
    for k in range(n):
        if depth < 2 and draw(st.integers(0, 4)) == 0:
            sub = draw(dtypes(depth + 1))
        else:
            sub = np.dtype(draw(st.sampled_from(SCALARS)))
        if draw(st.integers(0, 5)) == 0:
            shape = tuple(draw(st.lists(st.integers(1, 3), min_size=1,
                                        max_size=2)))
            fields.append(("f%d" % k, sub, shape))
        else:
            fields.append(("f%d" % k, sub))
    return np.dtype(fields, align=draw(st.booleans()))


def _np_canon(x):
    """NumPy's tolist() with sub-arrays as nested tuples (and bytes without
    the trailing NULs NumPy strips)."""
    if isinstance(x, np.ndarray):
        return _np_canon(x.tolist())
    if isinstance(x, (list, tuple)):
        return tuple(_np_canon(y) for y in x)
    if isinstance(x, bytes):
        return x.rstrip(b"\0")
    return x


def _tuples(x):
    """memview's values, lists as tuples, bytes as NumPy shows them."""
    if isinstance(x, (list, tuple)):
        return tuple(_tuples(y) for y in x)
    if isinstance(x, bytes):
        return x.rstrip(b"\0")
    return x


@settings(max_examples=200, deadline=None)
@given(dt=dtypes(), data=st.data())
def test_numpy_structured_dtypes(dt, data):
    """Items of structured arrays read as NumPy's tolist() gives them
    (sub-arrays as nested tuples), and write back bit for bit."""
    n = data.draw(st.integers(1, 4))
    raw = data.draw(st.binary(min_size=n * dt.itemsize,
                              max_size=n * dt.itemsize))
    a = np.frombuffer(bytearray(raw), dtype=dt)
    # NumPy drops some padding when it exports (a sub-array of aligned
    # records): only formats NumPy reads back as the same dtype are
    # descriptions of the data
    try:
        back = np.asarray(memoryview(a))
        assume(back.dtype == dt and back.dtype.itemsize == dt.itemsize)
    except (ValueError, TypeError, RuntimeError):
        assume(False)
    m = memview.memoryview(a)
    assert m.itemsize == dt.itemsize and m.format == memoryview(a).format
    want = _np_canon(a.tolist())
    assert repr(_tuples(m.tolist())) == repr(want)
    for k in range(n):
        assert repr(_tuples(m[k])) == repr(want[k])
    if "nan" not in repr(want):
        assert m == memview.memoryview(a.copy())
        # writes: item 0's value into the last item, as NumPy stores it
        b = a.copy()
        b[n - 1] = b[0]
        m[n - 1] = m[0]
        assert repr(_np_canon(a.tolist())) == repr(_np_canon(b.tolist()))


def test_complex_equality_as_numpy():
    """Zf/Zd views compare by value, with each other and with integers,
    as NumPy compares the arrays (the builtin's struct cannot read Z)."""
    c8 = np.arange(6, dtype="c8") * 3 + 11
    c16 = c8.astype("c16")
    i8 = (np.arange(6) * 3 + 11).astype("i8")
    assert OURS(c8) == OURS(c16) and bool((c8 == c16).all())
    assert OURS(c8) == OURS(i8) and bool((c8 == i8).all())
    c8b = c8.copy()
    c8b[2] += 1j
    assert OURS(c8b) != OURS(i8) and not bool((c8b == i8).all())
    assert OURS(c8b).tolist() == c8b.tolist()
    assert OURS(c8b).count(c8b[2]) == 1 and OURS(c8b).index(c8b[2]) == 2
