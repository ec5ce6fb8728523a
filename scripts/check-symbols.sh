#!/usr/bin/env bash
# check-symbols.sh BUILD_DIR -- the ABI surface of the built library:
#   - libmemview.so exports only mv_* symbols, and exactly the functions the
#     header declares with MV_API (no internal function leaks out, no
#     declared call is missing);
#   - its soname is libmemview.so.<major>, the major version of memview.h
#     and of memview.pc;
#   - libmemview.a defines the same calls and, besides them, only internal
#     globals named mv__* (a static link puts them in the program's
#     namespace);
#   - the version agrees everywhere it is written: MEMVIEW_VERSION and
#     MEMVIEW_VERSION_MAJOR/_MINOR/_PATCH in memview.h, memview.pc, the
#     library's file name and docs/memview.1.
set -euo pipefail

out=${1:?usage: check-symbols.sh BUILD_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
header=$root/include/memview.h
so=$out/libmemview.so
failed=0

# complain MESSAGE LIST: MESSAGE and LIST's lines, indented, when LIST has any
complain() {
    [ -n "$2" ] || return 0
    echo "$1"
    sed 's/^/    /' <<<"$2"
    failed=1
}

exported=$(nm -D --defined-only "$so" | awk 'NF == 3 {print $3}' | sort)
declared=$(grep -oE '^MV_API [^(]*\(' "$header" |
           grep -oE '[A-Za-z_][A-Za-z0-9_]* *\($' | tr -d '( ' | sort)

stray=$(grep -v '^mv_' <<<"$exported" || true)
complain "libmemview.so exports symbols without the mv_ prefix:" "$stray"
undeclared=$(comm -23 <(echo "$exported") <(echo "$declared"))
complain "libmemview.so exports symbols memview.h does not declare with MV_API:" \
    "$undeclared"
missing=$(comm -13 <(echo "$exported") <(echo "$declared"))
complain "memview.h declares calls libmemview.so does not export:" "$missing"

hdefine() { sed -n "s/^#define MEMVIEW_VERSION$1 \\([^ ]*\\).*\$/\\1/p" "$header"; }
major=$(hdefine _MAJOR)
hversion=$(hdefine "" | tr -d '"')
pcversion=$(sed -n 's/^Version: //p' "$out/memview.pc")
manversion=$(sed -n '1s/^\.TH .* "memview \([^"]*\)".*$/\1/p' "$root/docs/memview.1")
soname=$(objdump -p "$so" | awk '$1 == "SONAME" {print $2}')
if [ "$hversion" != "$major.$(hdefine _MINOR).$(hdefine _PATCH)" ]; then
    echo "memview.h: MEMVIEW_VERSION \"$hversion\" disagrees with" \
         "MEMVIEW_VERSION_MAJOR, _MINOR, _PATCH"
    failed=1
fi
if [ "$soname" != "libmemview.so.$major" ]; then
    echo "soname $soname, want libmemview.so.$major (MEMVIEW_VERSION_MAJOR)"
    failed=1
fi
if [ ! -e "$out/$soname" ] || [ "$(readlink "$out/$soname")" != "libmemview.so.$hversion" ]; then
    echo "$soname is not a link to libmemview.so.$hversion"
    failed=1
fi
if [ "$hversion" != "$pcversion" ]; then
    echo "memview.h says version $hversion, the build (memview.pc) $pcversion"
    failed=1
fi
if [ "$hversion" != "$manversion" ]; then
    echo "memview.h says version $hversion, docs/memview.1 '$manversion'"
    failed=1
fi

# libmemview.a: a static link puts every global symbol of the library into
# the program's namespace, so each one is a call memview.h declares (mv_*)
# or an internal function or variable shared between the library's files
# (mv__*). Anything else could collide with a program's own names.
sglobals=$(nm -g --defined-only "$out/libmemview.a" | awk 'NF == 3 {print $3}' | sort -u)
internal=$(grep '^mv__' <<<"$sglobals" || true)
public=$(grep -v '^mv__' <<<"$sglobals" || true)
sstray=$(comm -23 <(echo "$public") <(echo "$declared"))
complain "libmemview.a: global symbols neither declared by memview.h nor named \
mv__* (internal):" "$sstray"
smissing=$(comm -13 <(echo "$public") <(echo "$declared"))
complain "memview.h declares calls libmemview.a does not define:" "$smissing"

[ "$failed" -eq 0 ] || exit 1
echo "symbols: libmemview.so ($soname) exports $(wc -l <<<"$exported")" \
     "mv_* functions, exactly those memview.h declares; libmemview.a has" \
     "the same and $(grep -c . <<<"$internal") internal mv__* globals, nothing else"
