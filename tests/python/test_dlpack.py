"""DLPack: memview.memoryview.__dlpack__, __dlpack_device__, from_dlpack.

NumPy is the real peer in both directions: np.from_dlpack(view) and
memview.from_dlpack(array) share memory (a write through one is seen
through the other) and agree on items, shape and strides.  NumPy 1.24
speaks unversioned DLPack only (its __dlpack__ has no max_version, and it
marks what it imports read-only); the versioned capsules are read here
through ctypes with the DLPack 1.0 layout, and between memview views.
"""

import ctypes
import gc

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import memview
from memview import memoryview as mv

KDLCPU = 1


def address(obj):
    return np.asarray(obj).__array_interface__["data"][0]


# ---------------------------------------------------------------------------
# The versioned capsule, read with ctypes (DLPack 1.0 layout)

class DLDevice(ctypes.Structure):
    _fields_ = [("device_type", ctypes.c_int32), ("device_id", ctypes.c_int32)]


class DLDataType(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint8), ("bits", ctypes.c_uint8),
                ("lanes", ctypes.c_uint16)]


class DLTensor(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("device", DLDevice),
                ("ndim", ctypes.c_int32), ("dtype", DLDataType),
                ("shape", ctypes.POINTER(ctypes.c_int64)),
                ("strides", ctypes.POINTER(ctypes.c_int64)),
                ("byte_offset", ctypes.c_uint64)]


class DLManagedTensorVersioned(ctypes.Structure):
    _fields_ = [("major", ctypes.c_uint32), ("minor", ctypes.c_uint32),
                ("manager_ctx", ctypes.c_void_p),
                ("deleter", ctypes.c_void_p),
                ("flags", ctypes.c_uint64),
                ("dl_tensor", DLTensor)]


def capsule_name(cap):
    get = ctypes.pythonapi.PyCapsule_GetName
    get.restype = ctypes.c_char_p
    get.argtypes = [ctypes.py_object]
    return get(cap).decode()


def versioned_tensor(cap):
    get = ctypes.pythonapi.PyCapsule_GetPointer
    get.restype = ctypes.c_void_p
    get.argtypes = [ctypes.py_object, ctypes.c_char_p]
    return DLManagedTensorVersioned.from_address(
        get(cap, b"dltensor_versioned"))


# ---------------------------------------------------------------------------
# NumPy as the consumer and as the producer

DTYPES = ["int8", "uint8", "int16", "uint16", "int32", "uint32", "int64",
          "uint64", "float16", "float32", "float64", "complex64",
          "complex128"]


@pytest.mark.parametrize("dtype", DTYPES)
def test_numpy_reads_our_view(dtype):
    src = (np.arange(12) % 7).astype(dtype).reshape(3, 4)
    m = mv(src)
    a = np.from_dlpack(m)
    assert a.dtype == np.dtype(dtype)
    assert a.shape == m.shape
    assert a.strides == m.strides
    assert address(a) == address(m)
    np.testing.assert_array_equal(a, src)
    # NumPy 1.24 marks what it imports read-only: write through the source
    # (memview has no item access for complex formats)
    src[2, 3] = 1
    assert a[2, 3] == 1
    if not dtype.startswith("complex"):
        m[1, 1] = 2
        assert a[1, 1] == 2


@pytest.mark.parametrize("dtype", DTYPES)
def test_we_read_numpy(dtype):
    src = (np.arange(12) % 7).astype(dtype).reshape(4, 3)
    v = memview.from_dlpack(src)
    assert v.shape == src.shape
    assert v.strides == src.strides
    assert v.itemsize == src.itemsize
    assert not v.readonly
    assert address(v) == address(src)
    assert v.tobytes() == src.tobytes()
    np.testing.assert_array_equal(np.asarray(v), src)
    if not dtype.startswith("complex"):
        assert v.tolist() == src.tolist()
        # writes go both ways
        v[1, 2] = 5
        assert src[1, 2] == 5
        src[3, 0] = 6
        assert v[3, 0] == 6


