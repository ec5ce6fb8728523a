"""CPython's own memoryview test suites, run against memview.memoryview.

The interpreter running this file imports its own Lib/test/test_memoryview.py
and Lib/test/test_buffer.py (Debian's libpython3.11-testsuite for
/usr/bin/python3; pyenv's interpreters carry their own), rebinds their
module-global name ``memoryview`` to ``memview.memoryview``, and runs every
unittest test.  Each interpreter is judged by its own suite: 3.12's
test_buffer expects len() of a 0-D view to raise, 3.9's does not.

Two faces share this runner:
  - tests/python/test_cpython_suite.py, under pytest (/usr/bin/python3): every
    test becomes one pytest test;
  - this file run as a script, under unittest only (the other interpreters
    have no pytest):

        PYTHONPATH=build/python3.12 python3.12 tests/python/cpython_suite.py

    prints unittest's summary ("Ran N tests ... OK") and one line
    ``cpython-3.12: N passed, N failed, N skipped``; the exit status is 0
    when nothing failed.  Test ids given as arguments run only those.

The rebinding is literal: ``module.memoryview = memview.memoryview`` and
nothing else in the suites is changed.  So where a suite meets a builtin
memoryview that _testbuffer's C helpers made (memoryview_from_buffer(),
get_contiguous(), ...), that object is, to the suite, just another exporter.

The suites run in a child interpreter, one test after another, so that a
crash in one test (a fatal signal in the extension) is reported against that
test and the others still run: the parent restarts the child after the
crashing test.  Each test seeds the ``random`` module from its own id, which
makes test_buffer's random cases the same from run to run.

EXPECTED lists, per CPython version, the tests that cannot pass against a
type other than the builtin, each with its reason.  Two kinds only: tests
that assert NotImplementedError (or, for pickling and copying, TypeError)
for something memview deliberately does more of (equal PEP 3118 records
compare equal, too), and tests that need the builtin type itself (the byte
size of its C struct; PEP 688's rule that a Python-level __buffer__ returns
a builtin memoryview).  Nothing else is skipped here; tests that CPython's suite itself
skips are reported as skipped with CPython's reason.  A listed test that
passes is reported as a failure, and so is an entry naming a test that the
running version's suite does not have, so the table cannot go stale.
"""

import importlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import traceback
import unittest
import zlib

SUITES = ("test.test_memoryview", "test.test_buffer")
VERSION = "%d.%d" % sys.version_info[:2]

_ALL = ("3.9", "3.10", "3.11", "3.12", "3.13")
_SETITEM = "memview implements multi-dimensional slice assignment"

# (test id, the X.Y versions whose suite it fails in, reason).  Only tests
# that assert NotImplementedError (or the builtin's refusal: TypeError for
# pickling and copying) for a feature that memview implements, or that need
# the builtin type itself, belong here.
EXPECTED = [
    ("test.test_buffer.TestBufferProtocol.test_memoryview_sizeof", _ALL,
     "asserts sys.getsizeof() of the builtin's C struct (184 bytes for "
     "1-D); memview.memoryview embeds a core mv_view and has its own size"),
    ("test.test_buffer.TestBufferProtocol."
     "test_memoryview_compare_special_cases", _ALL,
     "asserts that two views of a ctypes BigEndianStructure (format "
     "T{>l:x:>l:y:}) are unequal: memview reads PEP 3118 records, so "
     "equal records compare equal"),
    ("test.test_buffer.TestBufferProtocol.test_memoryview_cast_invalid",
     _ALL,
     "asserts ValueError for casts to formats of several characters ('<i', "
     "'lh', 's'...): memview casts to any format that compiles"),
    ("test.test_buffer.TestBufferProtocol.test_memoryview_tolist", _ALL,
     "asserts NotImplementedError from tolist() of formats 'lh' and 's': "
     "memview reads them as struct.unpack does"),
    ("test.test_buffer.TestBufferProtocol.test_memoryview_assign", _ALL,
     "memview implements N-D assignment to sub-views (m[0] = buf)"),
    ("test.test_buffer.TestBufferProtocol.test_memoryview_index", _ALL,
     "memview implements sub-views (m[()] is a view of the whole)"),
    ("test.test_buffer.TestBufferProtocol.test_memoryview_slice", _ALL,
     "memview implements multi-dimensional slicing and sub-views"),
    ("test.test_buffer.TestBufferProtocol.test_ndarray_slice_invalid", _ALL,
     "memview implements multi-dimensional slicing (a zero step is then "
     "ValueError, as in NumPy)"),
    ("test.test_memoryview.OtherTest.test_copy", _ALL,
     "memview views can be pickled, so copy.copy() gives an equal view of a "
     "C-contiguous copy of the items; the builtin raises TypeError"),
    ("test.test_memoryview.OtherTest.test_pickle", _ALL,
     "memview pickles views (protocol 5 out of band, without copying); the "
     "builtin refuses with TypeError"),
] + [
    # PEP 688 (3.12): a class whose Python-level __buffer__ returns a view is
    # an exporter only if that view is the builtin memoryview (CPython's
    # slot wrapper checks the exact type); with the name rebound, these
    # classes return memview.memoryview.
    ("test.test_buffer.TestPythonBufferProtocol.%s" % name, ("3.12", "3.13"),
     "PEP 688: a Python-level __buffer__ must return a builtin memoryview "
     "(\"__buffer__ returned non-memoryview object\")")
    for name in ("test_basic", "test_buffer_flags",
                 "test_inherit_but_return_something_else",
                 "test_multiple_inheritance_buffer_last",
                 "test_release_buffer", "test_release_buffer_with_exception_set",
                 "test_release_saves_reference_no_subclassing",
                 "test_same_buffer_returned")
] + [
    ("test.test_buffer.TestPythonBufferProtocol.test_c_buffer",
     ("3.12", "3.13"),
     "PEP 688: asserts that a C type's __buffer__() returns a builtin "
     "memoryview (isinstance(mv, memoryview)), which memview.memoryview is "
     "not"),
] + [
    ("test.test_memoryview.%s.test_setitem_writable" % cls, _ALL, _SETITEM)
    for cls in ("ArrayMemorySliceSliceTest", "ArrayMemorySliceTest",
                "ArrayMemoryviewTest", "BytesMemorySliceSliceTest",
                "BytesMemorySliceTest", "BytesMemoryviewTest")
]


