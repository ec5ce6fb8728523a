#!/usr/bin/env bash
# check-examples.sh BUILD_TREE -- install memview from the configured CMake
# tree BUILD_TREE into a temporary prefix, build every examples/*.c against
# that installed copy through pkg-config and through the CMake package
# (shared and static), run each build and compare its output with
# examples/expected/<name>.txt; then uninstall and check that nothing is
# left behind.
set -euo pipefail

tree=${1:?usage: check-examples.sh BUILD_TREE}
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/memview-examples.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
CC=${CC:-cc}

# Install into the temporary prefix; keep the tree's own install manifest
# (the one `make uninstall` reads) as it was.
manifest=$tree/install_manifest.txt
[ -f "$manifest" ] && cp "$manifest" "$tmp/manifest.saved"
cmake --install "$tree" --prefix "$prefix" >"$tmp/install.log"
cp "$manifest" "$tmp/manifest"
if [ -f "$tmp/manifest.saved" ]; then
    cp "$tmp/manifest.saved" "$manifest"
else
    rm -f "$manifest"
fi
echo "installed $(grep -c "" "$tmp/manifest") files into a temporary prefix"

# Only the installed copy is visible: its pkg-config file and CMake package.
export PKG_CONFIG_PATH= PKG_CONFIG_LIBDIR=
pcdir=$(dirname "$(grep '/memview\.pc$' "$tmp/manifest")")
export PKG_CONFIG_PATH=$pcdir
version=$(pkg-config --modversion memview)
libdir=$(pkg-config --variable=libdir memview)
echo "pkg-config: memview $version, libdir ${libdir#"$tmp"/}"

cmake -S "$root/examples" -B "$tmp/cmake" -G Ninja \
      -DCMAKE_C_COMPILER="$CC" -DCMAKE_PREFIX_PATH="$prefix" \
      -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DMEMVIEW_WANT="$version" \
      >"$tmp/cmake.log" 2>&1 || { cat "$tmp/cmake.log"; exit 1; }
grep -q "memview $version from $prefix/" "$tmp/cmake.log" || {
    cat "$tmp/cmake.log"
    echo "examples: CMake did not find the installed package" >&2
    exit 1
}
cmake --build "$tmp/cmake" >"$tmp/build.log" 2>&1 || {
    cat "$tmp/build.log"
    exit 1
}

# The package's version file: find_package(memview MAJOR.0) is satisfied by
# any MAJOR.x from MAJOR.0 on, and no other major version is (each has its
# own soname and ABI).
major=${version%%.*}
mkdir -p "$tmp/want"
cat >"$tmp/want/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.20)
project(memview_want LANGUAGES C)
find_package(memview ${WANT} QUIET)
message(STATUS "memview ${WANT}: found=${memview_FOUND}")
CMAKE
for want in "$major.0:1" "$((major + 1)).0:0" "$((major - 1)).0:0"; do
    rm -rf "$tmp/want/build"
    cmake -S "$tmp/want" -B "$tmp/want/build" -DWANT="${want%:*}" \
          -DCMAKE_C_COMPILER="$CC" -DCMAKE_PREFIX_PATH="$prefix" \
          -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF >"$tmp/want.log" 2>&1 || {
        cat "$tmp/want.log"
        exit 1
    }
    found=$(sed -n 's/^-- memview .*: found=\(.*\)$/\1/p' "$tmp/want.log")
    case "${want#*:}:$found" in
    1:1 | 0:0 | 0:) ;;
    *)
        echo "examples: find_package(memview ${want%:*}) against $version:" \
             "found='$found'"
        exit 1
        ;;
    esac
done
echo "CMake package: memview $version satisfies find_package(memview" \
     "$major.0), not $((major + 1)).0 or $((major - 1)).0"

failed=0
count=0
for src in "$root"/examples/*.c; do
    name=$(basename "$src" .c)
    expected=$root/examples/expected/$name.txt
    if [ ! -f "$expected" ]; then
        echo "examples/$name: no expected output examples/expected/$name.txt"
        failed=1
        continue
    fi
    # shellcheck disable=SC2046
    "$CC" -std=c11 -Wall -Wextra -Werror $(pkg-config --cflags memview) \
        "$src" -o "$tmp/$name-pc" $(pkg-config --libs memview) \
        -Wl,-rpath,"$libdir"
    for exe in "$tmp/$name-pc" "$tmp/cmake/$name" "$tmp/cmake/${name}_static"; do
        how=${exe#"$tmp"/}
        if ! "$exe" >"$tmp/out" 2>&1; then
            echo "examples/$name ($how): exit status $?"
            cat "$tmp/out"
            failed=1
        elif ! diff -u "$expected" "$tmp/out"; then
            echo "examples/$name ($how): output differs from $expected"
            failed=1
        fi
        count=$((count + 1))
    done
    # The shared builds load the installed library, not the tree's.
    for exe in "$tmp/$name-pc" "$tmp/cmake/$name"; do
        lib=$(ldd "$exe" | awk '/libmemview\.so/ {print $3}')
        case $lib in
        "$prefix"/*) ;;
        *)
            echo "examples/$name: ${exe#"$tmp"/} loads '$lib'," \
                 "not the installed library"
            failed=1
            ;;
        esac
    done
    if ldd "$tmp/cmake/${name}_static" | grep -q libmemview; then
        echo "examples/$name: the static build loads libmemview.so"
        failed=1
    fi
done

# Uninstall with the manifest of the temporary install: nothing may remain
# but empty directories.
cmake -DMANIFEST="$tmp/manifest" -P "$root/cmake/uninstall.cmake"
left=$(find "$prefix" -not -type d)
if [ -n "$left" ]; then
    echo "uninstall left files behind:"
    echo "$left"
    failed=1
fi

[ "$failed" -eq 0 ] || exit 1
echo "examples: $count runs of $(ls "$root"/examples/*.c | wc -l) examples" \
     "(pkg-config, CMake shared, CMake static) match their expected output;" \
     "uninstall leaves no file"
