"""Side-by-side comparison of memview.memoryview with the builtin memoryview.

The pattern every parity test uses:

    both(lambda mv: mv(bytearray(b"abc"))[1:][0])

runs the function once with the builtin ``memoryview`` and once with
``memview.memoryview`` and asserts that the two outcomes are the same: an
equal result (compared after ``canon``), or an exception of the same type
with the same message.  The function builds its own exporter, so that each
side works on its own copy of the data.
"""

import builtins
import math
import operator
import re
import struct
import sys

import memview

BUILTIN = builtins.memoryview
OURS = memview.memoryview
MV_TYPES = (BUILTIN, OURS)

# The native single-character formats of the struct module, as memoryview
# knows them.
NATIVE_FORMATS = "cbB?hHiIlLqQnNefdP"
INT_FORMATS = "bBhHiIlLqQnNP"


def _builtin_knows(fmt):
    try:
        BUILTIN(bytes(16)).cast(fmt)
    except ValueError:
        return False
    return True


# The formats this Python's builtin memoryview supports: the oracle for
# these is the builtin itself.  memview also reads and writes 'e' items (half
# floats) on every version, though it casts to 'e' only where the running
# builtin does (3.12 on); where the builtin lacks a format, struct is the
# oracle.
BUILTIN_FORMATS = "".join(f for f in NATIVE_FORMATS if _builtin_knows(f))
EXTRA_FORMATS = "".join(f for f in NATIVE_FORMATS if f not in BUILTIN_FORMATS)


def fmt_range(fmt):
    """(lo, hi) of the integers that format fmt accepts, hi exclusive."""
    size = struct.calcsize(fmt)
    if fmt in "bhilqn":
        return -(1 << (8 * size - 1)), 1 << (8 * size - 1)
    return 0, 1 << (8 * size)


def is_memoryview(x):
    return isinstance(x, MV_TYPES)


def _released(m):
    try:
        m.format
    except ValueError:
        return True
    return False


def _canon_msg(msg):
    msg = msg.replace("memview.memoryview", "memoryview")
    return re.sub(r"0x[0-9a-fA-F]+", "0x?", msg)


def canon(x):
    """A value that compares equal across builtin and memview results.

    Views become a tuple of their attributes and contents; floats keep their
    sign and NaN-ness; bool and int stay apart."""
    if is_memoryview(x):
        if _released(x):
            return ("released-memoryview",)
        fmt = x.format[1:] if x.format.startswith("@") else x.format
        if fmt not in NATIVE_FORMATS or len(fmt) != 1:
            # a format the builtin cannot read: memview reads its items
            # (checked against struct, _testbuffer and NumPy in
            # test_formats.py); both sides compare by their bytes here
            contents = ("bytes", x.tobytes())
        else:
            try:
                contents = ("list", canon(x.tolist()))
            except NotImplementedError:
                contents = ("bytes", x.tobytes())
        return ("memoryview", x.format, x.itemsize, x.ndim, x.shape,
                x.strides, x.suboffsets, x.readonly, x.nbytes,
                x.c_contiguous, x.f_contiguous, x.contiguous, contents)
    if isinstance(x, float):
        if math.isnan(x):
            return ("float", "nan")
        return ("float", repr(x))
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, tuple(canon(i) for i in x))
    if isinstance(x, BaseException):
        return ("exception", type(x), _canon_msg(str(x)))
    if isinstance(x, (bool, int, str, bytes, bytearray, type(None))):
        return (type(x).__name__, x)
    return ("other", type(x).__name__, x)


def outcome(fn, *args):
    """('ok', canon(result)) or ('raise', exception type, message)."""
    try:
        result = fn(*args)
    except Exception as e:  # noqa: BLE001 - every exception is compared
        return ("raise", type(e), _canon_msg(str(e)))
    return ("ok", canon(result))