def expected_failures(version=VERSION):
    """{test id: reason} for one X.Y version."""
    return {test_id: reason for test_id, versions, reason in EXPECTED
            if version in versions}


# Seconds one test may take in the child before it is declared hung (the
# slowest takes about a second).
TEST_TIMEOUT = float(os.environ.get("MEMVIEW_CPYTHON_TEST_TIMEOUT", "120"))


# ---------------------------------------------------------------------------
# Loading the suites (used by both the parent, to list ids, and the child)

def load_suite(name, rebind):
    module = importlib.import_module(name)
    if rebind:
        import memview
        module.memoryview = memview.memoryview
    return module


def iter_cases(suite):
    for item in suite:
        if isinstance(item, unittest.TestSuite):
            yield from iter_cases(item)
        else:
            yield item


def collect_cases(rebind):
    cases = {}
    loader = unittest.TestLoader()
    for name in SUITES:
        module = load_suite(name, rebind)
        for case in iter_cases(loader.loadTestsFromModule(module)):
            cases[case.id()] = case
    return cases


# ---------------------------------------------------------------------------
# The child: runs the given ids, writes one JSON line per event

def _format_errors(result):
    parts = []
    for kind, entries in (("ERROR", result.errors),
                          ("FAIL", result.failures),
                          ("UNEXPECTED SUCCESS",
                           [(t, "") for t in result.unexpectedSuccesses])):
        for test, text in entries:
            parts.append("%s: %s\n%s" % (kind, test, text))
    return "\n".join(parts)


def child_main(ids_path, out_path):
    with open(ids_path) as f:
        ids = [line.strip() for line in f if line.strip()]
    cases = collect_cases(rebind=True)
    with open(out_path, "a", buffering=1) as out:
        for test_id in ids:
            out.write(json.dumps({"start": test_id}) + "\n")
            out.flush()
            os.fsync(out.fileno())
            random.seed(zlib.crc32(test_id.encode()))
            result = unittest.TestResult()
            try:
                case = cases[test_id]
                case.run(result)
            except BaseException:  # the runner itself should not raise
                result.errors.append((test_id, traceback.format_exc()))
            if result.errors or result.failures or result.unexpectedSuccesses:
                outcome, detail = "failed", _format_errors(result)
            elif result.skipped:
                outcome = "skipped"
                detail = "; ".join(reason for _, reason in result.skipped)
            else:
                outcome, detail = "passed", ""
            out.write(json.dumps({"id": test_id, "outcome": outcome,
                                  "detail": detail}) + "\n")
            out.flush()


# ---------------------------------------------------------------------------
# The parent: runs the child until every id has an outcome

def _read_events(path):
    started, results = None, {}
    with open(path) as f:
        for line in f:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if "start" in event:
                started = event["start"]
            else:
                results[event["id"]] = event
                started = None
    return started, results


def _run_child(ids_path, out_path, log_path, env):
    """Run the child until it exits or one test outlasts TEST_TIMEOUT.
    Returns (exit status, hung)."""
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-X", "faulthandler", os.path.abspath(__file__),
             "--child", ids_path, out_path],
            env=env, stdout=log, stderr=subprocess.STDOUT)
        current, since = None, time.monotonic()
        while True:
            try:
                return proc.wait(timeout=0.2), False
            except subprocess.TimeoutExpired:
                pass
            started, _ = _read_events(out_path)
            now = time.monotonic()
            if started != current:
                current, since = started, now
            elif now - since > TEST_TIMEOUT:
                proc.kill()
                return proc.wait(), True


