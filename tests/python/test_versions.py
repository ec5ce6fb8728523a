"""memview.memoryview behaves like the builtin of the interpreter running it.

Behaviour that changed between CPython versions (len() of a 0-D view,
memoryview._from_flags, the half-float format 'e', argument conversions,
PEP 688's __buffer__) is compared here against the running interpreter's
own memoryview: the same operations on both, the same results or the same
exception with the same message.  Plain unittest, so that every interpreter
runs it (``make check-pythons`` under each; pytest collects it too):

    PYTHONPATH=build/python3.12 python3.12 -m unittest -v \
        tests/python/test_versions.py

What memview deliberately does more of (N-D slicing and assignment,
count()/index() of Python 3.14 on every version) is tested as such, not
against the builtin.
"""

import array
import itertools
import os
import struct
import sys
import unittest

try:
    import memview
except ImportError:  # pragma: no cover - run from the source tree
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), os.pardir,
                                    os.pardir, "build", "python"))
    import memview

try:
    from _testbuffer import ndarray, PyBUF_FULL_RO
except ImportError:  # pragma: no cover - CPython always builds it
    ndarray = None

OURS = memview.memoryview
BUILTIN = memoryview
PY = sys.version_info[:2]


def outcome(fn):
    """What fn() gives: ("ok", value) or (exception type name, message)."""
    try:
        value = fn()
    except Exception as e:  # noqa: BLE001 - every exception is compared
        return type(e).__name__, str(e)
    if isinstance(value, (BUILTIN, OURS)):
        value = ("view", value.format, value.shape, value.strides,
                 value.readonly, value.tobytes())
    return "ok", value


class Index:
    def __init__(self, i):
        self.i = i

    def __index__(self):
        return self.i


# Before 3.12 the builtin refuses to cast to 'e'; memview casts.
HALF_REFUSED = ("ValueError", "memoryview: destination format must be a "
                "native single character format prefixed with an optional "
                "'@'")


def same_or_more(exp, got):
    """got (memview) matches exp (the builtin), or the builtin refused with
    NotImplementedError something memview does (N-D sub-views, 'e' items
    before 3.12), or refused a cast to 'e' that memview makes (or refuses
    for 3.12's reason, a cast between two non-byte formats): a superset,
    which other tests check on their own."""
    return (exp == got or exp[0] == "NotImplementedError"
            or (exp == HALF_REFUSED and got[0] in ("ok", "TypeError")))


RELEASED = ("ValueError", "operation forbidden on released memoryview object")

# The builtin's own bugs, not copied: from 3.10, iter() of a released view
# returns an iterator with an exception left set (the next call then fails
# with SystemError). memview raises the release error.
BUILTIN_BUGS = {("released", "iter"), ("released", "next")} \
    if sys.version_info >= (3, 10) else set()


def zero_d(mv):
    return mv(struct.pack("i", 7)).cast("i", [])


def released(mv):
    m = mv(b"abc")
    m.release()
    return m


# Views of several layouts, each a function of the type to build it with.
VIEWS = {
    "bytes": lambda mv: mv(b"abcdef"),
    "bytearray": lambda mv: mv(bytearray(b"abcdef")),
    "empty": lambda mv: mv(b""),
    "array i": lambda mv: mv(array.array("i", [1, -2, 3, 4])),
    "array d": lambda mv: mv(array.array("d", [0.5, -1.0])),
    "cast c": lambda mv: mv(b"abcd").cast("c"),
    "cast ?": lambda mv: mv(b"\x00\x01").cast("?"),
    "cast 2x3": lambda mv: mv(bytearray(b"abcdef")).cast("B", [2, 3]),
    "0-D": zero_d,
    "step 2": lambda mv: mv(b"abcdef")[::2],
    "reversed": lambda mv: mv(bytearray(b"abcdef"))[::-1],
    "released": released,
}

