"""Property tests: random exporters through random chains of operations.

Hypothesis draws an exporter (bytes, bytearray, array.array, or a
_testbuffer.ndarray with a random format, shape, strides, offset, Fortran
order and PIL-style suboffsets) and a chain of operations (slice, index,
cast, tolist, tobytes, hex, ==, hash, toreadonly, release, export, item and
slice assignment).  The chain runs once on the builtin memoryview and once on
memview.memoryview, each over its own copy of the exporter, and every step
must give the same result or raise the same exception type.
"""

import array
import struct

import pytest
from hypothesis import assume, given, note, settings
from hypothesis import strategies as st

from mvoracle import (BUILTIN, BUILTIN_FORMATS, OURS, agrees, canon,
                      fmt_range, outcome, py314_count, py314_index)

_testbuffer = pytest.importorskip("_testbuffer")
ndarray = _testbuffer.ndarray
ND_WRITABLE = _testbuffer.ND_WRITABLE
ND_FORTRAN = _testbuffer.ND_FORTRAN
ND_PIL = _testbuffer.ND_PIL
PyBUF_FULL_RO = _testbuffer.PyBUF_FULL_RO

# Formats for which the builtin unpacks items; a few others that the
# builtin views but cannot unpack (NotImplementedError on both sides).
ITEM_FORMATS = BUILTIN_FORMATS
OTHER_FORMATS = ["<i", ">h", "=q", "2s", "bb", "!d"]


# ---------------------------------------------------------------------------
# Exporters

def item_strategy(fmt):
    if fmt == "c":
        return st.binary(min_size=1, max_size=1)
    if fmt == "?":
        return st.booleans()
    if fmt in "fd":
        return st.floats(width=32 if fmt == "f" else 64)
    lo, hi = fmt_range(fmt)
    return st.one_of(st.integers(lo, hi - 1), st.sampled_from([lo, hi - 1, 0]))


def pack_items(fmt, items):
    return b"".join(struct.pack(fmt, x) for x in items)


@st.composite
def exporters(draw):
    """(description, factory): factory() makes a fresh, identical exporter."""
    kind = draw(st.sampled_from(["bytes", "bytearray", "array", "ndarray",
                                 "ndarray", "ndarray"]))
    if kind in ("bytes", "bytearray"):
        data = draw(st.binary(max_size=32))
        tp = bytes if kind == "bytes" else bytearray
        return ("%s(%r)" % (kind, data), lambda: tp(data))
    if kind == "array":
        tc = draw(st.sampled_from([t for t in array.typecodes if t != "u"]))
        items = draw(st.lists(item_strategy(tc), max_size=12))
        return ("array(%r, %r)" % (tc, items), lambda: array.array(tc, items))
    return draw(ndarrays())


@st.composite
def ndarrays(draw):
    other = draw(st.integers(0, 15)) == 0
    fmt = draw(st.sampled_from(OTHER_FORMATS if other else ITEM_FORMATS))
    itemsize = struct.calcsize(fmt)
    ndim = draw(st.integers(0, 3))
    shape = draw(st.lists(st.integers(0, 4), min_size=ndim, max_size=ndim))
    layout = draw(st.sampled_from(["C", "F", "strided"]))
    pil = ndim > 0 and draw(st.integers(0, 3)) == 0
    writable = draw(st.booleans())
    flags = (ND_WRITABLE if writable else 0) | (ND_PIL if pil else 0)
    strides = None
    offset = 0
    nitems = 1
    for s in shape:
        nitems *= s
    if layout == "F":
        flags |= ND_FORTRAN
    if layout == "strided" and ndim > 0:
        mult = draw(st.lists(st.integers(-3, 3), min_size=ndim,
                             max_size=ndim))
        strides = [m * itemsize for m in mult]
        lo = sum(min(0, m * (s - 1)) for m, s in zip(mult, shape) if s)
        hi = sum(max(0, m * (s - 1)) for m, s in zip(mult, shape) if s)
        nitems = hi - lo + 1
        offset = -lo * itemsize
    nitems = max(nitems, 1)
    if other:
        raw = draw(st.binary(min_size=nitems * itemsize,
                             max_size=nitems * itemsize))
        items = [x if len(x) > 1 else x[0]
                 for x in struct.iter_unpack(fmt, raw)]
    else:
        items = draw(st.lists(item_strategy(fmt), min_size=nitems,
                              max_size=nitems))
    if ndim == 0:
        items = items[0]
    kwargs = dict(shape=shape, format=fmt, flags=flags)
    if strides is not None:
        kwargs.update(strides=strides, offset=offset)

    def make():
        return ndarray(items, **kwargs)
    try:
        make()
    except (ValueError, TypeError, struct.error, OverflowError):
        assume(False)
    return ("ndarray(%r, **%r)" % (items, kwargs), make)


