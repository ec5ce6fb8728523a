"""The memview command on standard input: every file command takes "-",
dump reads standard input without FILE, and a pipe gives the output the
same bytes give from a file. xxd, fed through pipes, is the oracle for
dump and dump -r. Streams are read in bounded memory (max RSS measured),
and so are files larger than the limit; bad input exits 1 with the OS's
message and no result.

The program is $MEMVIEW_CLI, else build/memview under the source tree.
"""

import os
import shutil
import subprocess
import tempfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from test_dump import options

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
CLI = os.environ.get("MEMVIEW_CLI") or os.path.join(ROOT, "build", "memview")
XXD = shutil.which("xxd")
ASAN = "asan" in CLI  # ASan's shadow memory inflates the RSS
NO_RSS = ASAN or not shutil.which("time", path="/usr/bin:/bin")
RSS_LIMIT = 128 << 20


def run(argv, data=None, **kw):
    """argv with data on a pipe as stdin (None: no stdin)."""
    p = subprocess.run([str(a) for a in argv], capture_output=True,
                       timeout=300, input=data,
                       stdin=subprocess.DEVNULL if data is None else None,
                       **kw)
    return p.returncode, p.stdout, p.stderr.decode()


TIME = shutil.which("time", path="/usr/bin:/bin")


def run_rss(argv, stdin=subprocess.DEVNULL, env=None):
    """Exit code, stdout (its first 4 KiB and its length), stderr and the
    child's max RSS in bytes (0 when /usr/bin/time is missing).

    The RSS is /usr/bin/time's report of its own child: a process forked
    from this one starts with this one's RSS as its high-water mark, which
    Linux keeps through exec."""
    with tempfile.NamedTemporaryFile("r") as rss_file:
        pre = [TIME, "-f", "%M", "-o", rss_file.name] if TIME else []
        p = subprocess.Popen(pre + [str(a) for a in argv], stdin=stdin,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=env)
        head, n = b"", 0
        while True:
            block = p.stdout.read(1 << 20)
            if not block:
                break
            if len(head) < 4096:
                head += block[:4096]
            n += len(block)
        err = p.stderr.read().decode()
        p.wait()
        rss = int(rss_file.read().split()[-1]) * 1024 if TIME else 0
    if TIME and err.startswith("Command exited with non-zero status"):
        err = err.split("\n", 1)[1]
    return p.returncode, head, n, err, rss


def same_from_pipe(path, data, cmd, *args):
    """memview CMD path ARGS == memview CMD - ARGS with data on a pipe."""
    want = run([CLI, cmd, path, *args])
    got = run([CLI, cmd, "-", *args], data)
    assert got[0] == want[0], (cmd, args, got[2], want[2])
    assert got[1] == want[1], (cmd, args)
    return got


# ---- the same output from a pipe as from the file ---------------------------

ranges = st.one_of(st.just([]), st.tuples(
    st.sampled_from(["--offset", "--length"]),
    st.integers(0, 300).map(str)).map(list),
    st.just(["--offset", "-7"]), st.just(["--offset", "5", "--length", "9"]))


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=600), byte=st.integers(0, 255), rng=ranges)
def test_scans_from_a_pipe(tmp_path_factory, data, byte, rng):
    path = tmp_path_factory.mktemp("p") / "f"
    path.write_bytes(data)
    same_from_pipe(path, data, "count", byte, *rng)
    same_from_pipe(path, data, "find", byte, *rng)
    for fmt in ("B", "<h", ">d", "<I"):
        same_from_pipe(path, data, "stat", fmt, "--json", *rng)
    same_from_pipe(path, data, "stat", "<i", "1::3", *rng)
    same_from_pipe(path, data, "stat", "<H", "--shape", "2,3", *rng)


