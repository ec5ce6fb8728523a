"""The memview command-line tool, checked against Python's own bytes and
memoryview: same bytes out, same errors (name and message), and the exit
codes 0 (success), 1 (a memview error) and 2 (a usage error).

The program is $MEMVIEW_CLI, else build/memview under the source tree.
"""

import os
import re
import subprocess
import tempfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
CLI = os.environ.get("MEMVIEW_CLI") or os.path.join(ROOT, "build", "memview")

# Python 3.11's memoryview has no 'e' (half float); memview reads it as the
# struct module does, checked separately below.
FORMATS = "BbchHiIlLqQnNfd?P"
SETTINGS = settings(max_examples=60)


@pytest.fixture(scope="module", autouse=True)
def cli_exists():
    if not os.access(CLI, os.X_OK):
        pytest.fail(f"no memview program at {CLI}: run make first")


def run(*args):
    """Run the CLI; give (exit code, stdout bytes, stderr text)."""
    p = subprocess.run([CLI, *map(str, args)], capture_output=True,
                       timeout=60, stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout, p.stderr.decode()


class DataFile:
    """A temporary file holding data, usable inside hypothesis tests."""

    def __init__(self, data):
        fd, self.path = tempfile.mkstemp(prefix="memview-cli-")
        with os.fdopen(fd, "wb") as f:
            f.write(data)

    def __enter__(self):
        return self.path

    def __exit__(self, *exc):
        os.unlink(self.path)


def expect_error(result, exc):
    code, out, err = result
    assert code == 1, (code, err)
    assert out == b""
    assert err == f"memview: {type(exc).__name__}: {exc}\n"


def python_result(fn):
    """fn()'s value, or the exception it raised."""
    try:
        return fn(), None
    except Exception as e:  # noqa: BLE001 - any exception is the oracle's
        return None, e


# ---- info -------------------------------------------------------------


def test_info():
    data = bytes(range(256)) * 3
    with DataFile(data) as path:
        code, out, err = run("info", path)
    assert code == 0, err
    lines = dict(line.split(": ", 1) for line in out.decode().splitlines())
    m = memoryview(data)
    assert lines["size"] == str(m.nbytes)
    assert lines["format"] == m.format
    assert lines["itemsize"] == str(m.itemsize)
    assert lines["ndim"] == str(m.ndim)
    assert lines["shape"] == str(m.shape)
    assert lines["strides"] == str(m.strides)
    assert lines["length"] == str(len(m))
    assert lines["readonly"] == "True"
    assert lines["exports"] == "1"


def test_info_empty_file():
    with DataFile(b"") as path:
        code, out, err = run("info", path)
    assert code == 0, err
    assert b"size: 0\n" in out
    assert b"shape: (0,)\n" in out


# ---- hex ----------------------------------------------------------------


def hex_oracle(data, offset, length, sep, group):
    n = len(data)
    start = max(0, offset + n) if offset < 0 else offset
    part = data[start:] if length is None else data[start:start + length]
    m = memoryview(part)
    if sep is None:
        return python_result(lambda: m.hex())
    return python_result(lambda: m.hex(sep, group))


@SETTINGS
@given(data=st.binary(max_size=64),
       offset=st.integers(-80, 80),
       length=st.none() | st.integers(0, 80),
       sep=st.none() | st.sampled_from([":", "-", " ", "", "ab", "\u00e9"]),
       group=st.integers(-6, 6))
def test_hex(data, offset, length, sep, group):
    args = ["--offset", offset]
    if length is not None:
        args += ["--length", length]
    if sep is not None:
        args += ["--sep", sep, "--group", group]
    want, exc = hex_oracle(data, offset, length, sep, group)
    with DataFile(data) as path:
        result = run("hex", path, *args)
    if exc is not None:
        expect_error(result, exc)
    else:
        code, out, err = result
        assert code == 0, err
        assert out.decode() == want + "\n"


def test_hex_whole_file_and_option_forms():
    data = b"\x00\x01\xfe\xffhello"
    with DataFile(data) as path:
        assert run("hex", path)[1] == (data.hex() + "\n").encode()
        assert run("hex", path, "--sep=:", "--group=2")[1] == (
            data.hex(":", 2) + "\n").encode()
        assert run("hex", path, "--sep", "-", "--group", "-3")[1] == (
            data.hex("-", -3) + "\n").encode()
        assert run("hex", path, "--offset", "2", "--length", "3")[1] == (
            data[2:5].hex() + "\n").encode()


def test_hex_empty_file():
    with DataFile(b"") as path:
        assert run("hex", path) == (0, b"\n", "")


# ---- slice -------------------------------------------------------------


ends = st.none() | st.integers(-70, 70)


@SETTINGS
@given(data=st.binary(max_size=64), start=ends, stop=ends,
       step=st.none() | st.integers(-5, 5))
def test_slice(data, start, stop, step):
    args = ["" if start is None else start, "None" if stop is None else stop]
    if step is not None:
        args.append(step)
    want, exc = python_result(lambda: memoryview(data)[start:stop:step])
    with DataFile(data) as path:
        result = run("slice", path, *args)
    if exc is not None:
        expect_error(result, exc)
    else:
        assert result == (0, want.tobytes(), "")


def test_slice_step_zero():
    with DataFile(b"abc") as path:
        code, out, err = run("slice", path, 0, 3, 0)
    assert code == 1
    assert err == "memview: ValueError: slice step cannot be zero\n"


def test_slice_large_file():
    data = os.urandom(1 << 20)
    with DataFile(data) as path:
        assert run("slice", path, 100, -100, 7)[1] == data[100:-100:7]
        assert run("slice", path, "", "", -1)[1] == data[::-1]


# ---- get ----------------------------------------------------------------


@SETTINGS
@given(data=st.binary(max_size=48), fmt=st.sampled_from(FORMATS),
       index=st.integers(-12, 12), at=st.booleans())
def test_get(data, fmt, index, at):
    if at:
        fmt = "@" + fmt
    want, exc = python_result(lambda: repr(memoryview(data).cast(fmt)[index]))
    with DataFile(data) as path:
        result = run("get", path, fmt, index)
    if exc is not None:
        expect_error(result, exc)
    else:
        code, out, err = result
        assert code == 0, err
        assert out.decode() == want + "\n"


@pytest.mark.parametrize("value", [0.0, -0.0, 0.1, 1.0, 1.5, 1e15, 1e16,
                                   1.5e16, 123456789.125, 1e-4, 1e-5, 2.5e-7,
                                   1e300, -1e-300, 5e-324, float("inf"),
                                   float("-inf"), float("nan"), 1 / 3])
def test_get_float_repr(value):
    import struct
    data = struct.pack("d", value)
    with DataFile(data) as path:
        code, out, err = run("get", path, "d", 0)
    assert code == 0, err
    assert out.decode() == repr(memoryview(data).cast("d")[0]) + "\n"


@pytest.mark.parametrize("value", [0.0, -2.0, 1.5, 65504.0, 6e-08, 0.1,
                                   float("inf"), float("nan")])
def test_get_half_float(value):
    import struct
    data = struct.pack("3e", 0.0, 0.0, value)
    with DataFile(data) as path:
        code, out, err = run("get", path, "e", -1)
    assert code == 0, err
    assert out.decode() == repr(struct.unpack("3e", data)[2]) + "\n"


def test_get_bad_format():
    with DataFile(b"abcd") as path:
        result = run("get", path, "y", 0)
    _, exc = python_result(lambda: memoryview(b"abcd").cast("y"))
    expect_error(result, exc)


# ---- count -------------------------------------------------------------


@SETTINGS
@given(data=st.binary(max_size=200), byte=st.integers(0, 255))
def test_count(data, byte):
    with DataFile(data) as path:
        result = run("count", path, byte)
    assert result == (0, f"{data.count(bytes([byte]))}\n".encode(), "")


def test_count_hex_byte():
    with DataFile(b"AAxA") as path:
        assert run("count", path, "0x41")[1] == b"3\n"


@pytest.mark.parametrize("byte", ["256", "-1", "x", "", "1.5"])
def test_count_bad_byte(byte):
    with DataFile(b"abc") as path:
        code, out, _ = run("count", path, byte)
    assert code == 2 and out == b""


# ---- files and usage ------------------------------------------------------


@pytest.mark.parametrize("command", [["info"], ["hex"], ["slice", 0, 1],
                                     ["get", "B", 0], ["count", 1]])
def test_missing_file(tmp_path, command):
    path = str(tmp_path / "no-such-file")
    code, out, err = run(command[0], path, *command[1:])
    assert code == 1 and out == b""
    try:
        open(path, "rb")
    except OSError as e:
        assert err == f"memview: OSError: {e}\n"
    else:
        pytest.fail("file exists")


def test_directory(tmp_path):
    code, out, err = run("info", tmp_path)
    assert code == 1
    assert err == f"memview: OSError: [Errno 21] Is a directory: '{tmp_path}'\n"


@pytest.mark.parametrize("args", [[], ["nope"], ["info"], ["info", "a", "b"],
                                  ["slice", "f", "1"], ["slice", "f", "x", "1"],
                                  ["get", "f", "B"], ["get", "f", "B", "1x"],
                                  ["hex", "f", "--offset"],
                                  ["hex", "f", "--length", "-1"],
                                  ["hex", "f", "--bogus", "1"],
                                  ["seed", "-5"], ["seed", "ten"]])
def test_usage_errors(args):
    code, out, err = run(*args)
    assert code == 2, (args, err)
    assert out == b""
    assert "usage: memview" in err


def test_help_and_version():
    code, out, _ = run("--help")
    assert code == 0 and out.startswith(b"usage: memview")
    code, out, _ = run("version")
    with open(os.path.join(ROOT, "include", "memview.h")) as f:
        version = re.search(r'^#define MEMVIEW_VERSION "([^"]+)"$', f.read(),
                            re.M).group(1)
    assert code == 0 and out == b"memview %s\n" % version.encode()


# ---- seed -----------------------------------------------------------------


def test_seed():
    code, out, err = run("seed", 1000, 0, 20000)
    assert code == 0, err
    lines = [line.split() for line in out.decode().splitlines()]
    assert [int(f[0]) for f in lines] == [1000, 0, 20000]
    for fields in lines:
        assert len(fields) == 3
        assert float(fields[1]) >= 0 and float(fields[2]) >= 0


# ---- the shared parser: --help, map options, sizes ----------------------

COMMANDS = {"info": [], "hex": [], "slice": [0, 5], "get": ["B", 0],
            "count": [1]}


@pytest.mark.parametrize("command", sorted(COMMANDS) + ["seed"])
def test_command_help(command):
    code, out, err = run(command, "--help")
    assert code == 0, err
    text = out.decode()
    assert text.startswith(f"usage: memview {command}")
    assert "--help" in text
    if command != "seed":
        assert "--offset" in text and "--length" in text


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_command_usage_names_command(command):
    code, out, err = run(command, "--no-such-option", "f")
    assert code == 2 and out == b""
    assert f"usage: memview {command}" in err


SIZES = {"0": 0, "17": 17, "0x10": 16, "4K": 4096, "4k": 4096, "2KiB": 2048,
         "1M": 1 << 20, "1G": 1 << 30, "3T": 3 << 40, "-1K": -1024, "+5": 5}


@pytest.mark.parametrize("text,value", sorted(SIZES.items()))
def test_size_suffixes(tmp_path, text, value):
    data = os.urandom(5000)
    path = tmp_path / "f"
    path.write_bytes(data)
    code, out, err = run("slice", path, "", "", "--offset", text)
    start = max(0, value + len(data)) if value < 0 else value
    assert (code, out) == (0, data[start:]), err


@pytest.mark.parametrize("text", ["1X", "K", "1.5K", "0x", "--", "1KB2",
                                  "99999999999999999999", "9E"])
def test_bad_sizes(tmp_path, text):
    path = tmp_path / "f"
    path.write_bytes(b"abc")
    code, out, err = run("hex", path, f"--offset={text}")
    assert code == 2 and out == b"", err


@SETTINGS
@given(data=st.binary(max_size=64), offset=st.integers(-80, 80),
       length=st.none() | st.integers(0, 80),
       byte=st.integers(0, 255), index=st.integers(-3, 3))
def test_map_options_on_every_command(data, offset, length, byte, index):
    start = max(0, offset + len(data)) if offset < 0 else offset
    part = data[start:] if length is None else data[start:start + length]
    opts = ["--offset", offset] + ([] if length is None
                                   else ["--length", length])
    with DataFile(data) as path:
        assert run("count", path, byte, *opts) == (
            0, f"{part.count(bytes([byte]))}\n".encode(), "")
        assert run("slice", path, "", "", *opts) == (0, part, "")
        assert run("hex", path, *opts) == (0, (part.hex() + "\n").encode(),
                                          "")
        code, out, _ = run("info", path, *opts)
        assert code == 0 and f"size: {len(part)}\n".encode() in out
        want, exc = python_result(lambda: repr(memoryview(part)[index]))
        result = run("get", path, "B", index, *opts)
        if exc is not None:
            expect_error(result, exc)
        else:
            assert result == (0, (want + "\n").encode(), "")


def test_options_after_and_before_arguments(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"0123456789")
    assert run("slice", "--offset=2", path, 0, 3)[1] == b"234"
    assert run("slice", path, "--length", "2K", -3, "None")[1] == b"789"
    assert run("slice", path, "--", -2, "None")[1] == b"89"