# ---------------------------------------------------------------------------
# Operations: each is (name, args); run_op applies one to a side's state.

small = st.integers(-6, 6)
opt_small = st.one_of(st.none(), small)
key_ints = st.integers(-6, 6)

operations = st.one_of(
    st.tuples(st.just("slice"), opt_small, opt_small,
              st.one_of(st.none(), st.sampled_from([1, 2, 3, -1, -2, 0]))),
    st.tuples(st.just("getitem"), st.one_of(
        key_ints, st.lists(key_ints, max_size=4).map(tuple),
        st.sampled_from([(), Ellipsis]))),
    st.tuples(st.just("cast"), st.sampled_from(ITEM_FORMATS + "X"),
              st.one_of(st.none(), st.lists(st.integers(0, 6), max_size=3))),
    st.tuples(st.just("tolist")),
    st.tuples(st.just("tobytes"), st.sampled_from(["C", "F", "A", None])),
    st.tuples(st.just("hex"), st.sampled_from([None, ":", b"-"]),
              st.integers(-4, 4)),
    st.tuples(st.just("eq"), st.sampled_from(["self", "base", "bytes",
                                             "copy", "fresh"])),
    st.tuples(st.just("hash")),
    st.tuples(st.just("toreadonly")),
    st.tuples(st.just("release")),
    st.tuples(st.just("export")),
    st.tuples(st.just("unexport")),
    st.tuples(st.just("attrs")),
    st.tuples(st.just("view")),
    st.tuples(st.just("other-view")),
    st.tuples(st.just("other-eq"), st.sampled_from(["self", "fresh"])),
    st.tuples(st.just("setitem"), st.one_of(
        key_ints, st.lists(key_ints, max_size=3).map(tuple),
        st.sampled_from([(), Ellipsis])),
        st.one_of(st.integers(-300, 300), st.integers(),
                  st.floats(allow_nan=False, width=32), st.booleans(),
                  st.binary(min_size=0, max_size=2))),
    st.tuples(st.just("count"), st.one_of(st.integers(-2, 2), st.sampled_from(
        [0.0, float("nan"), b"\x00", True, None]))),
    st.tuples(st.just("index"), st.one_of(st.integers(-2, 2), st.sampled_from(
        [0.0, b"\x00", False])), st.lists(st.integers(-8, 8), max_size=2)),
    st.tuples(st.just("setslice"), opt_small, opt_small,
              st.sampled_from([None, 1, 2, -1]), opt_small, opt_small,
              st.sampled_from([None, 1, 2, -1])),
)


class Side:
    def __init__(self, mv, make):
        self.mv = mv
        self.make = make
        self.exporter = make()
        self.base = mv(self.exporter)
        self.cur = self.base
        self.exports = []


