"""Pickling memview.memoryview (the builtin refuses to be pickled at all).

A view pickles as its items in C order with format, item size, shape and
the read-only flag.  Protocol 5 with a buffer_callback passes the items out
of band without copying them: unpickling with the buffers given back makes
a view of the same memory.  Every other way copies.  The oracle for the
items is the original view's tobytes()/tolist() and NumPy's C-order copy.
"""

import copy
import ctypes
import pickle

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import memview
from memview import memoryview as mv

PROTOCOLS = range(pickle.HIGHEST_PROTOCOL + 1)


def address(view):
    """Address of the first byte a view's buffer starts at."""
    return np.asarray(view).__array_interface__["data"][0]


def c_strides(shape, itemsize):
    strides, step = [], itemsize
    for n in reversed(shape):
        strides.append(step)
        step *= n
    return tuple(reversed(strides))


def check_same_items(r, m):
    assert type(r) is mv
    assert r.format == m.format
    assert r.itemsize == m.itemsize
    assert r.shape == m.shape
    assert r.ndim == m.ndim
    assert r.readonly == m.readonly
    assert r.strides == c_strides(m.shape, m.itemsize)
    assert r.c_contiguous
    assert r.tobytes() == m.tobytes()
    if len(m.format.lstrip("@")) == 1:
        assert r == m


def exporters():
    """(name, view) pairs: formats native and not, 0-D to 3-D, strided,
    Fortran-ordered, read-only and writable."""
    a = np.arange(24, dtype=np.int32).reshape(2, 3, 4)
    rec = np.zeros(3, dtype=[("x", "<i4"), ("y", "<f8")])
    rec["x"] = [1, 2, 3]
    rec["y"] = [0.5, 1.5, 2.5]
    return [
        ("bytes", mv(b"abcdef")),
        ("bytearray", mv(bytearray(b"abcdef"))),
        ("empty", mv(b"")),
        ("int32-3d", mv(a)),
        ("int32-3d-ro", mv(a).toreadonly()),
        ("strided", mv(np.arange(20, dtype=np.float64))[::3]),
        ("negative", mv(np.arange(10, dtype=np.int16))[::-2]),
        ("fortran", mv(np.asfortranarray(a))),
        ("sub-view", mv(a)[1]),
        ("0-d", mv(np.array(7.25))),
        ("struct", mv(rec)),
        ("bool", mv(np.array([True, False, True]))),
        ("half", mv(np.arange(5, dtype=np.float16))),
    ]


EXPORTERS = exporters()
IDS = [name for name, _ in EXPORTERS]


def test_builtin_refuses():
    for proto in PROTOCOLS:
        with pytest.raises(TypeError):
            pickle.dumps(memoryview(b"abc"), proto)


@pytest.mark.parametrize("proto", PROTOCOLS)
@pytest.mark.parametrize("name,m", EXPORTERS, ids=IDS)
def test_in_band_round_trip(name, m, proto):
    data = pickle.dumps(m, proto)
    r = pickle.loads(data)
    check_same_items(r, m)
    if m.nbytes:
        # in band: the items were copied into the pickle
        assert address(r) != address(m)
    if m.format in ("i", "d", "h", "?", "e", "B"):
        assert r.tolist() == m.tolist()


@pytest.mark.parametrize("name,m", EXPORTERS, ids=IDS)
def test_out_of_band_shares_memory(name, m):
    buffers = []
    data = pickle.dumps(m, 5, buffer_callback=buffers.append)
    assert len(buffers) == 1
    assert isinstance(buffers[0], pickle.PickleBuffer)
    # flat bytes out of band, whatever the view's format and shape
    with memoryview(buffers[0]) as flat:
        assert (flat.ndim, flat.format, flat.nbytes) == (1, "B", m.nbytes)
    # the pickle itself holds no copy of the items
    assert len(data) < 200 + len(m.format)
    r = pickle.loads(data, buffers=buffers)
    check_same_items(r, m)
    if m.c_contiguous and m.nbytes:
        assert address(r) == address(m)
        if not m.readonly:
            # a write through the unpickled view is seen through the original
            target = np.frombuffer(r, dtype=np.uint8)
            target[0] ^= 0xFF
            assert m.tobytes()[0] == target[0]
            del target
    elif m.nbytes:
        # not C-contiguous: one copy into C order, made when pickling
        assert address(r) != address(m)


