"""memview installs as a Python package: pip, in a virtual environment.

A copy of the sources (what an sdist holds) is installed with

    python3 -m venv --system-site-packages VENV
    VENV/bin/pip install --no-build-isolation --no-index SRC

on Debian's python3, whose python3-setuptools and python3-wheel are the
build backend (no package index is needed). The installed package is then
imported from another directory, its version compared with
MEMVIEW_VERSION in include/memview.h, and its stubs type-checked by mypy
as installed (found through py.typed in site-packages).
"""

import os
import re
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
SYSTEM_PYTHON = "/usr/bin/python3"
SOURCES = ("include", "src", "python", "pyproject.toml", "setup.py",
           "MANIFEST.in", "README.md")


def header_version():
    with open(os.path.join(ROOT, "include", "memview.h")) as f:
        return re.search(r'^#define MEMVIEW_VERSION "([^"]+)"', f.read(),
                         re.M).group(1)


def run(cmd, cwd, timeout=600):
    r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True,
                       timeout=timeout,
                       env=dict(os.environ, PYTHONPATH="",
                                PIP_DISABLE_PIP_VERSION_CHECK="1"))
    assert r.returncode == 0, (cmd, r.stdout[-4000:], r.stderr[-4000:])
    return r.stdout


@pytest.fixture(scope="module")
def venv(tmp_path_factory):
    if not os.path.exists(SYSTEM_PYTHON):
        pytest.skip("needs Debian's /usr/bin/python3")
    base = tmp_path_factory.mktemp("install")
    src = base / "src"
    src.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "build")
    for name in SOURCES:
        path = os.path.join(ROOT, name)
        if os.path.isdir(path):
            shutil.copytree(path, src / name, ignore=ignore)
        else:
            shutil.copy(path, src / name)
    env = base / "venv"
    run([SYSTEM_PYTHON, "-m", "venv", "--system-site-packages", str(env)],
        base)
    run([str(env / "bin" / "pip"), "install", "--no-build-isolation",
         "--no-index", str(src)], base)
    elsewhere = base / "elsewhere"
    elsewhere.mkdir()
    return env, elsewhere


def test_import_from_another_directory(venv):
    env, elsewhere = venv
    out = run([str(env / "bin" / "python"), "-c",
               "import memview, pickle, numpy as np\n"
               "m = memview.memoryview(bytearray(b'abcd')).cast('i')\n"
               "r = pickle.loads(pickle.dumps(m, 5))\n"
               "a = np.from_dlpack(memview.memoryview(np.arange(3.0)))\n"
               "print(memview.__file__)\n"
               "print(memview.__version__)\n"
               "print(r.tolist() == m.tolist(), a.tolist())\n"], elsewhere)
    path, version, checks = out.splitlines()
    assert path.startswith(str(env)), path
    assert version == header_version()
    assert checks == "True [0.0, 1.0, 2.0]"


def test_version_is_the_libraries(venv):
    import memview  # the build tree's
    assert memview.__version__ == header_version()
    assert memview._memview.__version__ == header_version()


def test_installed_stubs_type_check(venv):
    env, elsewhere = venv
    site = run([str(env / "bin" / "python"), "-c",
                "import memview, os; print(os.path.dirname(memview.__file__))"],
               elsewhere).strip()
    assert sorted(f for f in os.listdir(site) if not f.startswith("_memview")
                  or f.endswith(".pyi")) == [
        "__init__.py", "__pycache__", "_memview.pyi", "py.typed"]
    pytest.importorskip("mypy")
    usage = os.path.join(ROOT, "tests", "typing", "usage_ok.py")
    out = run([str(env / "bin" / "python"), "-m", "mypy", "--strict",
               "--no-incremental", "--cache-dir", os.devnull, usage],
              elsewhere)
    assert "Success" in out
