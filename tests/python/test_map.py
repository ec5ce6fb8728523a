"""memview.map(): ranges of files as memview.memoryview, checked against the
file read with open() and against Python's mmap; errors as mmap and open()
give them; writable maps through flush(); views of mappings (ours,
mmap.mmap) raising OSError, not dying of SIGBUS, when the file shrinks.
"""

import mmap
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import memview


@pytest.fixture
def datafile(tmp_path):
    data = os.urandom(3 * 4096 + 123)
    path = tmp_path / "data"
    path.write_bytes(data)
    return path, data


@settings(max_examples=80, deadline=None)
@given(offset=st.integers(0, 3 * 4096 + 122), length=st.none() | st.integers(1, 13000))
def test_ranges(tmp_path_factory, offset, length):
    path = tmp_path_factory.getbasetemp() / "ranges"
    if not path.exists():
        path.write_bytes(os.urandom(3 * 4096 + 123))
    data = path.read_bytes()
    if length is not None and offset + length > len(data):
        with pytest.raises(ValueError, match="mmap length is greater"):
            memview.map(path, offset, length)
        return
    with memview.map(path, offset, length) as m:
        assert type(m) is memview.memoryview
        want = data[offset:] if length is None else data[offset:offset + length]
        assert m.readonly and m.nbytes == len(want)
        assert m.tobytes() == want
        assert m == want
        assert m[::7].tobytes() == want[::7]
        assert m.hex() == want.hex()


def test_errors_match_mmap_and_open(tmp_path, datafile):
    path, data = datafile
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    cases = [
        ((empty,), ValueError, "cannot mmap an empty file"),
        ((path, len(data)), ValueError, "mmap offset is greater than file size"),
        ((path, 0, len(data) + 1), ValueError,
         "mmap length is greater than file size"),
        ((path, 0, 0), ValueError, "cannot mmap an empty range"),
        ((path, -1), OverflowError, "memory mapped offset must be positive"),
        ((path, 0, -1), OverflowError, "memory mapped length must be positive"),
    ]
    for args, exc, msg in cases:
        with pytest.raises(exc) as info:
            memview.map(*args)
        assert str(info.value) == msg
    # The builtin mmap's words for the same cases.
    with open(empty, "rb") as f, pytest.raises(ValueError) as info:
        mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    assert str(info.value) == "cannot mmap an empty file"
    with open(path, "rb") as f, pytest.raises(ValueError) as info:
        mmap.mmap(f.fileno(), len(data) + 1, access=mmap.ACCESS_READ)
    assert str(info.value) == "mmap length is greater than file size"

    missing = tmp_path / "missing"
    with pytest.raises(FileNotFoundError) as got:
        memview.map(missing)
    with pytest.raises(FileNotFoundError) as want:
        open(missing, "rb")
    assert str(got.value) == str(want.value)
    with pytest.raises(IsADirectoryError) as got:
        memview.map(tmp_path)
    assert got.value.filename == str(tmp_path)


