"""What memview.memoryview does beyond the builtin, checked against NumPy.

The builtin raises NotImplementedError for sub-views of N-D views (m[i],
m[i, j] with fewer indexes than ndim, m[()]), for slicing several
dimensions (m[1:2, ::2]) and for slice assignment to N-D views.
memview.memoryview implements them with NumPy's semantics, including keys
that mix indexes and slices: NumPy is the oracle (numpy.asarray(m)[key],
and the builtin's view of NumPy's result for the geometry).  Layouts NumPy
cannot import (PIL-style suboffsets from _testbuffer) are checked against a
pure-Python nested-list oracle.
"""

import re
import sys

import numpy as np
import pytest
from hypothesis import given, note
from hypothesis import strategies as st

import memview
from mvoracle import BUILTIN, OURS

_testbuffer = pytest.importorskip("_testbuffer")
ndarray = _testbuffer.ndarray
ND_PIL = _testbuffer.ND_PIL
ND_WRITABLE = _testbuffer.ND_WRITABLE

DTYPES = ["b", "B", "h", "i", "q", "d"]


# ---------------------------------------------------------------------------
# Arrays and keys


@st.composite
def arrays(draw, min_ndim=1, max_ndim=4, writable=None):
    """A NumPy array of up to 4-D: C, Fortran, strided, reversed or
    transposed; read-only sometimes unless writable is given."""
    ndim = draw(st.integers(min_ndim, max_ndim))
    shape = tuple(draw(st.lists(st.integers(0, 4), min_size=ndim,
                                max_size=ndim)))
    dtype = draw(st.sampled_from(DTYPES))
    layout = draw(st.sampled_from(["C", "F", "strided", "reversed",
                                   "transposed"]))
    if layout == "strided":
        steps = draw(st.lists(st.integers(1, 3), min_size=ndim,
                              max_size=ndim))
        big = np.arange(int(np.prod([n * s for n, s in zip(shape, steps)])),
                        dtype=dtype)
        base = big.reshape([n * s for n, s in zip(shape, steps)])
        a = base[tuple(slice(None, None, s) for s in steps)]
    else:
        a = np.arange(int(np.prod(shape)), dtype=dtype).reshape(shape)
        if layout == "F":
            a = np.asfortranarray(a)
        elif layout == "reversed":
            flips = draw(st.lists(st.booleans(), min_size=ndim,
                                  max_size=ndim))
            a = a[tuple(slice(None, None, -1 if f else 1) for f in flips)]
        elif layout == "transposed":
            a = a.T
    if a.dtype.kind in "iu":
        a = (a * 37 + 11).astype(dtype)
    ro = (not writable) if writable is not None else draw(st.booleans())
    a.flags.writeable = not ro
    return a


def slices(n):
    ends = st.one_of(st.none(), st.integers(-n - 2, n + 2))
    steps = st.one_of(st.none(), st.integers(-3, 3).filter(bool))
    return st.builds(slice, ends, ends, steps)


@st.composite
def keys(draw, shape, in_range=False):
    """An index, a slice, or a tuple of up to ndim indexes and slices."""
    def index(n):
        if in_range:
            return st.integers(-n, n - 1) if n else st.nothing()
        return st.integers(-n - 2, n + 1)

    ndim = len(shape)
    length = draw(st.integers(0, ndim))
    entries = []
    for j in range(length):
        n = shape[j]
        if in_range and n == 0:
            entries.append(draw(slices(n)))
        else:
            entries.append(draw(st.one_of(index(n), slices(n))))
    kind = draw(st.sampled_from(["tuple", "single"]))
    if kind == "single" and length == 1:
        return entries[0]
    return tuple(entries)


def as_tuple(key):
    return key if isinstance(key, tuple) else (key,)


def is_item_key(key, ndim):
    """A key that reads one item (the builtin's own territory)."""
    key = as_tuple(key)
    return len(key) == ndim and all(isinstance(k, int) for k in key)


