#!/usr/bin/env bash
# coverage.sh COVERAGE_TREE -- line and branch coverage of src/ by the C
# tests that just ran in COVERAGE_TREE (a --coverage build), measured with
# gcovr. Fails when either figure is below the floor recorded in
# tests/coverage-floor.txt; `coverage.sh TREE --record` writes the current
# figures there instead.
set -euo pipefail

tree=${1:?usage: coverage.sh COVERAGE_TREE [--record]}
root=$(cd "$(dirname "$0")/.." && pwd)
floor_file=$root/tests/coverage-floor.txt

# The library's own objects only (not the CLI's, nor the tests' copies of
# internal.h's inline functions). src/os_win32.c is the Windows platform
# layer, never compiled on Linux: left out by name (docs/coverage.md).
objects=$tree/CMakeFiles/memview_objects.dir
nowin=(--exclude "$root/src/os_win32.c")
gcovr --root "$root" --filter "$root/src/" "${nowin[@]}" \
      --txt "$tree/coverage.txt" --json-summary "$tree/coverage.json" \
      "$objects" >/dev/null
gcovr --root "$root" --filter "$root/src/" "${nowin[@]}" --branches \
      --txt "$tree/coverage-branches.txt" "$objects" >/dev/null
echo "-- lines, per file (gcovr; $tree/coverage.txt):"
sed -n '/^File/,$p' "$tree/coverage.txt" | grep -v '^---'
echo "-- branches, per file:"
sed -n '/^File/,$p' "$tree/coverage-branches.txt" | grep -v '^---'

read -r lines branches < <(python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
print("%.1f %.1f" % (s["line_percent"], s["branch_percent"]))' \
    "$tree/coverage.json")
echo "coverage of src/ by the C tests: lines $lines%, branches $branches%"
echo "(of all that a run can record: what is left out, and why, is listed in" \
     "docs/coverage.md; every GCOVR_EXCL marker of src/ is there)"

if [ "${2:-}" = --record ]; then
    cat >"$floor_file" <<EOT
# Line and branch coverage of src/ by the C tests (gcovr, make coverage).
# make test fails when either figure drops below these; raise them when
# coverage improves (bash scripts/coverage.sh build/coverage --record).
lines $lines
branches $branches
EOT
    echo "recorded in tests/coverage-floor.txt"
    exit 0
fi

want_lines=$(awk '$1 == "lines" {print $2}' "$floor_file")
want_branches=$(awk '$1 == "branches" {print $2}' "$floor_file")
fail=0
if python3 -c 'import sys; sys.exit(float(sys.argv[1]) >= float(sys.argv[2]))' \
        "$lines" "$want_lines"; then
    echo "line coverage $lines% is below the floor $want_lines%"
    fail=1
fi
if python3 -c 'import sys; sys.exit(float(sys.argv[1]) >= float(sys.argv[2]))' \
        "$branches" "$want_branches"; then
    echo "branch coverage $branches% is below the floor $want_branches%"
    fail=1
fi
[ "$fail" -eq 0 ] || exit 1
echo "coverage: at or above the floor (lines $want_lines%, branches" \
     "$want_branches%, tests/coverage-floor.txt)"
