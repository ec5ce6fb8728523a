"""The parts of the package build that cannot be static in pyproject.toml.

The C sources are found with the same globs as CMakeLists.txt uses (every
src/*.c is the library, but of the platform layer src/os_*.c only the one
of this system; every python/*.c is the extension), and the version is
MEMVIEW_VERSION of include/memview.h, so neither is written twice.
"""

import glob
import os
import re
import sys

from setuptools import Extension, setup

HERE = os.path.dirname(os.path.abspath(__file__))


def sources(pattern):
    # Relative paths: setuptools refuses absolute ones in a wheel build.
    return sorted(os.path.relpath(p, HERE)
                  for p in glob.glob(os.path.join(HERE, pattern)))


def library_sources():
    # src/os_win32.c on Windows, src/os_posix.c elsewhere (src/os.h).
    layer = "win32" if sys.platform == "win32" else "posix"
    return [p for p in sources("src/*.c")
            if not os.path.basename(p).startswith("os_")
            or p == os.path.join("src", "os_%s.c" % layer)]


def version():
    with open(os.path.join(HERE, "include", "memview.h")) as f:
        m = re.search(r'^#define MEMVIEW_VERSION "([^"]+)"', f.read(), re.M)
    if not m:
        raise RuntimeError("MEMVIEW_VERSION not found in include/memview.h")
    return m.group(1)


extension = Extension(
    "memview._memview",
    sources=library_sources() + sources("python/*.c"),
    include_dirs=["include", "src", "python"],
    # The library is compiled into the module: MV_API empty and hidden
    # visibility keep its symbols inside (only PyInit__memview is exported).
    define_macros=[("MV_API", "")],
    extra_compile_args=["-std=c11", "-fvisibility=hidden"],
    libraries=["m"],
)

setup(
    version=version(),
    ext_modules=[extension],
    # Keep setuptools' own build tree out of the CMake one (build/).
    options={"build": {"build_base": os.path.join("build", "setuptools")}},
)