def first_bad_axis(shape, key):
    """Key position of the first index out of range (NumPy's axis)."""
    for j, k in enumerate(as_tuple(key)):
        if isinstance(k, int) and not -shape[j] <= k < shape[j]:
            return j
    return None


def geometry(m):
    return (m.format, m.itemsize, m.ndim, m.shape, m.strides, m.readonly,
            m.nbytes, m.c_contiguous, m.f_contiguous, m.contiguous,
            m.tolist())


def outcome(fn):
    try:
        return ("ok", fn())
    except Exception as e:  # noqa: BLE001 - compared by type and message
        return ("raise", type(e), str(e))


# ---------------------------------------------------------------------------
# Getting


def check_get(a, key):
    m = OURS(a)
    note("array %r shape %s strides %s key %r"
         % (a.dtype.char, a.shape, a.strides, key))
    try:
        expected = a[key]
    except IndexError:
        axis = first_bad_axis(a.shape, key)
        assert axis is not None
        with pytest.raises(IndexError) as info:
            m[key]
        assert str(info.value) == (
            "index out of bounds on dimension %d" % (axis + 1))
        return
    got = m[key]
    if is_item_key(key, a.ndim):
        assert got == expected.item()
        return
    assert isinstance(got, OURS)
    check_view(got, expected, OURS(a).strides, key)
    # The sub-view shares memory with the array and keeps it alive.
    assert got.obj is a
    # Keys compose: a sub-view of a sub-view is NumPy's too.
    if got.ndim >= 2 and got.shape[0]:
        check_view(got[-1], expected[-1], got.strides, -1)
    got.release()


def ref_strides(strides, key):
    """Strides of a view selected by key: indexes drop a dimension, slices
    multiply its stride by their step (as NumPy and CPython's slicing)."""
    key = as_tuple(key)
    out = []
    for j, stride in enumerate(strides):
        if j >= len(key):
            out.append(stride)
        elif isinstance(key[j], slice):
            out.append(stride * (key[j].step or 1))
    return tuple(out)


def address(x):
    return np.asarray(x).__array_interface__["data"][0]


def check_view(got, expected, src_strides, key):
    """got is memview's view for NumPy's expected: same items, same memory.
    NumPy normalises the strides it exports for contiguous arrays, so the
    strides are checked against the rule, and the flags against the
    builtin's reading of got's own buffer."""
    assert (got.format, got.itemsize, got.shape, got.nbytes, got.readonly) \
        == (expected.dtype.char, expected.itemsize, expected.shape,
            expected.nbytes, not expected.flags.writeable)
    assert got.tolist() == expected.tolist()
    assert got.strides == ref_strides(src_strides, key)
    assert geometry(BUILTIN(got)) == geometry(got)
    if expected.size:
        assert address(got) == address(expected)


@given(arrays(), st.data())
def test_get_matches_numpy(a, data):
    for _ in range(5):
        check_get(a, data.draw(keys(a.shape)))


@given(arrays(min_ndim=2), st.data())
def test_int_key_gives_subview(a, data):
    n = a.shape[0]
    i = data.draw(st.integers(-n - 1, n))
    check_get(a, i)


@given(arrays(), st.data())
def test_sliced_per_dimension(a, data):
    key = tuple(data.draw(slices(n)) for n in a.shape)
    check_get(a, key)


def test_examples():
    a = np.arange(24, dtype="i").reshape(2, 3, 4)
    m = OURS(a)
    assert m[1].tolist() == a[1].tolist()
    assert m[1, 2].tolist() == [20, 21, 22, 23]
    assert m[1, 2, 3] == 23
    assert m[:, 1].tolist() == a[:, 1].tolist()
    assert m[1:2, ::2].tolist() == a[1:2, ::2].tolist()
    assert m[::-1, 1, ::-2].tolist() == a[::-1, 1, ::-2].tolist()
    whole = m[()]
    assert whole is not m and whole == m
    assert geometry(whole) == geometry(m)
    assert address(whole) == address(a)
    # 1-D: an empty tuple and a tuple of one slice select views too.
    b = np.arange(5, dtype="h")
    mb = OURS(b)
    assert mb[()].tolist() == [0, 1, 2, 3, 4]
    assert mb[1:4:2, ].tolist() == [1, 3]
    # Sub-views outlive the view they came from.
    row = m[0]
    m.release()
    assert row.tolist() == a[0].tolist()


