#!/usr/bin/env bash
# platforms.sh BUILD_DIR [PLATFORM...] -- cross-build memview for each
# platform (default: all four below) with its toolchain file in
# cmake/toolchains/, then run, under the platform's emulator (qemu-user or
# wine64):
#   1. every C test (ctest; one summary line per platform);
#   2. the examples, built against an installed copy through the CMake
#      package, shared and static, compared with examples/expected/;
#   3. the CLI golden check (scripts/cli-golden.sh): the same commands on
#      the same data files print byte-identical output on every platform.
# Needs what scripts/platform-deps.sh installs.
set -euo pipefail
BUILD=${1:?usage: platforms.sh BUILD_DIR [PLATFORM...]}
shift
BUILD=$(mkdir -p "$BUILD" && cd "$BUILD" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
ALL=(i686-linux-gnu aarch64-linux-gnu s390x-linux-gnu x86_64-w64-mingw32)
[ $# -gt 0 ] || set -- "${ALL[@]}"
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}

# How to run a program of each platform, and where its shared libraries are.
emulator() {
    case $1 in
    i686-linux-gnu) echo "qemu-i386 -L /" ;;
    aarch64-linux-gnu) echo "qemu-aarch64 -L /" ;;
    s390x-linux-gnu) echo "qemu-s390x -L /" ;;
    x86_64-w64-mingw32) echo "/usr/lib/wine/wine64" ;;
    *) echo "platforms: unknown platform '$1'" >&2; return 1 ;;
    esac
}

wine_env() {
    # One wine prefix for all runs, made once, quietly; DLLs of cmocka,
    # libwinpthread, libgcc (which cmocka's DLL needs) and the library
    # itself are found through WINEPATH.
    export WINEPREFIX=$BUILD/wine WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
    local pthreaddll gccdll
    pthreaddll=$(dirname "$(x86_64-w64-mingw32-gcc -print-file-name=libwinpthread-1.dll)")
    gccdll=$(dirname "$(x86_64-w64-mingw32-gcc -print-file-name=libgcc_s_seh-1.dll)")
    export WINEPATH="$BUILD/deps/mingw64/bin;$pthreaddll;$gccdll;$1"
    if [ ! -d "$WINEPREFIX" ]; then
        /usr/lib/wine/wine64 wineboot -i >/dev/null 2>&1 || true
        /usr/lib/wine/wineserver -w || true
    fi
}

summary=()
fail=0
for p in "$@"; do
    emu=$(emulator "$p")
    dir=$BUILD/platform-$p
    out=$dir/out
    echo "== $p: build"
    cmake -S "$root" -B "$dir" -G Ninja --no-warn-unused-cli \
        -DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchains/$p.cmake" \
        -DMEMVIEW_MINGW_PREFIX="$BUILD/deps/mingw64" \
        -DMEMVIEW_TESTS=ON -DMEMVIEW_PYTHON=OFF -DMEMVIEW_VALGRIND=OFF \
        -DMEMVIEW_BENCH=OFF -DMEMVIEW_OUTPUT_DIR="$out" \
        -DCMAKE_INSTALL_PREFIX="$dir/prefix" >"$dir.configure.log" 2>&1 ||
        { cat "$dir.configure.log"; exit 1; }
    cmake --build "$dir" -j"$JOBS" >"$dir.build.log" 2>&1 ||
        { grep -A12 -m3 'FAILED:' "$dir.build.log" || tail -n 40 "$dir.build.log"; exit 1; }
    [ "$p" = x86_64-w64-mingw32 ] && wine_env "$out"

    echo "== $p: C tests under $emu"
    if ctest --test-dir "$dir" --output-on-failure -j"$JOBS" -L unit \
            >"$dir.ctest.log" 2>&1; then
        :
    else
        fail=1
    fi
    grep -E 'tests passed|Failed|Not Run|\*\*\*' "$dir.ctest.log" || true
    # Why each test that does not apply here was skipped.
    grep -h '^SKIPPED' "$dir/Testing/Temporary/LastTest.log" 2>/dev/null |
        sort -u | sed "s/^/$p: /" || true
    line=$(grep 'tests passed' "$dir.ctest.log" || echo "no summary")
    summary+=("$p: $line")

    echo "== $p: examples against an installed copy"
    rm -rf "$dir/prefix" "$dir/examples"
    cmake --install "$dir" >/dev/null
    if cmake -S "$root/examples" -B "$dir/examples" -G Ninja \
            -DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchains/$p.cmake" \
            -DMEMVIEW_MINGW_PREFIX="$BUILD/deps/mingw64" \
            -DCMAKE_PREFIX_PATH="$dir/prefix" -DCMAKE_FIND_ROOT_PATH="$dir/prefix" \
            -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF >"$dir.examples.log" 2>&1 &&
        cmake --build "$dir/examples" >>"$dir.examples.log" 2>&1; then
        n=0
        for src in "$root"/examples/*.c; do
            name=$(basename "$src" .c)
            for exe in "$name" "${name}_static"; do
                f=$dir/examples/$exe
                [ -f "$f" ] || f=$f.exe
                if [ "$p" = x86_64-w64-mingw32 ]; then
                    WINEPATH="$WINEPATH;$dir/prefix/bin" $emu "$f" >"$dir/ex.out" 2>&1 || true
                    tr -d '\r' <"$dir/ex.out" >"$dir/ex.out2" && mv "$dir/ex.out2" "$dir/ex.out"
                else
                    LD_LIBRARY_PATH=$dir/prefix/lib $emu "$f" >"$dir/ex.out" 2>&1 || true
                fi
                if diff -u "$root/examples/expected/$name.txt" "$dir/ex.out"; then
                    n=$((n + 1))
                else
                    echo "$p: examples/$exe: output differs"
                    fail=1
                fi
            done
        done
        echo "$p: $n example runs match examples/expected/"
    else
        tail -n 30 "$dir.examples.log"
        echo "$p: examples did not build"
        fail=1
    fi

    echo "== $p: CLI golden outputs"
    if [ -x "$root/scripts/cli-golden.sh" ] || [ -f "$root/scripts/cli-golden.sh" ]; then
        cli=$out/memview
        [ -f "$cli" ] || cli=$cli.exe
        bash "$root/scripts/cli-golden.sh" check "$emu $cli" |
            tee "$dir.golden.log" || fail=1
        summary+=("$p: $(grep -m1 '^golden: [0-9]* commands,' "$dir.golden.log" ||
            echo "golden: no summary")")
    fi
done

echo "== platforms: C test and CLI golden summary per platform"
printf '%s\n' "${summary[@]}"
exit $fail
