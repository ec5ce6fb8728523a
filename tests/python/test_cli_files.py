"""The memview command on real files: a file truncated while a command
scans it (an error exit or the right answer, never a signal death or a
wrong answer), and a 64 GiB sparse file read near its end.

The program is $MEMVIEW_CLI, else build/memview under the source tree.
"""

import os
import random
import subprocess
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
CLI = os.environ.get("MEMVIEW_CLI") or os.path.join(ROOT, "build", "memview")


def run(*args, **kw):
    p = subprocess.run([CLI, *map(str, args)], capture_output=True,
                       timeout=120, stdin=subprocess.DEVNULL, **kw)
    return p.returncode, p.stdout, p.stderr.decode()


def sparse(path, size, marks=()):
    with open(path, "wb") as f:
        f.truncate(size)
        for at, data in marks:
            f.seek(at)
            f.write(data)


# ---- truncation under a scan ----------------------------------------------

SCANS = {
    # command args, the answer on the intact file
    "count": (["count", "{f}", 0], lambda size: f"{size}\n".encode()),
    "slice": (["slice", "{f}", "", "", 4096],
              lambda size: bytes(len(range(0, size, 4096)))),
    "hex": (["hex", "{f}", "--length", "8M"],
            lambda size: b"00" * min(size, 8 << 20) + b"\n"),
    "dump": (["dump", "{f}", "-l", 4 << 20],
             lambda size: zero_dump(min(size, 4 << 20))),
    "stat": (["stat", "{f}", "<H", "--json"], lambda size: (
        f'{{"count": {size // 2}, "sum": 0, "min": 0, "max": 0, '
        f'"mean": 0.0}}\n'.encode() if size >= 2 else
        b'{"count": 0, "sum": 0, "min": NaN, "max": NaN, "mean": NaN}\n')),
}


def zero_dump(n):
    """What xxd prints for n zero bytes."""
    full = b" ".join([b"0000"] * 8) + b"  " + b"." * 16 + b"\n"
    out = b"".join(b"%08x: " % at + full for at in range(0, n - n % 16, 16))
    if n % 16:
        hexpart = b" ".join([b"0000"] * (n % 16 // 2) +
                            ([b"00"] if n % 2 else []))
        out += b"%08x: " % (n - n % 16) + hexpart.ljust(39) + b"  " + \
            b"." * (n % 16) + b"\n"
    return out


@pytest.mark.parametrize("name", sorted(SCANS))
def test_truncated_under_scan(tmp_path, name):
    args, answer = SCANS[name]
    size = 256 << 20
    path = tmp_path / "shrinks"
    rng = random.Random(name)
    outcomes = set()
    for attempt in range(6):
        sparse(path, size)
        cmd = [CLI] + [str(a).replace("{f}", str(path)) for a in args]
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        time.sleep(rng.uniform(0, 0.02) if attempt else 0)
        keep = rng.choice([0, 4096, 10000, size // 2])
        os.truncate(path, keep)
        out, err = p.communicate(timeout=120)
        assert p.returncode >= 0, f"died of signal {-p.returncode}"
        if p.returncode == 0:
            # the whole file's answer (done before the cut), or the cut
            # file's (opened after it): never anything else
            assert out in (answer(size), answer(keep))
            outcomes.add("done")
        else:
            assert p.returncode == 1, err
            assert b"memview: OSError:" in err, err
            outcomes.add("error")
    assert outcomes


# ---- the manual page --------------------------------------------------------

MAN = os.path.join(ROOT, "docs", "memview.1")


def test_man_page_covers_every_command():
    text = open(MAN).read()
    code, out, _ = run("help")
    assert code == 0
    commands = [line.split()[0] for line in out.decode().splitlines()
                if line.startswith("  ") and not line.startswith("      ")]
    commands = [c for c in commands if c not in ("help", "version")]
    assert "dump" in commands and "stat" in commands
    for c in commands:
        assert f'.BI "{c} ' in text or f'.BR "{c} ' in text, c


def test_make_install_installs_man_page(tmp_path):
    build = os.environ.get("MEMVIEW_BUILD") or os.path.join(ROOT, "build")
    tree = os.path.join(build, "cmake")
    if not os.path.exists(os.path.join(tree, "cmake_install.cmake")):
        pytest.skip("no CMake build tree")
    subprocess.run(["cmake", "--install", tree, "--prefix", str(tmp_path)],
                   check=True, capture_output=True, timeout=120)
    page = tmp_path / "share" / "man" / "man1" / "memview.1"
    assert page.read_bytes() == open(MAN, "rb").read()
    assert (tmp_path / "bin" / "memview").exists()