OPS = {
    "len": len,
    "bool": bool,
    "list": list,
    "iter": lambda m: (iter(m), "made")[1],
    "next": lambda m: next(iter(m)),
    "has __iter__": lambda m: hasattr(m, "__iter__"),
    "tolist": lambda m: m.tolist(),
    "tobytes": lambda m: m.tobytes(),
    "tobytes A": lambda m: m.tobytes("A"),
    "hex": lambda m: m.hex(),
    "hex sep": lambda m: m.hex(":", 2),
    "hex sep -1": lambda m: m.hex(b" ", -1),
    "hex float": lambda m: m.hex(":", 2.0),
    "hex big": lambda m: m.hex(":", 2 ** 40),
    "hex index": lambda m: m.hex(":", Index(3)),
    "m[0]": lambda m: m[0],
    "m[-1]": lambda m: m[-1],
    "m[9]": lambda m: m[9],
    "m[()]": lambda m: m[()],
    "m[...]": lambda m: m[...],
    "m[1.5]": lambda m: m[1.5],
    "m['a']": lambda m: m["a"],
    "m[1:3]": lambda m: m[1:3],
    "m[0, 0]": lambda m: m[0, 0],
    "m[Index(1)]": lambda m: m[Index(1)],
    "m[0] = 1": lambda m: m.__setitem__(0, 1),
    "m[0] = b'x'": lambda m: m.__setitem__(0, b"x"),
    "m[0] = 1.5": lambda m: m.__setitem__(0, 1.5),
    "== bytes": lambda m: m == b"abcdef",
    "hash": lambda m: hash(m.toreadonly()),
    "cast B": lambda m: m.cast("B"),
    "cast e": lambda m: m.cast("e"),
    "cast @e": lambda m: m.cast("@e"),
    "cast e 1-D": lambda m: m.cast("B").cast("e") if m.nbytes % 2 == 0
    else None,
    "cast e list": lambda m: m.cast("B")[:4].cast("e").tolist()
    if m.nbytes >= 4 else None,
    "tobytes None": lambda m: m.tobytes(order=None),
    "tobytes F": lambda m: m.tobytes("F"),
    "tobytes X": lambda m: m.tobytes("X"),
    "tobytes 1": lambda m: m.tobytes(1),
    "hex ::": lambda m: m.hex("::"),
    "hex int": lambda m: m.hex(1),
    "hex non-ASCII": lambda m: m.hex("\u00e9"),
    "hex None": lambda m: m.hex(None),
    "m[::0]": lambda m: m[::0],
    "m[::-1]": lambda m: m[::-1],
    "m[1:] == m[:-1]": lambda m: m[1:] == m[:-1],
    "== self": lambda m: m == m,
    "!= str": lambda m: m != "abc",
    "m[0:1] = b'z'": lambda m: m.__setitem__(slice(0, 1), b"z"),
    "m[:] = m": lambda m: m.__setitem__(slice(None), m),
    "del m[0]": lambda m: m.__delitem__(0),
    "hash writable": lambda m: hash(m),
    "cast i": lambda m: m.cast("i"),
    "cast B 2x3": lambda m: m.cast("B", (2, 3)),
    "cast 1": lambda m: m.cast(1),
    "cast B [0]": lambda m: m.cast("B", [0]),
    "cast c []": lambda m: m.cast("c", []),
    "memoryview(m)": lambda m: type(m)(m),
    "obj kind": lambda m: type(m.obj).__name__,
    "attrs": lambda m: (m.nbytes, m.readonly, m.itemsize, m.format, m.ndim,
                        m.shape, m.strides, m.suboffsets, m.c_contiguous,
                        m.f_contiguous, m.contiguous),
    "tobytes 2 args": lambda m: m.tobytes("C", 1),
    "tobytes order=1": lambda m: m.tobytes(order=1),
    "tobytes NUL": lambda m: m.tobytes("C\0"),
    "cast 3 args": lambda m: m.cast("B", [1], 1),
    "cast b'B'": lambda m: m.cast(b"B"),
    "cast shape=": lambda m: m.cast("B", shape=[m.nbytes]),
    "hex 3 args": lambda m: m.hex(":", 1, 2),
    "hex sep=": lambda m: m.hex(sep="-", bytes_per_sep=3),
    "toreadonly": lambda m: m.toreadonly(),
    "repr kind": lambda m: repr(m).split(" at ")[0],
    "release twice": lambda m: (m.release(), m.release()),
    "enter": lambda m: m.__enter__() is m,
}