def test_numpy_strided_both_ways():
    base = np.arange(60, dtype=np.int32).reshape(6, 10)
    src = base[::-2, 1::3]
    v = memview.from_dlpack(src)
    assert v.strides == src.strides
    assert v.tolist() == src.tolist()
    assert address(v) == address(src)
    back = np.from_dlpack(v)
    assert back.strides == src.strides
    np.testing.assert_array_equal(back, src)
    base[1, 1] = -7  # rows 5, 3, 1: the last row of src, first column
    assert v[2, 0] == -7 and back[2, 0] == -7


def test_numpy_bool_and_0d():
    v = memview.from_dlpack(np.array(3.5))
    assert v.ndim == 0 and v.tolist() == 3.5
    # NumPy 1.24 has no DLPack bool (code 6, DLPack 0.8): read it here
    m = mv(np.array([True, False]))
    d = versioned_tensor(m.__dlpack__(max_version=(1, 0))).dl_tensor
    assert (d.dtype.code, d.dtype.bits, d.dtype.lanes) == (6, 8, 1)
    b = memview.from_dlpack(m)
    assert b.format == "?" and b.tolist() == [True, False]


def test_deleter_runs_once_after_release():
    """The exporter's buffer is held until the consumer lets go, then
    given back once: a bytearray can be resized again."""
    ba = bytearray(b"\x01\x02\x03\x04")
    m = mv(ba)
    a = np.from_dlpack(m)
    with pytest.raises(BufferError):
        m.release()  # the array holds a buffer of the view
    del a
    gc.collect()
    m.release()
    ba.append(5)  # no export left: resizing works
    assert len(ba) == 5

    ba = bytearray(8)
    v = memview.from_dlpack(np.frombuffer(ba, dtype=np.uint8))
    w = v[2:]
    v.release()
    with pytest.raises(BufferError):
        ba.append(1)
    w.release()
    gc.collect()
    ba.append(1)


def test_unused_capsule_calls_deleter():
    ba = bytearray(4)
    m = mv(ba)
    cap = m.__dlpack__()
    assert capsule_name(cap) == "dltensor"
    with pytest.raises(BufferError):
        ba.append(0)
    del cap
    m.release()
    ba.append(0)


# ---------------------------------------------------------------------------
# Versioned capsules

def test_versioned_capsule_fields():
    src = np.arange(6, dtype=np.float32).reshape(2, 3)
    m = mv(src)
    cap = m.__dlpack__(max_version=(1, 0))
    assert capsule_name(cap) == "dltensor_versioned"
    t = versioned_tensor(cap)
    assert (t.major, t.minor) == (1, 0)
    assert t.flags == 0
    d = t.dl_tensor
    assert d.data == address(src)
    assert (d.device.device_type, d.device.device_id) == (KDLCPU, 0)
    assert (d.dtype.code, d.dtype.bits, d.dtype.lanes) == (2, 32, 1)
    assert [d.shape[i] for i in range(d.ndim)] == [2, 3]
    assert [d.strides[i] for i in range(d.ndim)] == [3, 1]
    v = memview.from_dlpack(m)  # the versioned path between views
    assert address(v) == address(src)


def test_readonly_respected():
    m = mv(b"abcd")
    assert m.readonly
    with pytest.raises(BufferError, match="read-only"):
        m.__dlpack__()
    with pytest.raises(BufferError, match="read-only"):
        np.from_dlpack(m)
    cap = m.__dlpack__(max_version=(1, 0))
    assert versioned_tensor(cap).flags & 1  # READ_ONLY
    v = memview.from_dlpack(m)
    assert v.readonly and v.tobytes() == b"abcd"
    with pytest.raises(TypeError, match="read-only"):
        v[0] = 1
    # copy=True gives a writable copy, flagged as such
    cap = m.__dlpack__(max_version=(1, 0), copy=True)
    assert versioned_tensor(cap).flags == 2  # IS_COPIED
    c = memview.from_dlpack(m, copy=True)
    assert not c.readonly and address(c) != address(m)