@settings(max_examples=40, deadline=None)
@given(data=st.binary(max_size=300), index=st.integers(-40, 40), rng=ranges)
def test_random_access_from_a_pipe(tmp_path_factory, data, index, rng):
    path = tmp_path_factory.mktemp("p") / "f"
    path.write_bytes(data)
    same_from_pipe(path, data, "get", "<h", index, *rng)
    same_from_pipe(path, data, "show", "B", "::-3", *rng)
    same_from_pipe(path, data, "hex", "--sep", ":", *rng)
    same_from_pipe(path, data, "slice", index, "", *rng)
    code, out, _ = run([CLI, "info", "-", *rng], data)
    want = run([CLI, "info", path, *rng])[1]
    assert code == 0
    assert out.replace(b"file: -", b"file: " + str(path).encode()) == want


def test_stat_field_from_a_pipe(tmp_path):
    data = bytes(range(256)) * 3
    path = tmp_path / "f"
    path.write_bytes(data)
    for field in ("x", "1", "id"):
        code, out, _ = same_from_pipe(path, data, "stat", "T{<I:id:<h:x:}",
                                      "--field", field)
        assert code == 0 and out.startswith(b"count: ")
    code, _, err = same_from_pipe(path, data, "stat", "T{<I:id:}",
                                  "--field", "nope")
    # the core's one naming rule: NumPy's ValueError, from a pipe as from
    # the file
    assert code == 1 and err == "memview: ValueError: no field of name nope\n"


# ---- dump and dump -r against xxd, through pipes ---------------------------

needs_xxd = pytest.mark.skipif(XXD is None, reason="xxd is not installed")


@needs_xxd
@settings(max_examples=100, deadline=None)
@given(data=st.binary(max_size=700), opts=options())
def test_dump_of_a_pipe_matches_xxd(tmp_path_factory, data, opts):
    code, out, _ = run([CLI, "dump", *opts], data)
    want_code, want, err = run([XXD, *opts], data)
    if want_code != 0 and "cannot seek" in err:
        # xxd cannot seek in a pipe ("Sorry, cannot seek."): back from the
        # end, or past the end. memview reads the pipe (whole, for -s -N)
        # and gives what xxd gives for the same bytes in a file
        assert want == b""
        path = tmp_path_factory.mktemp("d") / "f"
        path.write_bytes(data)
        want_code, want, _ = run([XXD, *opts, path])
    assert (code == 0) == (want_code == 0), opts
    assert out == want, opts
    # the same bytes through "-" and from the file
    assert run([CLI, "dump", "-", *opts], data)[1] == out


@needs_xxd
@settings(max_examples=100, deadline=None)
@given(data=st.binary(min_size=1, max_size=600), opts=options())
def test_revert_through_pipes_matches_xxd(data, opts):
    code, text, _ = run([XXD, *opts], data)
    if code != 0:
        return
    rev = [o for i, o in enumerate(opts)
           if o == "-p" or o == "-c" or (i > 0 and opts[i - 1] == "-c")]
    want_code, want, _ = run([XXD, "-r", *rev], text)
    code, out, _ = run([CLI, "dump", "-r", *rev], text)
    assert (code == 0) == (want_code == 0) and out == want, rev


@needs_xxd
@settings(max_examples=100, deadline=None)
@given(text=st.text(alphabet="0123456789abcdef :\n.xg\r\t-", max_size=300),
       plain=st.booleans(), seek=st.none() | st.integers(0, 40))
def test_revert_any_text_from_a_pipe(text, plain, seek):
    opts = (["-p"] if plain else []) + ([] if seek is None else
                                        ["-s", str(seek)])
    want_code, want, _ = run([XXD, "-r", *opts], text.encode())
    code, out, _ = run([CLI, "dump", "-r", *opts], text.encode())
    assert out == want and (code == 0) == (want_code == 0)


@needs_xxd
def test_revert_patches_outfile_as_xxd_does(tmp_path):
    dump = b"00000004: 4142\n00000010: 43\n"
    results = []
    for prog in ([XXD, "-r"], [CLI, "dump", "-r"]):
        target = tmp_path / "target"
        target.write_bytes(b"z" * 40)
        code, out, _ = run([*prog, "-", target], dump)
        assert code == 0 and out == b""
        results.append(target.read_bytes())
        fresh = tmp_path / "fresh"
        fresh.unlink(missing_ok=True)
        assert run([*prog, "-s", "2", "-", fresh], dump)[0] == 0
        results.append(fresh.read_bytes())
    assert results[0] == results[2] and results[1] == results[3]
    assert results[0] == b"z" * 4 + b"AB" + b"z" * 10 + b"C" + b"z" * 23


