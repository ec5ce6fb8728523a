#!/usr/bin/env bash
# Run every benchmark of memview (make bench calls this after building).
#
#   bash bench/run.sh [--quick]
#
# Environment: PYTHON (default /usr/bin/python3), MEMVIEW_BUILD (the build
# directory), PYTHONPATH (default $MEMVIEW_BUILD/python).
# Each part prints ratios measured in the same run; absolute times alone
# say little on a shared machine.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON=${PYTHON:-/usr/bin/python3}
# The build directory: $MEMVIEW_BUILD, else the one whose python/ is on
# PYTHONPATH (as make bench sets it), else build/.
if [ -n "${MEMVIEW_BUILD:-}" ]; then
    BUILD=$MEMVIEW_BUILD
elif [ -n "${PYTHONPATH:-}" ] && [ "${PYTHONPATH##*/}" = python ] &&
     [ "${PYTHONPATH#*:}" = "$PYTHONPATH" ]; then
    BUILD=$(dirname "$PYTHONPATH")
else
    BUILD=$PWD/build
fi
export PYTHONPATH=${PYTHONPATH:-$BUILD/python}
QUICK=
if [ "${1:-}" = "--quick" ]; then QUICK=--quick; fi

echo "== memview benchmarks ($(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs," \
     "load $(cut -d' ' -f1-3 /proc/loadavg))"
echo
echo "== 1. C API (bench/bench_c.py, program $BUILD/bench/bench_c)"
"$PYTHON" bench/bench_c.py --bin "$BUILD/bench/bench_c"
echo
echo "== 2. Python type against the builtin (bench/bench_py.py)"
"$PYTHON" bench/bench_py.py $QUICK
echo
echo "== 3. items of any format (bench/bench_formats.py, program $BUILD/bench/bench_field)"
MEMVIEW_BUILD=$BUILD "$PYTHON" bench/bench_formats.py --bin "$BUILD/bench/bench_field" $QUICK
echo
echo "== 4. the article's experiment (bench/seed_demo.py)"
MEMVIEW_BUILD=$BUILD "$PYTHON" bench/seed_demo.py --seed-c "$BUILD/bench/seed_c"
echo
echo "== 4. moving 100 MB between processes: pickle, Dask (bench/bench_transfer.py)"
"$PYTHON" bench/bench_transfer.py
echo
echo "== 5. big files: the CLI against NumPy memmap and xxd (bench/bench_files.py)"
MEMVIEW_CLI=$BUILD/memview "$PYTHON" bench/bench_files.py
