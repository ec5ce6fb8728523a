"""CPython's own memoryview test suites against memview.memoryview, under
pytest: every unittest test of the running interpreter's
Lib/test/test_memoryview.py and test_buffer.py becomes one pytest test.

The runner, the table of expected failures per version and the rules live
in cpython_suite.py, which also runs stand-alone under unittest for the
interpreters that have no pytest (``make check-pythons``).
"""

import importlib

import pytest

import cpython_suite as cs

ALL_IDS = sorted(cs.collect_cases(rebind=False))
EXPECTED = cs.expected_failures()
_RESULTS = {}
_COUNTS = {}


@pytest.fixture(scope="module")
def suite_results():
    importlib.import_module("memview")  # fail loudly if it is missing
    if not _RESULTS:
        _RESULTS.update(cs.run_all(ALL_IDS))
    return _RESULTS


def test_expected_table_names_real_tests():
    unknown = cs.unknown_entries(ALL_IDS, EXPECTED)
    assert not unknown, ("EXPECTED names tests that %s's suites do not "
                         "have: %s" % (cs.VERSION, unknown))


@pytest.mark.parametrize("test_id", ALL_IDS)
def test_cpython(suite_results, test_id):
    outcome, message = cs.judge(test_id, suite_results[test_id], EXPECTED)
    _COUNTS[outcome] = _COUNTS.get(outcome, 0) + 1
    if outcome == "skipped":
        pytest.skip(message)
    if outcome == "failed":
        pytest.fail(message, pytrace=False)


def summary_line():
    """The runner's per-interpreter line, once every test was judged."""
    if sum(_COUNTS.values()) != len(ALL_IDS):
        return None
    return cs.summary_line(_COUNTS)
