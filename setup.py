"""The parts of the package build that cannot be static in pyproject.toml.

The C sources are found with the same globs as CMakeLists.txt uses (every
src/*.c is the library, every python/*.c the extension), and the version is
MEMVIEW_VERSION of include/memview.h, so neither is written twice.
"""

import glob
import os
import re

from setuptools import Extension, setup

HERE = os.path.dirname(os.path.abspath(__file__))


def sources(pattern):
    # Relative paths: setuptools refuses absolute ones in a wheel build.
    return sorted(os.path.relpath(p, HERE)
                  for p in glob.glob(os.path.join(HERE, pattern)))


def version():
    with open(os.path.join(HERE, "include", "memview.h")) as f:
        m = re.search(r'^#define MEMVIEW_VERSION "([^"]+)"', f.read(), re.M)
    if not m:
        raise RuntimeError("MEMVIEW_VERSION not found in include/memview.h")
    return m.group(1)


extension = Extension(
    "memview._memview",
    sources=sources("src/*.c") + sources("python/*.c"),
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
