"""Formats the builtin memoryview refuses: the struct module's whole
language and PEP 3118's records, read by memview.

Oracles: the builtin where it answers (== of views in different byte
orders goes through struct in both), NumPy for structured dtypes.
"""

import struct

import numpy as np
import pytest
from hypothesis import given, settings
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