def test_subview_of_any_format():
    # Sub-views, like slices, do not need to unpack items.
    a = np.zeros((2, 3), dtype=[("x", "<i2"), ("y", "u1")])
    m = OURS(a)
    sub = m[1]
    assert sub.format == m.format
    assert sub.shape == (3,)
    assert sub.strides == (3,)
    assert sub.tobytes() == a[1].tobytes()


def test_index_errors_name_the_dimension():
    m = OURS(np.zeros((2, 3, 4), dtype="i"))
    for key, dim in [(2, 1), (-3, 1), ((0, 3), 2), ((slice(None), -4), 2),
                     ((0, 0, 4), 3), ((slice(None), slice(None), 9), 3),
                     ((5, 5), 1), ((0, slice(0, 0), 7), 3)]:
        with pytest.raises(IndexError,
                           match="^index out of bounds on dimension %d$"
                           % dim):
            m[key]


def test_key_errors():
    m = OURS(np.zeros((2, 3), dtype="i"))
    with pytest.raises(TypeError, match="^cannot index 2-dimension view "
                                        "with 3-element tuple$"):
        m[0, :, 1]
    with pytest.raises(ValueError, match="^slice step cannot be zero$"):
        m[:, ::0]
    for key in [(0, 1.5), (None, 0), (Ellipsis, 0), ("a",), 1.5]:
        with pytest.raises(TypeError, match="^memoryview: invalid slice "
                                            "key$"):
            m[key]
    z = OURS(np.zeros((), dtype="i"))
    with pytest.raises(TypeError, match="^invalid indexing of 0-dim memory$"):
        z[0]
    m.release()
    with pytest.raises(ValueError, match="released"):
        m[0]
    with pytest.raises(ValueError, match="released"):
        m[:, 0]


def test_index_releasing_view():
    # A key whose __index__ releases the view: the core refuses.
    a = np.zeros((2, 3), dtype="i")
    m = OURS(a)

    class Evil:
        def __index__(self):
            m.release()
            return 0

    with pytest.raises(ValueError, match="released"):
        m[Evil(), :]
    m = OURS(a)
    with pytest.raises(ValueError, match="released"):
        m[Evil(), :] = np.zeros(3, dtype="i")
    assert not a.any()


# ---------------------------------------------------------------------------
# Setting


def check_set(a, key, value_maker):
    expected = a.copy()
    try:
        target = expected[key]
    except IndexError:
        axis = first_bad_axis(a.shape, key)
        value = np.zeros(1, dtype=a.dtype)
        before = a.copy()
        with pytest.raises(IndexError) as info:
            OURS(a)[key] = value
        assert str(info.value) == (
            "index out of bounds on dimension %d" % (axis + 1))
        assert np.array_equal(a, before)
        return
    if is_item_key(key, a.ndim) or np.ndim(target) == 0:
        return  # one item: the builtin's territory
    value = value_maker(target)
    expected[key] = value
    m = OURS(a)
    m[key] = value
    assert np.array_equal(a, expected)
    assert a.tobytes() == expected.tobytes()


def fresh(target, reverse=False):
    v = (np.arange(target.size, dtype=target.dtype).reshape(target.shape)
         * 3 + 1).astype(target.dtype)
    if reverse and v.ndim:
        v = np.ascontiguousarray(v[::-1])[::-1]  # a negative-stride source
    return v


