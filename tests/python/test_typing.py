"""memview's type stubs, checked with mypy (Debian's python3-mypy).

tests/typing/usage_ok.py must type-check under --strict (and run);
tests/typing/usage_bad.py must give one error on each line marked ``# E``
and none elsewhere, so that the stubs cannot be loosened into accepting
anything; and mypy's stubtest must find the stubs and the extension
module's runtime signatures in agreement.  The stubs are found next to the extension: build/python/memview
(the same files pip installs; test_install.py checks that copy too).
"""

import os
import re
import subprocess
import sys

import pytest

import memview

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
TYPING = os.path.join(ROOT, "tests", "typing")
PKG_DIR = os.path.dirname(os.path.dirname(os.path.abspath(memview.__file__)))


def mypy(path, cwd, env_extra=None, python=sys.executable):
    env = dict(os.environ, MYPYPATH=PKG_DIR)
    env.update(env_extra or {})
    return subprocess.run(
        [python, "-m", "mypy", "--strict", "--no-incremental",
         "--cache-dir", os.devnull, "--python-version", "3.11", path],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def error_lines(output, path):
    name = os.path.basename(path)
    lines = set()
    for line in output.splitlines():
        m = re.match(r"(.*?):(\d+): error:", line)
        if m and os.path.basename(m.group(1)) == name:
            lines.add(int(m.group(2)))
    return lines


pytest.importorskip("mypy")


def test_stubs_are_next_to_the_extension():
    pkg = os.path.dirname(memview.__file__)
    assert os.path.isfile(os.path.join(pkg, "py.typed"))
    assert os.path.isfile(os.path.join(pkg, "_memview.pyi"))


def test_good_usage_type_checks(tmp_path):
    path = os.path.join(TYPING, "usage_ok.py")
    r = mypy(path, tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Success" in r.stdout


def test_good_usage_runs(tmp_path):
    path = os.path.join(TYPING, "usage_ok.py")
    r = subprocess.run([sys.executable, path], cwd=tmp_path,
                       env=dict(os.environ, PYTHONPATH=PKG_DIR),
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr


def test_bad_usage_is_reported(tmp_path):
    path = os.path.join(TYPING, "usage_bad.py")
    with open(path) as f:
        marked = {i for i, line in enumerate(f, 1) if "# E:" in line}
    assert len(marked) >= 10
    r = mypy(path, tmp_path)
    assert r.returncode == 1, r.stdout + r.stderr
    assert error_lines(r.stdout, path) == marked, r.stdout


def test_stubs_match_the_module(tmp_path):
    r = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "memview._memview"],
        cwd=tmp_path, env=dict(os.environ, PYTHONPATH=PKG_DIR),
        capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Success" in r.stdout