# Where the builtin raises NotImplementedError with one of these messages,
# memview.memoryview does more (NumPy's semantics, which test_beyond.py
# checks): its outcome is not compared with the builtin's there.
BEYOND_BUILTIN = frozenset({
    "sub-views are not implemented",
    "multi-dimensional sub-views are not implemented",
    "multi-dimensional slicing is not implemented",
    "memoryview slice assignments are currently restricted to ndim = 1",
})


# The builtin refuses keys mixing indexes and slices, and (before looking
# at the key) formats it cannot unpack; memview selects a view for such
# keys, or reports what is wrong with the key as NumPy would.
KEY_ERRORS = (
    (IndexError, "index out of bounds on dimension "),
    (TypeError, "cannot index "),
    (TypeError, "a bytes-like object is required"),
    (ValueError, "memoryview assignment: lvalue and rvalue have different "
                 "structures"),
    (ValueError, "no field of name "),  # a str key of a record view
)


def beyond_builtin(expected, got=None):
    """The builtin's outcome refuses a feature memview implements."""
    if expected[0] != "raise":
        return False
    if expected[1] is NotImplementedError and expected[2] in BEYOND_BUILTIN:
        return True
    if got is None:
        return False
    if (expected[1] is TypeError and expected[2] ==
            "memoryview: casts are restricted to C-contiguous views"):
        # an F-contiguous view cast to 1-D (CPython's gh-91484, which the
        # builtin before it refuses); test_beyond.py checks that strided
        # views stay refused
        # (or refuses it by a later rule of the cast)
        if got[0] == "raise":
            return refuses_format(got) or any(
                got[1] is exc and got[2].startswith(msg)
                for exc, msg in FORMAT_ERRORS)
        return (got[0] == "ok" and isinstance(got[1], tuple)
                and got[1][0] == "memoryview" and len(got[1][4]) == 1)
    if refuses_format(expected):
        # memview reads every format that compiles (test_formats.py holds
        # the oracles); it may then fail later for another reason
        return got[0] == "ok" or any(
            got[1] is exc and got[2].startswith(msg)
            for exc, msg in KEY_ERRORS + FORMAT_ERRORS)
    if not (expected[1] is TypeError
            and expected[2] == "memoryview: invalid slice key"):
        return False
    if got[0] == "ok":
        return True
    return any(got[1] is exc and got[2].startswith(msg)
               for exc, msg in KEY_ERRORS)


# The builtin's refusals of a format (item access, tolist, cast): memview
# compiles the struct module's whole language and PEP 3118's additions.
def refuses_format(expected):
    exc, msg = expected[1], expected[2]
    return ((exc is NotImplementedError
             and (msg.startswith("memoryview: unsupported format")
                  or (msg.startswith("memoryview: format ")
                      and msg.endswith(" not supported"))))
            or (exc is ValueError and msg.startswith(
                "memoryview: destination format must be a native single "
                "character format")))


# What memview may answer where the builtin refused the format.
FORMAT_ERRORS = (
    (TypeError, "memoryview: length is not a multiple of itemsize"),
    (TypeError, "memoryview: cannot cast between two non-byte formats"),
    (TypeError, "memoryview: product(shape) * itemsize != buffer size"),
    (TypeError, "memoryview: invalid type for format"),
    (ValueError, "memoryview: destination format '"),  # says why
    (ValueError, "memoryview: invalid value for format"),
    (ValueError, "memoryview.index(x): x not found"),
    (TypeError, "cannot modify read-only memory"),
    (TypeError, "cannot delete memory"),
    (TypeError, "invalid indexing of 0-dim memory"),
    (TypeError, "invalid lookup on 0-dim memory"),
    (NotImplementedError, "multi-dimensional "),
    (NotImplementedError, "sub-views are not implemented"),
)