@given(arrays(writable=True), st.data())
def test_set_matches_numpy(a, data):
    for _ in range(3):
        key = data.draw(keys(a.shape))
        how = data.draw(st.sampled_from(["numpy", "reversed", "memview",
                                         "testbuffer"]))

        def make(target):
            if how == "numpy":
                return fresh(target)
            if how == "reversed":
                return fresh(target, reverse=True)
            if how == "memview":
                return OURS(fresh(target))
            v = fresh(target)
            if v.size == 0:  # _testbuffer needs items to build from
                return v
            return ndarray(v.ravel().tolist(), shape=list(v.shape),
                           format=v.dtype.char)

        check_set(a, key, make)


@given(arrays(min_ndim=2, writable=True), st.data())
def test_overlapping_assignment(a, data):
    # m[key] = m[key2] for equal shapes: memmove semantics, as NumPy's
    # a[key] = a[key2].copy().
    n = a.shape[0]
    k = data.draw(st.integers(0, n))
    shift = data.draw(st.integers(0, n - k))
    key = (slice(shift, shift + k),)
    if data.draw(st.booleans()) or k == 0:
        key2 = (slice(0, k),)
    else:
        key2 = (slice(k - 1, None, -1),)  # the same rows, reversed
    expected = a.copy()
    expected[key] = expected[key2].copy()
    m = OURS(a)
    m[key] = m[key2]
    assert np.array_equal(a, expected)


def test_set_examples():
    a = np.zeros((3, 4), dtype="i")
    m = OURS(a)
    m[1] = np.arange(4, dtype="i")
    m[:, 0] = np.array([7, 8, 9], dtype="i")
    m[2, 1:] = np.array([5, 6, 7], dtype="i")[::-1].copy()
    m[::2, ::3] = np.full((2, 2), -1, dtype="i")
    m[()] = np.asarray(m).copy()
    m[0:1] = np.full((1, 4), 4, dtype="i")
    e = np.zeros((3, 4), dtype="i")
    e[1] = np.arange(4)
    e[:, 0] = [7, 8, 9]
    e[2, 1:] = [7, 6, 5]
    e[::2, ::3] = -1
    e[0:1] = 4
    assert a.tolist() == e.tolist()


def test_set_errors():
    a = np.arange(12, dtype="i").reshape(3, 4)
    before = a.copy()
    m = OURS(a)
    structures = "memoryview assignment: lvalue and rvalue have different " \
                 "structures"
    cases = [
        (0, np.zeros(3, dtype="i"), ValueError, structures),
        (0, np.zeros(4, dtype="h"), ValueError, structures),
        ((slice(None), 1), np.zeros((3, 1), dtype="i"), ValueError,
         structures),
        (slice(0, 2), np.zeros((3, 4), dtype="i"), ValueError, structures),
        ((), np.zeros((4, 3), dtype="i"), ValueError, structures),
        (0, 5, TypeError, "a bytes-like object is required, not 'int'"),
        ((0, slice(None)), [1, 2, 3, 4], TypeError,
         "a bytes-like object is required, not 'list'"),
        (3, np.zeros(4, dtype="i"), IndexError,
         "index out of bounds on dimension 1"),
        ((slice(None), 4), np.zeros(3, dtype="i"), IndexError,
         "index out of bounds on dimension 2"),
        ((0, slice(None), 1), np.zeros(1, dtype="i"), TypeError,
         "cannot index 2-dimension view with 3-element tuple"),
        ((0, 1.5), np.zeros(1, dtype="i"), TypeError,
         "memoryview: invalid slice key"),
    ]
    for key, value, exc, msg in cases:
        with pytest.raises(exc) as info:
            m[key] = value
        assert str(info.value) == msg, key
        assert np.array_equal(a, before)
    ro = OURS(before).toreadonly()
    with pytest.raises(TypeError, match="^cannot modify read-only memory$"):
        ro[0] = np.zeros(4, dtype="i")
    with pytest.raises(TypeError, match="^cannot delete memory$"):
        del m[0]