def run_all(ids):
    results = {}
    remaining = list(ids)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in sys.path if p and os.path.isdir(p))
    with tempfile.TemporaryDirectory(prefix="memview-cpython-") as tmp:
        round_no = 0
        while remaining:
            round_no += 1
            ids_path = os.path.join(tmp, "ids%d" % round_no)
            out_path = os.path.join(tmp, "out%d" % round_no)
            log_path = os.path.join(tmp, "log%d" % round_no)
            with open(ids_path, "w") as f:
                f.write("\n".join(remaining) + "\n")
            open(out_path, "w").close()
            status, hung = _run_child(ids_path, out_path, log_path, env)
            started, got = _read_events(out_path)
            results.update(got)
            remaining = [i for i in remaining if i not in results]
            if not remaining:
                break
            with open(log_path, "rb") as f:
                text = f.read().decode("utf-8", "replace")[-4000:]
            if started is not None:
                why = ("hung (killed after %ss)" % TEST_TIMEOUT if hung else
                       "crashed the interpreter (exit status %s)" % status)
                results[started] = {"id": started, "outcome": "failed",
                                    "detail": "%s\n%s" % (why, text)}
                remaining.remove(started)
            else:
                # The child died before it started any test (import error).
                for i in remaining:
                    results[i] = {"id": i, "outcome": "failed",
                                  "detail": "child failed to start (exit %s)"
                                  "\n%s" % (status, text)}
                remaining = []
    return results


# ---------------------------------------------------------------------------
# Judging one test's outcome (both faces)

def judge(test_id, result, expected):
    """("passed" | "failed" | "skipped", message) for one test's result,
    given the table of expected failures {id: reason}."""
    outcome, detail = result["outcome"], result["detail"]
    if test_id in expected:
        if outcome == "passed":
            return "failed", ("listed in EXPECTED (%s) but passes: remove "
                              "the entry" % expected[test_id])
        return "skipped", "listed in EXPECTED: " + expected[test_id]
    if outcome == "skipped":
        return "skipped", "skipped by CPython's suite: " + detail
    if outcome != "passed":
        return "failed", detail
    return "passed", ""


def unknown_entries(all_ids, expected):
    """Entries of the table that name no test of this version's suites."""
    return sorted(set(expected) - set(all_ids))


def summary_line(counts, version=VERSION):
    return "cpython-%s: %d passed, %d failed, %d skipped (%s, %s)" % (
        version, counts.get("passed", 0), counts.get("failed", 0),
        counts.get("skipped", 0), sys.version.split()[0], sys.executable)


# ---------------------------------------------------------------------------
# The unittest face

class SuiteTest(unittest.TestCase):
    """One test of CPython's suite, already run in the child; reports the
    judged outcome to unittest."""

    def __init__(self, test_id, results, expected, counts):
        super().__init__("runTest")
        self.test_id, self.results = test_id, results
        self.expected, self.counts = expected, counts

    def id(self):
        return self.test_id

    def __str__(self):
        return self.test_id

    def shortDescription(self):
        return None

    def runTest(self):
        outcome, message = judge(self.test_id, self.results[self.test_id],
                                 self.expected)
        self.counts[outcome] = self.counts.get(outcome, 0) + 1
        if outcome == "skipped":
            self.skipTest(message)
        if outcome == "failed":
            self.fail(message)


class TableTest(unittest.TestCase):
    def __init__(self, all_ids, expected, counts):
        super().__init__("runTest")
        self.all_ids, self.expected, self.counts = all_ids, expected, counts

    def id(self):
        return "cpython_suite.EXPECTED names real tests of %s" % VERSION

    def runTest(self):
        unknown = unknown_entries(self.all_ids, self.expected)
        self.counts["failed" if unknown else "passed"] = \
            self.counts.get("failed" if unknown else "passed", 0) + 1
        self.assertFalse(unknown, "EXPECTED names tests that %s's suites "
                         "do not have: %s" % (VERSION, unknown))


def main(argv):
    all_ids = sorted(collect_cases(rebind=False))
    ids = argv or all_ids
    importlib.import_module("memview")  # fail loudly if it is missing
    expected = expected_failures()
    print("CPython %s (%s): %s against memview.memoryview, %d tests"
          % (VERSION, sys.executable, " and ".join(SUITES), len(ids)))
    sys.stdout.flush()
    results = {}
    counts = {}

    class Suite(unittest.TestSuite):
        """Runs the child first, inside unittest's timing."""

        def run(self, result, debug=False):
            results.update(run_all(ids))
            return super().run(result, debug)

    suite = Suite()
    if not argv:
        suite.addTest(TableTest(all_ids, expected, counts))
    for test_id in ids:
        suite.addTest(SuiteTest(test_id, results, expected, counts))
    outcome = unittest.TextTestRunner(stream=sys.stdout, verbosity=1).run(suite)
    print(summary_line(counts))
    return 0 if outcome.wasSuccessful() else 1


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child_main(sys.argv[2], sys.argv[3])
    else:
        sys.exit(main(sys.argv[1:]))
