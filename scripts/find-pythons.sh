#!/usr/bin/env bash
# List the CPython interpreters (3.9 or newer) on this machine, one line
# each: "X.Y /path/to/python". /usr/bin/python3 comes first, then pyenv's
# versions ($PYENV_ROOT, default ~/.pyenv), then python3.X on PATH; an
# interpreter reached by two paths is listed once. Several interpreters of
# one X.Y are all listed (they share one build, build/python<X.Y>/).
#
#   find-pythons.sh          every interpreter
#   find-pythons.sh --first  the first interpreter of each X.Y only
set -euo pipefail

first_only=
[ "${1:-}" = "--first" ] && first_only=1

candidates=(/usr/bin/python3)
root=${PYENV_ROOT:-$HOME/.pyenv}
for d in "$root"/versions/*; do
    [ -x "$d/bin/python3" ] && candidates+=("$d/bin/python3")
done
IFS=: read -r -a path_dirs <<<"${PATH:-}"
for d in "${path_dirs[@]}"; do
    for p in "$d"/python3.[0-9] "$d"/python3.[0-9][0-9]; do
        [ -x "$p" ] && candidates+=("$p")
    done
done

declare -A seen_exe seen_ver
for py in "${candidates[@]}"; do
    [ -x "$py" ] || continue
    # CPython only, 3.9 or newer; the executable's own path identifies it.
    info=$("$py" -I -c 'import sys, platform
if platform.python_implementation() == "CPython" and sys.version_info >= (3, 9):
    print("%d.%d %s" % (sys.version_info[:2] + (sys.executable,)))' \
        2>/dev/null) || continue
    [ -n "$info" ] || continue
    ver=${info%% *}
    exe=$(readlink -f "${info#* }")
    [ -n "${seen_exe[$exe]:-}" ] && continue
    seen_exe[$exe]=1
    [ -n "$first_only" ] && [ -n "${seen_ver[$ver]:-}" ] && continue
    seen_ver[$ver]=1
    echo "$ver $py"
done | sort -t. -k1,1n -k2,2n -s
