"""The Python extension uses CPython's public C API only.

Private functions (``_Py*``) change or vanish between versions: Python 3.13
removed ``_PyLong_AsInt``, which stopped an extension that called it from
importing.  Two checks:

  - no identifier of python/*.c begins with ``_Py``;
  - every built extension module (build/python/ and each build/python<X.Y>/
    of ``make pythons``) imports from the interpreter only ``_Py`` symbols
    that a public macro of the C API expands to (PUBLIC_MACRO_SYMBOLS, each
    with the macro).  A private function called directly shows up here
    even when it hides behind a macro of our own.
"""

import glob
import os
import re
import shutil
import subprocess

import pytest

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), os.pardir,
                                     os.pardir))
BUILD = os.environ.get("MEMVIEW_BUILD", os.path.join(ROOT, "build"))

# symbol -> the public macro whose expansion references it
PUBLIC_MACRO_SYMBOLS = {
    "_Py_Dealloc": "Py_DECREF (its inline body, when the count reaches 0)",
    "_Py_NoneStruct": "Py_None, Py_RETURN_NONE",
    "_Py_TrueStruct": "Py_True",
    "_Py_FalseStruct": "Py_False",
    "_Py_NotImplementedStruct": "Py_NotImplemented, Py_RETURN_NOTIMPLEMENTED",
    "_Py_EllipsisObject": "Py_Ellipsis",
    "_PyObject_GC_New": "PyObject_GC_New",
    "_PyArg_ParseTupleAndKeywords_SizeT":
        "PyArg_ParseTupleAndKeywords under PY_SSIZE_T_CLEAN (before 3.13)",
    "_Py_BuildValue_SizeT": "Py_BuildValue under PY_SSIZE_T_CLEAN "
                            "(before 3.13)",
}


def extension_modules():
    found = []
    for d in [os.path.join(BUILD, "python")] + sorted(
            glob.glob(os.path.join(BUILD, "python3.*"))):
        found += glob.glob(os.path.join(d, "**", "*.so"), recursive=True)
    return sorted(found)


def undefined_symbols(path):
    out = subprocess.run(["nm", "-D", "--undefined-only", path],
                         check=True, capture_output=True, text=True).stdout
    return {line.split()[-1].split("@")[0]
            for line in out.splitlines() if line.strip()}


def test_sources_name_no_private_api():
    hits = []
    for path in sorted(glob.glob(os.path.join(ROOT, "python", "**", "*.[ch]"),
                                 recursive=True)):
        with open(path) as f:
            for no, line in enumerate(f, 1):
                for name in re.findall(r"\b_Py\w*", line):
                    hits.append("%s:%d: %s" % (os.path.relpath(path, ROOT),
                                               no, name))
    assert not hits, "private CPython API named:\n" + "\n".join(hits)


def test_some_extension_is_built():
    assert extension_modules(), "no extension module under %s" % BUILD


@pytest.mark.skipif(shutil.which("nm") is None, reason="nm (binutils) missing")
@pytest.mark.parametrize("path", extension_modules() or ["(none built)"],
                         ids=lambda p: os.path.relpath(p, BUILD))
def test_extension_imports_public_api_only(path):
    if not os.path.exists(path):
        pytest.fail("no extension module under %s" % BUILD)
    private = sorted(s for s in undefined_symbols(path)
                     if s.startswith("_Py") and s not in PUBLIC_MACRO_SYMBOLS)
    assert not private, "%s imports private CPython symbols: %s" % (
        os.path.relpath(path, BUILD), ", ".join(private))


def test_the_check_sees_private_symbols(tmp_path):
    """The symbol check itself: a module calling _PyLong_AsInt is caught."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None or shutil.which("nm") is None:
        pytest.skip("no C compiler or nm")
    src = tmp_path / "probe.c"
    src.write_text("extern int _PyLong_AsInt(void *);\n"
                   "extern void *_Py_NoneStruct;\n"
                   "int probe(void *o) { return _PyLong_AsInt(o) +"
                   " (o == &_Py_NoneStruct); }\n")
    so = tmp_path / "probe.so"
    subprocess.run([cc, "-shared", "-fPIC", "-o", str(so), str(src)],
                   check=True)
    syms = undefined_symbols(str(so))
    assert "_PyLong_AsInt" in syms
    private = {s for s in syms
               if s.startswith("_Py") and s not in PUBLIC_MACRO_SYMBOLS}
    assert private == {"_PyLong_AsInt"}
