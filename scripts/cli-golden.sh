#!/usr/bin/env bash
# cli-golden.sh -- the same CLI commands on the same data files print the
# same bytes on every platform.
#
#   cli-golden.sh check "[EMULATOR...] CLI"   compare with the expected
#   cli-golden.sh update CLI                  write the expected outputs
#
# The commands are tests/golden/commands.txt (one a line, shell words
# after `memview`), run in tests/golden/data/ (made by
# tests/golden/make-data.py, checked in). Each command's stdout, and its
# stderr followed by its exit status, are compared byte for byte with
# tests/golden/expected/NNN.out and NNN.err (NNN: the command's number),
# which the native x86-64 build writes with `update`. Nothing is
# stripped: a CR the Windows build adds is a difference.
#
# check prints "golden: N commands, M identical" and a diff of each
# difference, and exits 1 when there is any.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
golden=$root/tests/golden
usage() {
    echo "usage: cli-golden.sh check \"[EMULATOR...] CLI\" | update CLI" >&2
    exit 2
}
[ $# -eq 2 ] || usage
mode=$1
case $mode in check | update) ;; *) usage ;; esac
read -r -a runner <<<"$2"
[ ${#runner[@]} -gt 0 ] || usage
# The commands run in the data directory: relative paths made absolute.
for i in "${!runner[@]}"; do
    w=${runner[$i]}
    case $w in /*) ;; */*) [ -e "$w" ] && runner[$i]=$PWD/$w ;; esac
done
cli=${runner[${#runner[@]} - 1]}
if [ ! -f "$cli" ] && ! command -v "$cli" >/dev/null; then
    echo "cli-golden: no CLI at '$cli'" >&2
    exit 2
fi

# The commands, in order.
commands=()
while IFS= read -r line || [ -n "$line" ]; do
    case $line in '' | '#'*) continue ;; esac
    commands+=("$line")
done <"$golden/commands.txt"

out=$(mktemp -d "${TMPDIR:-/tmp}/cli-golden.XXXXXX")
trap 'rm -rf "$out"' EXIT

# Run command number $1 ($2: its line) into $out/NNN.out and NNN.err.
run_one() {
    local name args status
    name=$(printf '%03d' "$1")
    eval "args=($2)"
    status=0
    (cd "$golden/data" && "${runner[@]}" "${args[@]}") \
        >"$out/$name.out" 2>"$out/$name.err" </dev/null || status=$?
    printf 'exit %d\n' "$status" >>"$out/$name.err"
}

n=0
for line in "${commands[@]}"; do
    n=$((n + 1))
    run_one "$n" "$line"
done

if [ "$mode" = update ]; then
    rm -rf "$golden/expected"
    mkdir -p "$golden/expected"
    cp "$out"/*.out "$out"/*.err "$golden/expected/"
    echo "golden: $n commands written to tests/golden/expected/"
    exit 0
fi

# Show how two files differ: a text diff, or the bytes (xxd) when either
# is not text.
show_diff() {
    if LC_ALL=C grep -qP '[^\t\n\x20-\x7e]' "$1" "$2" 2>/dev/null &&
        command -v xxd >/dev/null; then
        diff -u --label "$3 (expected)" --label "$3 (got)" \
            <(xxd "$1") <(xxd "$2") | head -n 40 || true
    else
        diff -u --label "$3 (expected)" --label "$3 (got)" "$1" "$2" |
            head -n 40 || true
    fi
}

same=0
i=0
for line in "${commands[@]}"; do
    i=$((i + 1))
    name=$(printf '%03d' "$i")
    ok=1
    for ext in out err; do
        want=$golden/expected/$name.$ext
        got=$out/$name.$ext
        if [ ! -f "$want" ]; then
            echo "golden: $name ($line): no expected $name.$ext (run update)"
            ok=0
        elif ! cmp -s "$want" "$got"; then
            echo "golden: $name: memview $line: $ext differs"
            show_diff "$want" "$got" "$name.$ext"
            ok=0
        fi
    done
    same=$((same + ok))
done
extra=$(find "$golden/expected" -name '*.out' 2>/dev/null | wc -l)
if [ "$extra" -ne "$n" ]; then
    echo "golden: $extra expected outputs for $n commands (run update)"
fi
echo "golden: $n commands, $same identical"
[ "$same" -eq "$n" ] && [ "$extra" -eq "$n" ]