def test_copy_keyword():
    ba = bytearray(range(8))
    m = mv(ba)
    shared = memview.from_dlpack(m, copy=False)
    copied = memview.from_dlpack(m, copy=True)
    assert address(shared) == address(m)
    assert address(copied) != address(m)
    ba[0] = 99
    assert shared[0] == 99 and copied[0] == 0
    # NumPy 1.24 knows no copy keyword: memview copies on its side
    a = np.arange(4)
    c = memview.from_dlpack(a, copy=True)
    assert address(c) != address(a) and c.tolist() == [0, 1, 2, 3]
    # a layout DLPack cannot describe (strides of 3 bytes, items of 2):
    # copied only if allowed
    odd = mv(np.ndarray((3,), dtype=np.int16, buffer=bytearray(range(9)),
                        strides=(3,)))
    with pytest.raises(BufferError, match="without a copy"):
        odd.__dlpack__(max_version=(1, 0), copy=False)
    cap = odd.__dlpack__(max_version=(1, 0))
    assert versioned_tensor(cap).flags == 2  # IS_COPIED
    assert odd.format == "=h"  # NumPy's format for unaligned items
    assert memview.from_dlpack(odd).tobytes() == odd.tobytes()


def test_keywords_checked():
    m = mv(bytearray(4))
    assert m.__dlpack_device__() == (KDLCPU, 0)
    assert capsule_name(m.__dlpack__(dl_device=(KDLCPU, 0))) == "dltensor"
    with pytest.raises(BufferError):
        m.__dlpack__(dl_device=(2, 0))
    with pytest.raises(ValueError):
        m.__dlpack__(stream=1)
    with pytest.raises(TypeError):
        m.__dlpack__(max_version=1)
    with pytest.raises(TypeError):
        m.__dlpack__(None)  # keywords only
    assert capsule_name(m.__dlpack__(max_version=(0, 8))) == "dltensor"
    assert capsule_name(m.__dlpack__(max_version=(2, 0))) == \
        "dltensor_versioned"
    m.release()
    with pytest.raises(ValueError, match="released"):
        m.__dlpack__()
    with pytest.raises(ValueError, match="released"):
        m.__dlpack_device__()


def test_formats_without_dlpack_type():
    rec = np.zeros(2, dtype=[("a", "<i4"), ("b", "<f8")])
    with pytest.raises(BufferError, match="no DLPack data type"):
        mv(rec).__dlpack__()
    with pytest.raises(TypeError):
        memview.from_dlpack(b"abc")  # no __dlpack__


def test_not_a_capsule():
    class Fake:
        def __dlpack_device__(self):
            return (KDLCPU, 0)

        def __dlpack__(self, **kw):
            return 42

    with pytest.raises(TypeError, match="DLPack capsule"):
        memview.from_dlpack(Fake())

    class OnGPU:
        def __dlpack_device__(self):
            return (2, 0)

        def __dlpack__(self, **kw):
            raise AssertionError("not to be called")

    with pytest.raises(BufferError):
        memview.from_dlpack(OnGPU())


@given(shape=st.lists(st.integers(0, 4), min_size=0, max_size=3),
       dtype=st.sampled_from(["int8", "uint16", "int32", "float32",
                              "float64", "int64"]),
       steps=st.lists(st.sampled_from([1, 2, -1, -2]), min_size=3,
                      max_size=3))
def test_round_trip_random(shape, dtype, steps):
    n = int(np.prod(shape)) if shape else 1
    a = (np.arange(n) % 50).astype(dtype).reshape(shape)
    if a.ndim:
        a = a[tuple(slice(None, None, s) for s in steps[:a.ndim])]
    v = memview.from_dlpack(a)
    assert v.shape == a.shape
    assert v.tolist() == a.tolist()
    if a.size:
        assert address(v) == address(a)
    b = np.from_dlpack(v)
    assert b.shape == a.shape and b.tolist() == a.tolist()
    if a.size:
        assert address(b) == address(a)