def _decoded(c):
    """An outcome that canon() turned into ('tuple', ...), back as one."""
    if (isinstance(c, tuple) and len(c) == 2 and c[0] == "tuple"
            and isinstance(c[1], tuple) and len(c[1]) == 3
            and c[1][0] == ("str", "raise") and c[1][1][0] == "other"):
        return ("raise", c[1][1][2], c[1][2][1])
    if (isinstance(c, tuple) and len(c) == 2 and c[0] == "tuple"
            and isinstance(c[1], tuple) and len(c[1]) == 2
            and c[1][0] == ("str", "ok")):
        return ("ok", c[1][1])
    return None


def _agrees_deep(a, b):
    """a == b, but outcomes nested anywhere inside (a list of outcomes,
    say) also agree where the builtin refuses what memview does."""
    if a == b:
        return True
    for x, y in ((a, b), (_decoded(a), _decoded(b))):
        if (isinstance(x, tuple) and isinstance(y, tuple) and x
                and x[0] == "raise" and len(x) == 3
                and beyond_builtin(x, y)):
            return True
    if (isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b)
            and a and not (a[0] == "raise" or b[0] == "raise")):
        return all(_agrees_deep(x, y) for x, y in zip(a, b))
    return False


def agrees(expected, got):
    """memview's outcome got matches the builtin's expected one."""
    return beyond_builtin(expected, got) or _agrees_deep(expected, got)


def same(a, b, messages=True):
    if beyond_builtin(a, b):
        return True
    if a[0] == "raise" and b[0] == "raise" and not messages:
        return a[1] is b[1]
    return _agrees_deep(a, b)


def both(fn, messages=True):
    """Run fn(builtin memoryview) and fn(memview.memoryview); assert the
    outcomes are the same; return the builtin's outcome."""
    expected = outcome(fn, BUILTIN)
    got = outcome(fn, OURS)
    assert same(expected, got, messages), (
        "builtin: %r\nmemview: %r" % (expected, got))
    return expected


def both_raise(fn, exc=None, messages=True):
    """both(), and the builtin must raise (exc, if given)."""
    expected = both(fn, messages)
    assert expected[0] == "raise", "builtin did not raise: %r" % (expected,)
    if exc is not None:
        assert issubclass(expected[1], exc), expected
    return expected


def pair(make, ctor=None):
    """(builtin view, memview view) of two exporters built by make()."""
    if ctor is None:
        return BUILTIN(make()), OURS(make())
    return ctor(BUILTIN, make()), ctor(OURS, make())


# count() and index() arrived in Python 3.14.  Their oracle is written here
# on top of this Python's builtin view, following 3.14's definitions:
# count() iterates the view (so it fails where iteration fails) and counts
# items that are the value or equal to it; index() converts start and stop as
# list.index() does (integers or __index__, clamped), then refuses released,
# 0-dim and multi-dimensional views, then searches item by item.
# One deliberate difference: count() on a released view raises the usual
# ValueError first (CPython's iterator looks at ndim before it notices the
# release, and on a released 1-D view ends in a SystemError).

def py314_count(m, value):
    m.ndim  # ValueError on a released view
    n = 0
    for item in m:
        if item is value or item == value:
            n += 1
    return n


def _slice_index(v):
    if not hasattr(type(v), "__index__"):
        raise TypeError("slice indices must be integers or have an "
                        "__index__ method")
    v = operator.index(v)
    return max(-sys.maxsize - 1, min(sys.maxsize, v))


def py314_index(m, value, start=0, stop=sys.maxsize):
    start, stop = _slice_index(start), _slice_index(stop)
    ndim = m.ndim  # ValueError on a released view
    if ndim == 0:
        raise TypeError("invalid lookup on 0-dim memory")
    if ndim != 1:
        raise NotImplementedError(
            "multi-dimensional lookup is not implemented")
    n = m.shape[0]
    if start < 0:
        start = max(start + n, 0)
    if stop < 0:
        stop = max(stop + n, 0)
    for i in range(start, min(stop, n)):
        item = m[i]
        if item is value or item == value:
            return i
    raise ValueError("memoryview.index(x): x not found")