def test_fifo_and_stdin_refused_without_waiting(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(OSError) as info:
        memview.map(fifo)  # no writer: must not block
    assert "a FIFO cannot be mapped" in str(info.value)
    assert info.value.filename == str(fifo)
    code = ("import memview\ntry:\n memview.map('/dev/stdin')\n"
            "except OSError as e:\n print(type(e).__name__, e)\n")
    p = subprocess.run([sys.executable, "-c", code], stdin=subprocess.PIPE,
                       capture_output=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith(b"OSError [Errno 19]"), p.stdout


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file modes")
def test_permission(datafile):
    path, _ = datafile
    os.chmod(path, 0o400)
    with pytest.raises(PermissionError):
        memview.map(path, writable=True)


def test_writable_round_trip(datafile):
    path, data = datafile
    with memview.map(path, 4096 + 5, 5000, writable=True) as m:
        assert not m.readonly
        m[0] = 0xAB
        m[-3:] = b"xyz"
        m[100:110].cast("B")[::2] = b"\x01\x02\x03\x04\x05"
        m[-3:].flush()
        m.flush()
    want = bytearray(data)
    want[4096 + 5] = 0xAB
    want[4096 + 5 + 4997:4096 + 5 + 5000] = b"xyz"
    want[4096 + 105:4096 + 115:2] = b"\x01\x02\x03\x04\x05"
    with open(path, "rb") as f:  # a fresh read, not through a mapping
        assert f.read() == bytes(want)


def test_flush_needs_our_mapping(datafile):
    with pytest.raises(TypeError):
        memview.memoryview(bytearray(3)).flush()
    path, _ = datafile
    m = memview.map(path)
    m.release()
    with pytest.raises(ValueError, match="released"):
        m.flush()


def test_context_manager_and_exports(datafile):
    path, data = datafile
    with memview.map(path) as m:
        a = np.frombuffer(m, dtype=np.uint8)
        with pytest.raises(BufferError):
            m.release()
        assert a[:10].tobytes() == data[:10]
        del a
    with pytest.raises(ValueError, match="released"):
        m[0]
    # The mapping is gone from the process once the block ends.
    with open("/proc/self/maps") as f:
        assert str(path) not in f.read()


def test_sparse_64g(tmp_path):
    path = tmp_path / "big"
    size = 64 << 30
    with open(path, "wb") as f:
        f.truncate(size)
        f.seek(size - 7)
        f.write(b"the end")
        f.seek(61 << 30)
        f.write(np.arange(1000, dtype="<d").tobytes())
    with memview.map(path, size - 7) as m:
        assert m.tobytes() == b"the end"
    with memview.map(path) as m:
        assert m.nbytes == size
        assert m[-7:].tobytes() == b"the end"
        part = m[61 << 30:(61 << 30) + 8000].cast("d")
        assert part.tolist() == list(np.arange(1000, dtype="d"))
        part.release()
    os.unlink(path)


# ---- faults -------------------------------------------------------------

OPS = {
    "tobytes": "v.tobytes()",
    "tobytes_strided": "v[::3].tobytes()",
    "hex": "v.hex()",
    "hex_sep": "v[::2].hex(':', 2)",
    # against the file's old contents, so that every byte is compared
    "equal": "v == b'a' * len(v)",
    "equal_typed": "v.cast('d') == memview.memoryview(b'a' * len(v)).cast('d')",
    "count": "v.count(98)",
    "index": "v.index(98)",
    "count_typed": "v.cast('i').count(7)",
    "assign": "memview.memoryview(bytearray(len(v)))[:] = v",
    "hash": "hash(v)",
    "sum": "v.sum()",
    "stats_typed": "v.cast('<d').stats()",
    "mean_field": "v.cast('T{<I:a:<f:b:}')['b'].mean()",
    "sum_complex": "v.cast('Zd').sum()",
}

SCRIPT = """
import mmap, os, sys
import memview
path, kind, keep = sys.argv[1], sys.argv[2], int(sys.argv[3])
if kind == "memview":
    v = memview.map(path)
else:
    f = open(path, "rb")
    mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    v = memview.memoryview(mm)
os.truncate(path, keep)
try:
    {op}
except OSError as e:
    print("OSError", e)
    sys.exit(0)
print("no error")
sys.exit(3)
"""


@pytest.mark.parametrize("kind", ["memview", "mmap"])
@pytest.mark.parametrize("op", sorted(OPS))
def test_shrunk_file_raises(tmp_path, kind, op):
    path = tmp_path / "shrinks"
    keeps = [0, 4096] + ([5 * 4096 + 100] if kind == "memview" else [])
    for keep in keeps:
        path.write_bytes(b"a" * (16 * 4096))
        p = subprocess.run(
            [sys.executable, "-c", SCRIPT.replace("{op}", OPS[op]), str(path),
             kind, str(keep)],
            capture_output=True, timeout=60,
            env=dict(os.environ, PYTHONFAULTHANDLER=""))
        assert p.returncode >= 0, (keep, f"died of signal {-p.returncode}",
                                   p.stderr)
        assert p.returncode == 0, (keep, p.stdout, p.stderr)
        assert b"shrank under the view" in p.stdout


def test_shrunk_file_raises_with_faulthandler_on(tmp_path):
    """faulthandler installs its SIGBUS handler first; memview's guard
    still turns the fault into OSError."""
    path = tmp_path / "shrinks"
    path.write_bytes(b"a" * (16 * 4096))
    p = subprocess.run(
        [sys.executable, "-X", "faulthandler", "-c",
         SCRIPT.replace("{op}", OPS["count"]), str(path), "mmap", "0"],
        capture_output=True, timeout=60)
    assert p.returncode == 0, (p.returncode, p.stdout, p.stderr)
    assert b"shrank under the view" in p.stdout
    assert b"Fatal Python error" not in p.stderr


# ---------------------------------------------------------------------------
# Advice (madvise): memview.map(..., advise=) and memoryview.advise()

ADVICE = ["sequential", "random", "willneed", "dontneed", "normal"]


@pytest.mark.parametrize("advice", [None] + ADVICE)
def test_map_advise(tmp_path, advice):
    path = tmp_path / "f.bin"
    data = bytes(range(256)) * 64
    path.write_bytes(data)
    with memview.map(str(path), advise=advice) as m:
        assert m.tobytes() == data
        assert m.sum() == sum(data)


def test_view_advise(tmp_path):
    path = tmp_path / "f.bin"
    data = bytes(range(256)) * 64
    path.write_bytes(data)
    with memview.map(str(path), 100) as m:
        for advice in ADVICE:
            assert m.advise(advice) is None
            assert m[5000:9000].advise(advice) is None
            assert m[::-3].advise(advice) is None
            assert m[:0].advise(advice) is None
            assert m.cast("H").advise(advice) is None
        assert m.tobytes() == data[100:]
        for bad in ("fast", 3, None, "Sequential"):
            with pytest.raises(ValueError, match="advice must be 'normal'"):
                m.advise(bad)
        with pytest.raises(TypeError):
            m.advise()
    with pytest.raises(ValueError, match="released"):
        m.advise("random")
    with pytest.raises(ValueError, match="advice must be"):
        memview.map(str(path), advise="x")
    with pytest.raises(TypeError):
        memview.map(str(path), 0, None, False, "random")  # keyword-only
    with pytest.raises(TypeError, match="needs a view of a file mapped"):
        memview.memoryview(bytearray(8)).advise("random")
