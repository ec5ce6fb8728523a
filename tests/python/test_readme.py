"""The README's examples are true: each ```python block with a ``>>>``
prompt is run as a doctest, in order, sharing one namespace, and the C API
block is compiled against the built library and run."""

import doctest
import os
import re
import shutil
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
BUILD = os.environ.get("MEMVIEW_BUILD") or os.path.join(ROOT, "build")


def test_readme_examples():
    with open(os.path.join(ROOT, "README.md")) as f:
        text = f.read()
    blocks = [b for b in re.findall(r"```python\n(.*?)```", text, re.S)
              if ">>>" in b]
    assert len(blocks) >= 5
    # one doctest of all blocks, so that later blocks see earlier names
    test = doctest.DocTestParser().get_doctest(
        "\n".join(blocks), {}, "README", "README.md", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, result
    assert result.attempted >= 20


def test_readme_c_example(tmp_path):
    """The C block under "The C API in one screen", as the body of main():
    it compiles warning-free against memview.h, prints the IndexError its
    comment shows, and leaves x and v as its comments say."""
    with open(os.path.join(ROOT, "README.md")) as f:
        [block] = re.findall(r"## The C API in one screen\n\n```c\n(.*?)```",
                             f.read(), re.S)
    includes = [l for l in block.splitlines() if l.startswith("#include")]
    body = [l for l in block.splitlines() if not l.startswith("#include")]
    assert includes == ["#include <memview.h>"]
    src = tmp_path / "readme.c"
    src.write_text("#include <stdio.h>\n" + "\n".join(includes) +
                   "\nint main(void) {\n" + "\n".join(body) +
                   '\nprintf("x.u %llu, nbytes %td, released %d\\n",'
                   " (unsigned long long)x.u, v.nbytes,"
                   " mv_view_is_released(&v));\nreturn 0;\n}\n")
    lib = os.path.join(BUILD, "libmemview.a")
    cc = shutil.which("cc") or shutil.which("gcc")
    exe = tmp_path / "readme"
    subprocess.run([cc, "-std=c11", "-Wall", "-Wextra", "-Werror",
                    "-I" + os.path.join(ROOT, "include"), str(src), lib,
                    "-pthread", "-lm", "-o", str(exe)], check=True)
    out = subprocess.run([str(exe)], check=True, capture_output=True,
                         text=True).stdout
    assert out == ("IndexError: index out of bounds on dimension 1\n"
                   "x.u 104, nbytes 0, released 1\n")
