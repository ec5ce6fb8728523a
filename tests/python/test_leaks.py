"""memview.memoryview gives back every reference and every byte it takes.

Reference counts of exporters and views must return to where they were after
every operation, failed ones included; and a long loop of operations must not
make the process grow.
"""

import array
import gc
import resource
import sys

import numpy as np
import pytest

from mvoracle import BUILTIN, OURS


def _ops():
    """(name, fn(view)) pairs; fn may raise."""
    return [
        ("slice", lambda m: m[1:-1:2]),
        ("item", lambda m: m[0]),
        ("item-out", lambda m: m[100]),
        ("cast", lambda m: m.cast("B").cast("b", [m.nbytes])),
        ("cast-bad", lambda m: m.cast("i", [7])),
        ("tolist", lambda m: m.tolist()),
        ("tobytes", lambda m: m.tobytes("F")),
        ("hex", lambda m: m.hex(":", 2)),
        ("eq", lambda m: (m == m[:], m == b"x", m != 1)),
        ("hash", lambda m: hash(m.toreadonly())),
        ("iter", lambda m: list(m)),
        ("count", lambda m: m.count(1)),
        ("index", lambda m: m.index(250)),
        ("setitem", lambda m: m.__setitem__(0, 7)),
        ("setitem-bad", lambda m: m.__setitem__(0, "x")),
        ("setslice", lambda m: m.__setitem__(slice(0, 2), m[2:4])),
        ("view", lambda m: OURS(m)[1:]),
        ("export", lambda m: BUILTIN(m).tolist()),
        ("numpy", lambda m: np.frombuffer(m, dtype="u1").sum()),
        ("bytes", lambda m: bytes(m)),
        ("obj", lambda m: m.obj),
        ("attrs", lambda m: (m.shape, m.strides, m.suboffsets, m.format)),
        ("with", lambda m: OURS(m).__enter__().release()),
    ]


@pytest.mark.parametrize("name,fn", _ops(), ids=[n for n, _ in _ops()])
def test_exporter_refcount_restored(name, fn):
    ex = bytearray(range(16))
    gc.collect()
    before = sys.getrefcount(ex)
    for _ in range(50):
        m = OURS(ex)
        try:
            fn(m)
        except Exception:  # noqa: BLE001 - failures must not leak either
            pass
        m.release()
        del m
    gc.collect()
    assert sys.getrefcount(ex) == before
    ex.append(0)  # no export is left behind


@pytest.mark.parametrize("name,fn", _ops(), ids=[n for n, _ in _ops()])
def test_view_refcount_restored(name, fn):
    m = OURS(bytearray(range(16)))
    gc.collect()
    before = sys.getrefcount(m)
    for _ in range(50):
        try:
            fn(m)
        except Exception:  # noqa: BLE001
            pass
    gc.collect()
    assert sys.getrefcount(m) == before
    m.release()  # no export of m is left behind


def test_refcounts_of_arguments():
    value = 12345678
    fmt = "".join(["i"])
    m = OURS(array.array("i", [1, 2, 3]))
    before_v, before_f = sys.getrefcount(value), sys.getrefcount(fmt)
    for _ in range(100):
        m[0] = value
        m.cast("B").cast(fmt)
        m.count(value)
        try:
            m.index(value, 1)
        except ValueError:
            pass
    assert sys.getrefcount(value) == before_v
    assert sys.getrefcount(fmt) == before_f


def _maxrss_kib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def test_no_growth_over_many_operations():
    ops = [fn for _, fn in _ops()]
    nd = np.arange(64, dtype="u1").reshape(8, 8)[::2, ::-3]

    def work(rounds):
        for _ in range(rounds):
            for fn in ops:
                m = OURS(bytearray(range(16)))
                try:
                    fn(m)
                except Exception:  # noqa: BLE001
                    pass
                m.release()
            v = OURS(nd)
            v.tobytes()
            v.tolist()
            v == v
            v.release()

    work(300)  # warm up allocator and caches
    gc.collect()
    start = _maxrss_kib()
    work(3000)
    gc.collect()
    grown = _maxrss_kib() - start
    # 3000 rounds of ~25 operations: a leak of even 64 bytes per operation
    # would add about 5 MiB.
    assert grown < 4096, "max RSS grew by %d KiB" % grown
