"""CPython 3.11's own memoryview test suites, run against memview.memoryview.

Lib/test/test_memoryview.py and Lib/test/test_buffer.py (Debian package
libpython3.11-testsuite) are imported, their module-global name
``memoryview`` is rebound to ``memview.memoryview``, and every unittest test
becomes one pytest test, so that pytest's summary counts them one by one.

The rebinding is literal: ``module.memoryview = memview.memoryview`` and
nothing else in the suites is changed.  So where a suite meets a builtin
memoryview that _testbuffer's C helpers made (memoryview_from_buffer(),
get_contiguous(), ...), that object is, to the suite, just another exporter.

The suites run in a child interpreter, one test after another, so that a
crash in one test (a fatal signal in the extension) is reported against that
test and the others still run: the parent restarts the child after the
crashing test.  Each test seeds the ``random`` module from its own id, which
makes test_buffer's random cases the same from run to run.

SKIP lists the tests that assert NotImplementedError (or, for pickling and
copying, TypeError) for something memview deliberately does more of, and
the one test that asserts the byte size of the builtin's C struct
(sys.getsizeof), which no other implementation of the type can share; each
with its reason.  Nothing else is skipped
here; tests that CPython's suite itself skips (with ``unittest.skip``) are
reported as skipped with CPython's reason.  A SKIP entry whose test passes is
reported as a failure, so the table cannot go stale.
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

import pytest

SUITES = ("test.test_memoryview", "test.test_buffer")

# test id -> reason.  Only tests that assert NotImplementedError (or the
# builtin's refusal: TypeError for pickling and copying) for a feature that
# memview implements, or the builtin's private object layout, belong here.
SKIP = {
    "test.test_buffer.TestBufferProtocol.test_memoryview_sizeof":
        "asserts sys.getsizeof() of the builtin's C struct (184 bytes for "
        "1-D); memview.memoryview embeds a core mv_view and has its own size",
    "test.test_buffer.TestBufferProtocol.test_memoryview_compare_special_cases":
        "asserts that two views of a ctypes BigEndianStructure (format "
        "T{>l:x:>l:y:}) are unequal: memview reads PEP 3118 records, so "
        "equal records compare equal",
    "test.test_buffer.TestBufferProtocol.test_memoryview_assign":
        "memview implements N-D assignment to sub-views (m[0] = buf)",
    "test.test_buffer.TestBufferProtocol.test_memoryview_index":
        "memview implements sub-views (m[()] is a view of the whole)",
    "test.test_buffer.TestBufferProtocol.test_memoryview_slice":
        "memview implements multi-dimensional slicing and sub-views",
    "test.test_buffer.TestBufferProtocol.test_ndarray_slice_invalid":
        "memview implements multi-dimensional slicing (a zero step is then "
        "ValueError, as in NumPy)",
    "test.test_memoryview.OtherTest.test_copy":
        "memview views can be pickled, so copy.copy() gives an equal view "
        "of a C-contiguous copy of the items; the builtin raises TypeError",
    "test.test_memoryview.OtherTest.test_pickle":
        "memview pickles views (protocol 5 out of band, without copying); "
        "the builtin refuses with TypeError",
    "test.test_memoryview.ArrayMemorySliceSliceTest.test_setitem_writable":
        "memview implements multi-dimensional slice assignment",
    "test.test_memoryview.ArrayMemorySliceTest.test_setitem_writable":
        "memview implements multi-dimensional slice assignment",
    "test.test_memoryview.ArrayMemoryviewTest.test_setitem_writable":
        "memview implements multi-dimensional slice assignment",
    "test.test_memoryview.BytesMemorySliceSliceTest.test_setitem_writable":
        "memview implements multi-dimensional slice assignment",
    "test.test_memoryview.BytesMemorySliceTest.test_setitem_writable":
        "memview implements multi-dimensional slice assignment",
    "test.test_memoryview.BytesMemoryviewTest.test_setitem_writable":
        "memview implements multi-dimensional slice assignment",
}

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
# The pytest face

if __name__ != "__main__":
    ALL_IDS = sorted(collect_cases(rebind=False))
    _RESULTS = {}

    @pytest.fixture(scope="module")
    def suite_results():
        importlib.import_module("memview")  # fail loudly if it is missing
        if not _RESULTS:
            _RESULTS.update(run_all(ALL_IDS))
        return _RESULTS

    def test_skip_table_names_real_tests():
        unknown = sorted(set(SKIP) - set(ALL_IDS))
        assert not unknown, "SKIP names tests that do not exist: %s" % unknown

    @pytest.mark.parametrize("test_id", ALL_IDS)
    def test_cpython(suite_results, test_id):
        result = suite_results[test_id]
        outcome, detail = result["outcome"], result["detail"]
        if test_id in SKIP:
            if outcome == "passed":
                pytest.fail("listed in SKIP (%s) but passes: remove the entry"
                            % SKIP[test_id])
            pytest.skip("listed in SKIP: " + SKIP[test_id])
        if outcome == "skipped":
            pytest.skip("skipped by CPython's suite: " + detail)
        if outcome != "passed":
            pytest.fail(detail, pytrace=False)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child_main(sys.argv[2], sys.argv[3])
    else:
        # Stand-alone: run every test (or those named) and print a summary.
        ids = sys.argv[1:] or sorted(collect_cases(rebind=False))
        res = run_all(ids)
        counts = {}
        for test_id in ids:
            r = res[test_id]
            counts[r["outcome"]] = counts.get(r["outcome"], 0) + 1
            if r["outcome"] == "failed":
                print("=" * 70)
                print(test_id)
                print(r["detail"])
        print(counts)