class TestAgainstBuiltin(unittest.TestCase):
    """Every operation of OPS on every view of VIEWS, ours and the
    builtin's, with the same outcome."""

    def test_operations(self):
        differences = []
        for (vname, make), (oname, op) in itertools.product(VIEWS.items(),
                                                           OPS.items()):
            if (vname, oname) in BUILTIN_BUGS:
                exp = RELEASED
            else:
                exp = outcome(lambda: op(make(BUILTIN)))
            got = outcome(lambda: op(make(OURS)))
            if not same_or_more(exp, got):
                differences.append("%s / %s: builtin %r, memview %r"
                                   % (vname, oname, exp, got))
        self.assertFalse(differences, "\n".join(differences))

    def test_zero_d_length(self):
        # Python 3.12 made len() of a 0-D view a TypeError.
        exp = outcome(lambda: len(zero_d(BUILTIN)))
        self.assertEqual(outcome(lambda: len(zero_d(OURS))), exp)
        if PY >= (3, 12):
            self.assertEqual(exp, ("TypeError", "0-dim memory has no length"))
        else:
            self.assertEqual(exp, ("ok", 1))

    def test_half_float(self):
        # 'e' items: Python 3.12 added them to memoryview.
        raw = struct.pack("<4e", 1.5, -2.0, 0.0, 65504.0)
        for fn in (lambda mv: mv(raw).cast("e").tolist(),
                   lambda mv: mv(raw).cast("e")[1],
                   lambda mv: mv(bytearray(raw)).cast("e").__setitem__(0, 2),
                   lambda mv: mv(raw).cast("e") == mv(raw).cast("e"),
                   lambda mv: mv(raw).cast("e").cast("B").tolist(),
                   lambda mv: mv(raw).cast("@e", [2, 2]).shape,
                   lambda mv: mv(raw)[::2].cast("e"),
                   lambda mv: mv(raw).cast("e", [2] * 65),
                   lambda mv: mv(raw).cast("e", {})):
            exp = outcome(lambda: fn(BUILTIN))
            got = outcome(lambda: fn(OURS))
            self.assertTrue(same_or_more(exp, got), (exp, got))
        refused = outcome(lambda: BUILTIN(raw).cast("e"))
        if PY < (3, 12):
            self.assertEqual(refused, HALF_REFUSED)
        else:
            self.assertEqual(refused[0], "ok")
        # where the builtin refuses, memview does the work: 3.12's answers
        self.assertEqual(OURS(raw).cast("e").tolist(),
                         list(struct.unpack("4e", raw)))
        self.assertEqual(OURS(raw).cast("@e", [2, 2]).shape, (2, 2))
        ba = bytearray(raw)
        OURS(ba).cast("e")[0] = 2
        self.assertEqual(ba[:2], struct.pack("e", 2.0))
        if ndarray is not None:
            nd = ndarray(list(range(4)), shape=[4], format="e")
            for fn in (lambda mv: mv(nd).tolist(), lambda mv: mv(nd)[0],
                       lambda mv: mv(nd) == nd, lambda mv: list(mv(nd)),
                       lambda mv: mv(nd).cast("B").nbytes):
                exp = outcome(lambda: fn(BUILTIN))
                got = outcome(lambda: fn(OURS))
                self.assertTrue(same_or_more(exp, got), (exp, got))
            # memview reads 'e' items on every version
            self.assertEqual(OURS(nd).tolist(), [0.0, 1.0, 2.0, 3.0])