@needs_xxd
def test_dump_to_outfile_as_xxd_does(tmp_path):
    data = os.urandom(1000)
    src = tmp_path / "src"
    src.write_bytes(data)
    outs = []
    for prog in ([XXD], [CLI, "dump"]):
        target = tmp_path / "out"
        target.write_bytes(b"x" * 100000)  # emptied first
        assert run([*prog, "-c", "8", src, target])[0] == 0
        outs.append(target.read_bytes())
    assert outs[0] == outs[1] and outs[0].startswith(b"00000000: ")


@needs_xxd
def test_pipeline_round_trip(tmp_path):
    data = os.urandom((2 << 20) + 3)
    path = tmp_path / "f"
    path.write_bytes(data)
    p = subprocess.run(f"cat {path} | {CLI} dump | {CLI} dump -r | "
                       f"{CLI} count - 0", shell=True, capture_output=True,
                       timeout=300, check=True)
    assert p.stdout == b"%d\n" % data.count(0)


# ---- endless streams, bounded memory ------------------------------------------


def yes_pipe():
    return subprocess.Popen(["yes"], stdout=subprocess.PIPE)


YES_H = int.from_bytes(b"y\n", "little")  # yes's items as "<H"


@pytest.mark.parametrize("argv,want", [
    (["count", "-", 121, "--length", "300M"], b"%d\n" % (150 << 20)),
    (["find", "-", 10, "--offset", "100M"], b"%d\n" % ((100 << 20) + 1)),
    (["stat", "-", "<H", "--length", "300M", "--json"],
     b'{"count": %d, "sum": %d, "min": %d, "max": %d, "mean": %d.0}\n' % (
         150 << 20, YES_H * (150 << 20), YES_H, YES_H, YES_H)),
    (["dump", "-l", 200 << 20, "-p", "-c", "0"], b"790a" * 1024),
])
def test_endless_stream_in_bounded_memory(argv, want):
    """yes | memview ...: an endless stream, cut by --length (or found),
    read in bounded memory."""
    y = yes_pipe()
    try:
        code, head, n, err, rss = run_rss([CLI, *argv], stdin=y.stdout)
    finally:
        y.kill()
        y.wait()
    assert code == 0, err
    assert head == want
    if argv[0] == "dump":
        assert n == 2 * (200 << 20) + 1
    if not NO_RSS:
        assert rss < RSS_LIMIT, rss


@pytest.mark.skipif(NO_RSS, reason="ASan's shadow memory inflates the RSS,"
                    " or no /usr/bin/time")
@pytest.mark.parametrize("argv", [["count", "-", 121, "--length", "400M"],
                                  ["stat", "-", "<d", "--length", "400M"],
                                  ["dump", "--len", 100 << 20]])
def test_max_rss_of_a_stream(argv):
    y = yes_pipe()
    try:
        code, _, _, err, rss = run_rss([CLI, *argv], stdin=y.stdout)
    finally:
        y.kill()
        y.wait()
    assert code == 0, err
    assert rss < RSS_LIMIT, rss


@pytest.mark.skipif(NO_RSS, reason="ASan's shadow memory inflates the RSS,"
                    " or no /usr/bin/time")
@pytest.mark.parametrize("way", ["read", "map", None])
def test_max_rss_of_a_file_larger_than_the_limit(tmp_path, way):
    """A file of 4x the limit, in the page cache: every scan holds a
    bounded part of it, whichever way it is read."""
    path = tmp_path / "big"
    block = os.urandom(1 << 20)
    with open(path, "wb") as f:
        for _ in range(4 * RSS_LIMIT >> 20):
            f.write(block)
    env = dict(os.environ)
    env.pop("MEMVIEW_SCAN_WAY", None)
    if way:
        env["MEMVIEW_SCAN_WAY"] = way
    for argv in (["count", path, 7], ["stat", path, "<d"],
                 ["stat", path, "<i", "::2"], ["find", path, 7, "--offset",
                                              "-1"],
                 ["dump", path, "--offset", "-40M"],
                 ["slice", path, 1, ""]):
        code, _, _, err, rss = run_rss([CLI, *argv], env=env)
        assert code in (0, 1) and "OSError" not in err, err
        assert rss < RSS_LIMIT, (argv, rss)
    code, _, _, _, rss = run_rss([CLI, "count", path, block[0]], env=env)
    assert code == 0 and rss < RSS_LIMIT


