"""memview dump against Debian's xxd: the same stdout, byte for byte, for
-s, -l, -c, -g, -u, -p and -r, on random files and option combinations;
-r round trips; and a dump past 60 GiB of a sparse file.
"""

import os
import shutil
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from test_cli import DataFile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
CLI = os.environ.get("MEMVIEW_CLI") or os.path.join(ROOT, "build", "memview")
XXD = shutil.which("xxd")

pytestmark = pytest.mark.skipif(XXD is None, reason="xxd is not installed")


def run(argv, stdin=None):
    p = subprocess.run(argv, capture_output=True, timeout=120,
                       stdin=subprocess.DEVNULL if stdin is None else stdin)
    return p.returncode, p.stdout


def same_as_xxd(path, opts):
    want_code, want = run([XXD, *opts, path])
    code, out = run([CLI, "dump", path, *opts])
    if want_code == 0:
        assert code == 0, opts
        assert out == want, opts
    else:
        assert code != 0 and out == want == b"", opts
    return out


numbers = st.one_of(st.integers(-300, 300).map(str),
                    st.integers(0, 300).map(hex),
                    st.integers(0, 64).map(lambda n: "0%o" % n))
seeks = st.one_of(numbers, numbers.map(lambda s: "+" + s),
                  st.integers(0, 300).map(lambda n: f"-{n}"))


@st.composite
def options(draw):
    opts = []
    if draw(st.booleans()):
        opts += ["-s", draw(seeks)]
    if draw(st.booleans()):
        opts += ["-l", draw(numbers)]
    plain = draw(st.booleans())
    if draw(st.booleans()):
        opts += ["-c", str(draw(st.integers(0, 40) | st.sampled_from(
            [64, 255, 256, 257, -1])))]
    if not plain and draw(st.booleans()):
        opts += ["-g", str(draw(st.integers(-1, 20)))]
    if draw(st.booleans()):
        opts.append("-u")
    if plain:
        opts.append("-p")
    return opts


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=700), opts=options())
def test_dump_matches_xxd(data, opts):
    with DataFile(data) as path:
        same_as_xxd(path, opts)


@settings(max_examples=150, deadline=None)
@given(data=st.binary(min_size=1, max_size=600), opts=options())
def test_revert_round_trip(data, opts):
    """xxd's dump and ours read back (-r, with the dump's -c and -p) to
    what xxd -r gives, which is the data when the dump was all of it."""
    opts = [o for o in opts]
    dump_opts = opts
    with DataFile(data) as path:
        code, text = run([XXD, *dump_opts, path])
        if code != 0:
            return
        rev = [o for i, o in enumerate(dump_opts)
               if o in ("-p",) or (i > 0 and dump_opts[i - 1] == "-c")
               or o == "-c"]
        with DataFile(text) as dumped:
            want_code, want = run([XXD, "-r", *rev, dumped])
            code, out = run([CLI, "dump", "-r", *rev, dumped])
            assert (code == 0) == (want_code == 0), rev
            assert out == want
        if not any(o in ("-s", "-l") for o in dump_opts) and want_code == 0:
            assert out == data


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet="0123456789abcdefABCDEF :\n.xg\r\t-", max_size=300),
       plain=st.booleans(), seek=st.none() | st.integers(0, 40))
def test_revert_any_text_matches_xxd(text, plain, seek):
    opts = (["-p"] if plain else []) + ([] if seek is None else
                                        ["-s", str(seek)])
    with DataFile(text.encode()) as path:
        want_code, want = run([XXD, "-r", *opts, path])
        code, out = run([CLI, "dump", "-r", *opts, path])
    assert out == want
    assert (code == 0) == (want_code == 0)


def test_revert_to_a_file_seeks(tmp_path):
    """With stdout a file, offsets in the dump are seeks, as for xxd."""
    dump = tmp_path / "dump"
    dump.write_bytes(b"00000010: 4142\n00000004: 43\n")
    outs = []
    for argv in ([XXD, "-r", str(dump)], [CLI, "dump", "-r", str(dump)]):
        target = tmp_path / "out"
        target.write_bytes(b"z" * 20)
        with open(target, "r+b") as f:
            subprocess.run(argv, stdout=f, check=True, timeout=60)
        outs.append(target.read_bytes())
    assert outs[0] == outs[1]


def test_dump_larger_file_and_ranges(tmp_path):
    data = os.urandom((3 << 20) + 77)
    path = tmp_path / "big"
    path.write_bytes(data)
    for opts in ([], ["-c", "32", "-g", "4"], ["-p"], ["-s", "1000000"],
                 ["-u", "-s", "-5000", "-l", "3000"]):
        same_as_xxd(str(path), opts)
    # --offset selects a range; addresses still count from the file start
    code, out = run([CLI, "dump", str(path), "--offset", "1M", "--length",
                     "64"])
    want = run([XXD, "-s", str(1 << 20), "-l", "64", str(path)])[1]
    assert code == 0 and out == want


def test_dump_past_60g_of_sparse_file(tmp_path):
    path = tmp_path / "sparse"
    size = 64 << 30
    with open(path, "wb") as f:
        f.truncate(size)
        f.seek((61 << 30) + 5)
        f.write(b"memview was here")
    try:
        for opts in (["-s", str(61 << 30), "-l", "64"],
                     ["-s", "-100"], ["-s", str(63 << 30), "-l", "40", "-p"]):
            same_as_xxd(str(path), opts)
        code, out = run([CLI, "dump", str(path), "--offset", "61G",
                         "--length", "32"])
        assert code == 0
        assert out.splitlines()[0] == (
            b"f40000000: 0000 0000 006d 656d 7669 6577 2077 6173  "
            b".....memview was")
    finally:
        os.unlink(path)


def test_dump_help_and_bad_columns(tmp_path):
    code, out = run([CLI, "dump", "--help"])
    assert code == 0 and b"xxd" in out
    path = tmp_path / "f"
    path.write_bytes(b"abc")
    p = subprocess.run([CLI, "dump", str(path), "-c", "300"],
                       capture_output=True, timeout=60)
    assert p.returncode == 1 and p.stdout == b""
    assert b"invalid number of columns" in p.stderr