# ---------------------------------------------------------------------------
# PIL-style layouts (suboffsets), against nested lists


def ref_get(lst, key):
    """NumPy's basic indexing on nested lists (indexes already checked)."""
    if not key:
        return lst
    k, rest = key[0], key[1:]
    if isinstance(k, int):
        return ref_get(lst[k], rest)
    return [ref_get(x, rest) for x in lst[k]]


def ref_set(lst, key, value):
    """lst[key] = value on nested lists; value is a nested list shaped as
    ref_get(lst, key) (a scalar for a whole item)."""
    if not key:
        lst[:] = value
        return
    k, rest = key[0], key[1:]
    if isinstance(k, int):
        if rest:
            ref_set(lst[k], rest, value)
        else:
            lst[k] = value
        return
    positions = range(len(lst))[k]
    for i, v in zip(positions, value):
        if rest:
            ref_set(lst[i], rest, v)
        else:
            lst[i] = v


def pil_array(shape, data):
    n = int(np.prod(shape))
    items = [(i * 7 + 3) % 120 for i in range(n)]
    flags = ND_PIL | ND_WRITABLE
    if n == 0:
        return ndarray([0], shape=list(shape), format="i", flags=flags)
    return ndarray(items, shape=list(shape), format="i", flags=flags)


pil_shapes = st.lists(st.integers(1, 4), min_size=1, max_size=4)


@given(pil_shapes, st.data())
def test_pil_get(shape, data):
    x = pil_array(shape, data)
    m = OURS(x)
    assert m.suboffsets[0] == 0
    lst = m.tolist()
    for _ in range(5):
        key = data.draw(keys(tuple(shape)))
        note("shape %s key %r" % (shape, key))
        axis = first_bad_axis(shape, key)
        if axis is not None:
            with pytest.raises(IndexError, match="^index out of bounds on "
                                                 "dimension %d$" % (axis + 1)):
                m[key]
            continue
        got = m[key]
        want = ref_get(lst, as_tuple(key))
        if is_item_key(key, len(shape)):
            assert got == want
            continue
        assert got.tolist() == want
        assert got.obj is x
        if got.ndim:
            assert len(got) == len(want)


@given(pil_shapes, st.data())
def test_pil_set(shape, data):
    x = pil_array(shape, data)
    m = OURS(x)
    lst = m.tolist()
    key = data.draw(keys(tuple(shape), in_range=True))
    note("shape %s key %r" % (shape, key))
    if is_item_key(key, len(shape)):
        return
    target = m[key]
    value = np.arange(int(np.prod(target.shape)), dtype="i").reshape(
        target.shape) * 5 - 9
    if data.draw(st.booleans()):
        # The source is PIL-style too.
        value = ndarray(value.ravel().tolist() or [0],
                        shape=list(value.shape),
                        format="i", flags=ND_PIL) if value.size else value
    m[key] = value
    ref_set(lst, as_tuple(key), OURS(value).tolist())
    assert m.tolist() == lst
    assert OURS(x).tolist() == lst


def test_pil_examples():
    x = ndarray(list(range(24)), shape=[2, 3, 4], format="i",
                flags=ND_PIL | ND_WRITABLE)
    m = OURS(x)
    assert m[1].tolist() == [[12, 13, 14, 15], [16, 17, 18, 19],
                             [20, 21, 22, 23]]
    assert m[1].suboffsets in ((), (-1, -1))
    assert m[:, 1].tolist() == [[4, 5, 6, 7], [16, 17, 18, 19]]
    assert m[1, :, 2].tolist() == [14, 18, 22]
    assert m[::-1, 1:, ::-3].tolist() == [[[19, 16], [23, 20]],
                                          [[7, 4], [11, 8]]]
    m[:, 1, 1:3] = np.array([[-1, -2], [-3, -4]], dtype="i")
    assert m.tolist()[0][1] == [4, -1, -2, 7]
    assert m.tolist()[1][1] == [16, -3, -4, 19]