def test_sparse_file_larger_than_the_limit(tmp_path):
    path = tmp_path / "sparse"
    with open(path, "wb") as f:
        f.truncate(1 << 30)
        f.seek((1 << 30) - 3)
        f.write(b"abc")
    code, out, _, err, rss = run_rss([CLI, "count", path, 0])
    assert code == 0 and out == b"%d\n" % ((1 << 30) - 3), err
    assert NO_RSS or rss < RSS_LIMIT, rss
    assert run([CLI, "find", path, ord("b")])[1] == b"%d\n" % ((1 << 30) - 2)


# ---- bad input -------------------------------------------------------------


def test_stdin_a_directory(tmp_path):
    d = os.open(tmp_path, os.O_RDONLY)
    try:
        p = subprocess.run([CLI, "count", "-", "1"], stdin=d,
                           capture_output=True, timeout=60)
    finally:
        os.close(d)
    assert p.returncode == 1 and p.stdout == b""
    assert p.stderr == (b"memview: OSError: [Errno 21] Is a directory: "
                        b"'<stdin>'\n")


@pytest.mark.parametrize("argv", [["get", "-", "B", "-1"],
                                  ["dump", "-s", "-16"],
                                  ["stat", "-", "B", "::-1"],
                                  ["count", "-", "1", "--offset", "-5"]])
def test_random_access_beyond_the_bound_is_refused(argv):
    y = yes_pipe()
    try:
        p = subprocess.run([CLI, *argv], stdin=y.stdout, capture_output=True,
                           timeout=120)
    finally:
        y.kill()
        y.wait()
    assert p.returncode == 1 and p.stdout == b""
    assert p.stderr == (b"memview: ValueError: <stdin> is longer than 64 MiB:"
                        b" this command needs it whole; give a file "
                        b"instead\n")


def test_random_access_within_the_bound(tmp_path):
    data = os.urandom(3 << 20)
    path = tmp_path / "f"
    path.write_bytes(data)
    for argv in (["get", "<q", "-1"], ["slice", "-5", ""],
                 ["stat", "<i", "::-1"]):
        assert same_from_pipe(path, data, argv[0], *argv[1:])[0] == 0


@pytest.mark.parametrize("way", ["read", "map"])
def test_file_shrunk_under_a_scan_either_way(tmp_path, way):
    """Cut the file while it is scanned: the right answer (the scan was
    done first) or an OSError, never a signal or a partial answer."""
    import random
    import time
    path = tmp_path / "shrinks"
    block = os.urandom(8 << 20)
    env = dict(os.environ, MEMVIEW_SCAN_WAY=way)
    rng = random.Random(way)
    seen = set()
    for attempt in range(8):
        with open(path, "wb") as f:
            for _ in range(16):
                f.write(block)
        want = block.count(7) * 16
        p = subprocess.Popen([CLI, "count", str(path), "7"], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(rng.uniform(0, 0.03))
        keep = rng.choice([0, 4096, 50 << 20])
        os.truncate(path, keep)
        out, err = p.communicate(timeout=120)
        assert p.returncode in (0, 1), f"died of signal {-p.returncode}"
        if p.returncode == 0:
            # the whole file's answer (done before the cut), or the cut
            # file's (opened after it): never anything else
            cut = (block * (keep // len(block) + 1))[:keep].count(7)
            assert out in (b"%d\n" % want, b"%d\n" % cut)
            seen.add("done")
        else:
            assert out == b"" and b"memview: OSError:" in err, err
            seen.add("error")
    assert seen