def run_op(side, op):
    """Apply op to side; return the result to compare."""
    name = op[0]
    cur = side.cur
    if name == "slice":
        side.cur = cur[slice(*op[1:])]
        return side.cur
    if name == "getitem":
        return cur[op[1]]
    if name == "cast":
        fmt, shape = op[1], op[2]
        side.cur = cur.cast(fmt) if shape is None else cur.cast(fmt, shape)
        return side.cur
    if name == "tolist":
        return cur.tolist()
    if name == "tobytes":
        return cur.tobytes(op[1])
    if name == "hex":
        return cur.hex() if op[1] is None else cur.hex(op[1], op[2])
    if name == "eq":
        other = {"self": lambda: cur, "base": lambda: side.base,
                 "bytes": lambda: cur.tobytes(),
                 "copy": lambda: side.mv(cur.tobytes()).cast(
                     "B").cast(cur.format, cur.shape),
                 "fresh": lambda: side.mv(side.make())}[op[1]]()
        return (cur == other, other == cur, cur != other)
    if name == "hash":
        return hash(cur)
    if name == "toreadonly":
        side.cur = cur.toreadonly()
        return side.cur
    if name == "release":
        return cur.release()
    if name == "export":
        # A real buffer export (a builtin view of a builtin view would share
        # the exporter instead of exporting).
        side.exports.append(ndarray(cur, getbuf=PyBUF_FULL_RO))
        seen = BUILTIN(side.exports[-1])
        result = canon(seen)
        seen.release()
        return result
    if name == "unexport":
        side.exports = []
        return None
    if name == "attrs":
        return [outcome(getattr, cur, a) for a in (
            "format", "itemsize", "ndim", "shape", "strides", "suboffsets",
            "readonly", "nbytes", "c_contiguous", "f_contiguous",
            "contiguous")] + [outcome(len, cur), outcome(bool, cur),
                              outcome(lambda: list(cur))]
    if name == "view":
        side.cur = side.mv(cur)
        return side.cur
    if name == "other-view":
        # The other type's view of this one: the same layout and contents.
        other = OURS if side.mv is BUILTIN else BUILTIN
        seen = other(cur)
        result = canon(seen)
        seen.release()
        return result
    if name == "other-eq":
        other = OURS if side.mv is BUILTIN else BUILTIN
        x = other(cur) if op[1] == "self" else other(side.make())
        return (cur == x, x == cur, cur != x, x != cur)
    if name == "count":
        if side.mv is BUILTIN:  # Python 3.14's count(), see mvoracle
            return py314_count(cur, op[1])
        return cur.count(op[1])
    if name == "index":
        if side.mv is BUILTIN:
            return py314_index(cur, op[1], *op[2])
        return cur.index(op[1], *op[2])
    if name == "setitem":
        cur[op[1]] = op[2]
        return snapshot(side)
    if name == "setslice":
        dst = slice(*op[1:4])
        src = slice(*op[4:7])
        cur[dst] = cur[src]
        return snapshot(side)
    raise AssertionError(name)


def snapshot(side):
    try:
        return side.mv(side.exporter).tobytes()
    except Exception as e:  # noqa: BLE001
        return e


# Chains are cheap: twenty times the profile's example count.
@settings(max_examples=settings.default.max_examples * 20)
@given(exporters(), st.lists(operations, min_size=1, max_size=10))
def test_random_chains(exporter, ops):
    desc, make = exporter
    note(desc)
    builtin = Side(BUILTIN, make)
    ours = Side(OURS, make)
    assert canon(builtin.base) == canon(ours.base), desc
    for step, op in enumerate(ops):
        expected = outcome(run_op, builtin, op)
        got = outcome(run_op, ours, op)
        assert agrees(expected, got), (
            "step %d %r on %s\nbuiltin: %r\nmemview: %r"
            % (step, op, desc, expected, got))
        if expected != got:
            break  # memview did more than the builtin: the sides now differ


@settings(max_examples=settings.default.max_examples * 4)
@given(exporters())
def test_exporter_views_match(exporter):
    desc, make = exporter
    b, o = BUILTIN(make()), OURS(make())
    assert canon(b) == canon(o), desc
    # Re-exported through ours, the builtin sees the same view.
    assert canon(BUILTIN(o)) == canon(b), desc
    assert canon(OURS(o)) == canon(b), desc
    for order in ("C", "F", "A"):
        assert outcome(o.tobytes, order) == outcome(b.tobytes, order)
    assert outcome(o.hex) == outcome(b.hex)
    assert outcome(lambda: o == b) == outcome(lambda: b == BUILTIN(make()))