def test_out_of_band_buffer_is_the_view_memory():
    """raw() of the PickleBuffer is the view's own memory."""
    ba = bytearray(range(64))
    m = mv(ba).cast("I")
    buffers = []
    pickle.dumps(m, 5, buffer_callback=buffers.append)
    raw = buffers[0].raw()
    base = ctypes.addressof(ctypes.c_char.from_buffer(ba))
    assert np.frombuffer(raw, np.uint8).ctypes.data == base
    raw.release()


def test_callback_returning_true_keeps_in_band():
    m = mv(bytearray(b"xyz"))
    data = pickle.dumps(m, 5, buffer_callback=lambda b: True)
    r = pickle.loads(data)
    check_same_items(r, m)
    assert address(r) != address(m)


def test_readonly_kept_when_buffer_is_writable():
    m = mv(bytearray(b"abcd")).toreadonly()
    buffers = []
    data = pickle.dumps(m, 5, buffer_callback=buffers.append)
    r = pickle.loads(data, buffers=[bytearray(b"wxyz")])
    assert r.readonly
    assert r.tobytes() == b"wxyz"


def test_writable_from_bytes_is_readonly():
    """A writable view's items given back as bytes: read-only, no copy."""
    m = mv(bytearray(b"abcd"))
    buffers = []
    data = pickle.dumps(m, 5, buffer_callback=buffers.append)
    r = pickle.loads(data, buffers=[b"abcd"])
    assert r.readonly and r.tobytes() == b"abcd"


def test_wrong_size_of_buffer_refused():
    m = mv(bytearray(8)).cast("i")
    data = pickle.dumps(m, 5, buffer_callback=lambda b: False)
    with pytest.raises(ValueError):
        pickle.loads(data, buffers=[bytearray(12)])


@pytest.mark.parametrize("args,exc", [
    ((b"abcd", "i", 4, (2,), False), ValueError),        # 8 != 4 bytes
    ((b"abcd", "i", 2, (2,), False), ValueError),        # itemsize of 'i'
    ((b"abcd", "B", 1, (-4,), False), ValueError),       # negative shape
    ((b"abcd", "B", 1, (2 ** 62, 2 ** 62), False), (ValueError,
                                                    OverflowError)),
    ((b"abcd", "B", 1, (1,) * 65, False), ValueError),   # too many dims
    ((b"abcd", "B", 0, (4,), False), ValueError),        # itemsize 0
    ((3, "B", 1, (4,), False), TypeError),                # not a buffer
])
def test_hostile_pickle_refused(args, exc):
    with pytest.raises(exc):
        memview._memview._rebuild(*args)


def test_released_view_refused():
    m = mv(b"abc")
    m.release()
    for proto in PROTOCOLS:
        with pytest.raises(ValueError, match="released memoryview"):
            pickle.dumps(m, proto)


@pytest.mark.parametrize("fn", [copy.copy, copy.deepcopy])
def test_copy_is_independent(fn):
    ba = bytearray(b"hello")
    m = mv(ba)
    c = fn(m)
    check_same_items(c, m)
    ba[0] = ord("j")
    assert c.tobytes() == b"hello"
    assert m.tobytes() == b"jello"


@given(shape=st.lists(st.integers(0, 4), min_size=0, max_size=3),
       fmt=st.sampled_from("bBhHiIlLqQfd?"),
       step=st.integers(-2, 2).filter(lambda s: s != 0),
       readonly=st.booleans(), proto=st.integers(0, 5),
       oob=st.booleans())
def test_round_trip_random(shape, fmt, step, readonly, proto, oob):
    n = int(np.prod(shape)) if shape else 1
    a = (np.arange(n, dtype=np.int64) % 100).astype(np.dtype(fmt))
    a = a.reshape(shape) if shape else a.reshape(())
    m = mv(a)
    if m.ndim:
        m = m[::step]
    if readonly:
        m = m.toreadonly()
    if oob and proto == 5:
        buffers = []
        data = pickle.dumps(m, 5, buffer_callback=buffers.append)
        r = pickle.loads(data, buffers=buffers)
    else:
        r = pickle.loads(pickle.dumps(m, proto))
    check_same_items(r, m)
    # oracle: NumPy's C-order copy of the same items
    expect = np.array(a[::step] if a.ndim else a, order="C")
    assert r.tobytes() == expect.tobytes()
    assert r.tolist() == expect.tolist()