@unittest.skipIf(ndarray is None, "needs _testbuffer")
class TestFromFlags(unittest.TestCase):
    """memoryview._from_flags(object, flags), Python 3.12's classmethod."""

    def test_present_as_in_builtin(self):
        self.assertEqual(hasattr(OURS, "_from_flags"),
                         hasattr(BUILTIN, "_from_flags"))
        self.assertEqual(hasattr(OURS, "_from_flags"), PY >= (3, 12))

    def test_same_views(self):
        if not hasattr(BUILTIN, "_from_flags"):
            self.skipTest("Python %d.%d has no memoryview._from_flags" % PY)
        import inspect
        flags = [int(f) for f in inspect.BufferFlags] + [PyBUF_FULL_RO]
        exporters = {
            "bytes": lambda: b"abcdef",
            "bytearray": lambda: bytearray(b"abcdef"),
            "array": lambda: array.array("h", [1, 2, 3]),
            "nd 2x3": lambda: ndarray(list(range(6)), shape=[2, 3],
                                      format="B"),
            "nd strided": lambda: ndarray(list(range(12)), shape=[12],
                                          format="i")[::3],
            "nd fortran": lambda: ndarray(list(range(6)), shape=[2, 3],
                                          format="h", flags=0x0002),
            "builtin view": lambda: BUILTIN(bytearray(b"xyz"))[::2],
            "not an exporter": lambda: "text",
        }
        differences = []
        for (name, make), flag in itertools.product(exporters.items(), flags):
            if self._formatless_wide(make, flag):
                continue

            def op(mv):
                m = mv._from_flags(make(), flag)
                return m, m.tolist(), m.ndim, m.nbytes, m.c_contiguous
            exp = outcome(lambda: op(BUILTIN))
            got = outcome(lambda: op(OURS))
            if exp != got and not (exp[0] == got[0] == "ok" and
                                   self._same(exp[1], got[1])):
                differences.append("%s, flags %#x: builtin %r, memview %r"
                                   % (name, flag, exp, got))
        self.assertFalse(differences, "\n".join(differences))
        for args in ((), (b"a",), (b"a", 1.5), (b"a", 2 ** 40), (b"a", 0, 1)):
            self.assertEqual(outcome(lambda: OURS._from_flags(*args)),
                             outcome(lambda: BUILTIN._from_flags(*args)),
                             args)
        m = OURS._from_flags(object=b"ab", flags=0)
        self.assertIsInstance(m, OURS)

    @staticmethod
    def _formatless_wide(make, flag):
        """A buffer asked without PyBUF_FORMAT, of items wider than a byte:
        the builtin then shows format 'B' with the exporter's itemsize and
        reads one byte of each item; memview, whose views always agree with
        their format, refuses such a buffer (a known difference of this
        private constructor only: memoryview() always asks for the
        format)."""
        try:
            obj = make()
            itemsize = BUILTIN(obj).itemsize
        except TypeError:
            return False
        if flag & 0x4 or itemsize == 1:
            return False
        got = outcome(lambda: OURS._from_flags(obj, flag))
        builtin = outcome(lambda: BUILTIN._from_flags(obj, flag))
        if builtin[0] != "ok":
            return False
        assert got == ("ValueError", "memoryview: itemsize %d does not match "
                       "format 'B'" % itemsize), got
        return True

    @staticmethod
    def _same(a, b):
        va, vb = a[0], b[0]
        return (a[1:] == b[1:] and
                (va.format, va.shape, va.strides, va.readonly, va.tobytes())
                == (vb.format, vb.shape, vb.strides, vb.readonly,
                    vb.tobytes()))


class TestBufferProtocolMethods(unittest.TestCase):
    def test_pep688_methods(self):
        # Python 3.12 gives every exporter __buffer__ / __release_buffer__.
        for name in ("__buffer__", "__release_buffer__"):
            self.assertEqual(hasattr(OURS(b"a"), name),
                             hasattr(BUILTIN(b"a"), name), name)
        if PY >= (3, 12):
            m = OURS(b"abc")
            inner = m.__buffer__(0)
            self.assertIsInstance(inner, BUILTIN)
            self.assertEqual(inner.tobytes(), b"abc")
            self.assertRaises(BufferError, m.release)
            m.__release_buffer__(inner)
            m.release()


class TestSuperset(unittest.TestCase):
    """Python 3.14's count() and index() on every version."""

    def test_count_index(self):
        m = OURS(b"abcabc")
        self.assertEqual(m.count(ord("b")), 2)
        self.assertEqual(m.index(ord("c")), 2)
        self.assertEqual(m.index(ord("c"), 3), 5)
        self.assertEqual(m.index(ord("a"), Index(1), 2 ** 70), 3)
        for args, msg in (((), "index expected at least 1 argument, got 0"),
                          ((1, 2, 3, 4),
                           "index expected at most 3 arguments, got 4"),
                          ((97, 1.5), "slice indices must be integers or "
                           "have an __index__ method")):
            self.assertEqual(outcome(lambda: m.index(*args)),
                             ("TypeError", msg))
        self.assertEqual(outcome(lambda: m.index(ord("z"))),
                         ("ValueError", "memoryview.index(x): x not found"))

    def test_hash_equals_bytes_hash(self):
        for raw in (b"", b"a", b"abcdefg", bytes(range(256)) * 3):
            self.assertEqual(hash(OURS(raw)), hash(raw))
            self.assertEqual(hash(OURS(raw)[::-1]), hash(raw[::-1]))


if __name__ == "__main__":
    unittest.main()
