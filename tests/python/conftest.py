"""pytest configuration for memview's Python tests.

The extension is found on PYTHONPATH (``make test`` sets it to build/python);
when it is not, the build tree's build/python is tried.

Hypothesis profiles:
  ci   (default) derandomized, a fixed number of examples, no deadline, no
       example database: the same cases on every run, a few minutes in all
       on two cores.  MEMVIEW_MAX_EXAMPLES changes the number.
  dev  more examples, random seeds: for hunting new differences.
Pick one with HYPOTHESIS_PROFILE=dev.
"""

import os
import sys

try:
    import memview  # noqa: F401
except ImportError:
    _here = os.path.dirname(os.path.abspath(__file__))
    _build = os.path.join(_here, os.pardir, os.pardir, "build", "python")
    sys.path.insert(0, os.path.normpath(_build))

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=int(os.environ.get("MEMVIEW_MAX_EXAMPLES", "300")),
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow,
                           HealthCheck.data_too_large,
                           HealthCheck.filter_too_much],
)
settings.register_profile(
    "dev",
    max_examples=2000,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow,
                           HealthCheck.data_too_large,
                           HealthCheck.filter_too_much],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_terminal_summary(terminalreporter):
    """After a run of CPython's suites (test_cpython_suite.py), print the
    runner's per-interpreter line, as the unittest face does."""
    mod = sys.modules.get("test_cpython_suite")
    line = mod.summary_line() if mod is not None else None
    if line:
        terminalreporter.write_line(line)