def test_keyword_messages_match_builtin_for_1d():
    # 1-D keys the builtin knows behave as the builtin's.
    for key in [0, -1, slice(1, 3), (0,), 9, (9,)]:
        b = outcome(lambda: BUILTIN(bytearray(b"abcde"))[key])
        o = outcome(lambda: OURS(bytearray(b"abcde"))[key])
        if b[0] == "ok" and isinstance(b[1], BUILTIN):
            assert o[0] == "ok" and o[1].tolist() == b[1].tolist()
        else:
            assert b == o
    assert re.match(r"^a bytes-like", outcome(
        lambda: OURS(bytearray(3)).__setitem__(slice(0, 1), 5))[2])


# ---------------------------------------------------------------------------
# CPython's newer memoryview on every version

def test_generic_alias():
    import types
    alias = memview.memoryview[int]
    assert isinstance(alias, types.GenericAlias)
    assert alias.__origin__ is memview.memoryview and alias.__args__ == (int,)
    assert repr(alias) == "memview.memoryview[int]"


def test_cast_order_f():
    """cast(format, shape, order='F'), CPython's gh-78959."""
    y = memview.memoryview(bytes(range(6))).cast("B", shape=[3, 2],
                                                 order="F")
    assert y.f_contiguous and not y.c_contiguous
    assert y.tolist() == [[0, 3], [1, 4], [2, 5]]
    assert y.strides == (1, 3)
    c = memview.memoryview(bytes(range(6))).cast("B", [3, 2], order="C")
    assert c.tolist() == [[0, 1], [2, 3], [4, 5]]
    np = pytest.importorskip("numpy")
    a = np.arange(24, dtype="<i4")
    f = memview.memoryview(a).cast("B").cast("<i", [2, 3, 4], order="F")
    assert f.tolist() == np.frombuffer(a.tobytes(), "<i4").reshape(
        (2, 3, 4), order="F").tolist()
    m = memview.memoryview(bytes(6))
    with pytest.raises(ValueError, match="order must be 'C' or 'F'"):
        m.cast("B", [3, 2], order="A")
    for bad, msg in (("CF", "not a string of length 2"), (None, "NoneType"),
                     (1, "not int")):
        with pytest.raises(TypeError, match=msg):
            m.cast("B", [3, 2], order=bad)
    with pytest.raises(TypeError):
        m.cast("B", [3, 2], "F")  # keyword-only


def test_cast_f_contiguous_to_1d():
    """An F-contiguous N-D view casts to 1-D in memory order, CPython's
    gh-91484; the builtin of this interpreter refuses."""
    np = pytest.importorskip("numpy")
    a = np.asfortranarray(np.arange(12, dtype="<u2").reshape(3, 4))
    m = memview.memoryview(a)
    assert m.f_contiguous and not m.c_contiguous
    assert m.cast("B").tobytes() == a.tobytes(order="F")
    assert m.cast("B").cast("<H").tolist() == a.ravel(order="F").tolist()
    if sys.version_info < (3, 15):
        with pytest.raises(TypeError):
            memoryview(a).cast("B")
    with pytest.raises(TypeError,
                       match="casts are restricted to C-contiguous views"):
        m.cast("B", [4, 6])  # N-D to N-D stays refused
    with pytest.raises(TypeError,
                       match="casts are restricted to C-contiguous views"):
        memview.memoryview(bytes(8))[::2].cast("B")


def test_cast_messages_name_the_format():
    m = memview.memoryview(bytes(8))
    with pytest.raises(ValueError) as e:
        m.cast("<f4")
    assert str(e.value) == ("memoryview: destination format '<f4': repeat "
                            "count given without format specifier")
    # one character: the builtin's words, as the builtin refuses it too
    with pytest.raises(ValueError) as e:
        m.cast("X")
    with pytest.raises(ValueError) as b:
        BUILTIN(bytes(8)).cast("X")
    assert str(e.value) == str(b.value)
