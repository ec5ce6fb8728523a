#!/usr/bin/env bash
# Install what `make platforms` needs, if missing:
#   - Debian's cross compilers (gcc/g++ for i686, aarch64, s390x) and
#     mingw-w64, qemu-user and wine64;
#   - multiarch cmocka (libcmocka-dev:i386, :arm64, :s390x), and the
#     multiarch C++ runtime the C++ test links (libstdc++6:ARCH; the cross
#     compilers' own copy lives under /usr/<triplet>, which `qemu -L /`
#     does not search);
#   - cmocka for Windows, built with mingw-w64 from Debian's own cmocka
#     source package into build/deps/mingw64/ (a deb-src entry for the
#     same mirror is added when missing).
# Safe to run again: does nothing when everything is present.
# usage: platform-deps.sh BUILD_DIR
set -euo pipefail
BUILD=${1:?usage: platform-deps.sh BUILD_DIR}
BUILD=$(mkdir -p "$BUILD" && cd "$BUILD" && pwd)

ARCHES=(i386 arm64 s390x)
PACKAGES=(
    qemu-user gcc-i686-linux-gnu g++-i686-linux-gnu gcc-aarch64-linux-gnu
    g++-aarch64-linux-gnu gcc-s390x-linux-gnu g++-s390x-linux-gnu
    gcc-mingw-w64-x86-64 g++-mingw-w64-x86-64 wine64 cmake ninja-build
    dpkg-dev libcmocka-dev:i386 libcmocka-dev:arm64 libcmocka-dev:s390x
    libstdc++6:i386 libstdc++6:arm64 libstdc++6:s390x
)

if [ "$(id -u)" -eq 0 ]; then SUDO=(); else SUDO=(sudo -n); fi
export DEBIAN_FRONTEND=noninteractive
APT_OPTS=(-y -q -o Dpkg::Use-Pty=0 -o DPkg::Lock::Timeout=600
          -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
log=$(mktemp "${TMPDIR:-/tmp}/platform-deps.XXXXXX")
trap 'rm -f "$log"' EXIT
apt_run() {
    if ! "${SUDO[@]}" "$@" </dev/null >>"$log" 2>&1; then
        tail -n 40 "$log" >&2
        echo "platform-deps: '$*' failed" >&2
        exit 1
    fi
}
installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

updated=0
update_once() {
    if [ $updated -eq 0 ]; then
        apt_run apt-get update -q -o DPkg::Lock::Timeout=600
        updated=1
    fi
}

for a in "${ARCHES[@]}"; do
    if ! dpkg --print-foreign-architectures | grep -qx "$a"; then
        apt_run dpkg --add-architecture "$a"
        updated=0
    fi
done

missing=()
for p in "${PACKAGES[@]}"; do installed "$p" || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
    echo "platform-deps: installing ${missing[*]}"
    update_once
    apt_run apt-get install "${APT_OPTS[@]}" --no-install-recommends "${missing[@]}"
fi

# cmocka for Windows: Debian ships none, so build Debian's own source
# package with mingw-w64 (same version as the Linux one).
MINGW=$BUILD/deps/mingw64
if [ ! -f "$MINGW/lib/pkgconfig/cmocka.pc" ]; then
    echo "platform-deps: building cmocka for x86_64-w64-mingw32"
    if ! apt-get source --print-uris cmocka >/dev/null 2>&1 ||
       ! apt-get source --print-uris cmocka 2>/dev/null | grep -q dsc; then
        src=/etc/apt/sources.list.d/memview-deb-src.sources
        if [ ! -f $src ]; then
            uris=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources \
                   2>/dev/null | head -n 1)
            uris=${uris:-http://deb.debian.org/debian}
            suite=$(. /etc/os-release && echo "$VERSION_CODENAME")
            printf 'Types: deb-src\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
                "$uris" "$suite" | "${SUDO[@]}" tee $src >/dev/null
        fi
        updated=0
        update_once
    fi
    work=$BUILD/deps/cmocka-src
    rm -rf "$work" && mkdir -p "$work"
    (cd "$work" && apt-get source --download-only cmocka </dev/null >>"$log" 2>&1 &&
     dpkg-source -x --no-check ./*.dsc src >>"$log" 2>&1) ||
        { tail -n 40 "$log" >&2; echo "platform-deps: cmocka source failed" >&2; exit 1; }
    cmake -S "$work/src" -B "$work/build" -G Ninja \
        -DCMAKE_TOOLCHAIN_FILE="$(cd "$(dirname "$0")/.." && pwd)/cmake/toolchains/x86_64-w64-mingw32.cmake" \
        -DCMAKE_INSTALL_PREFIX="$MINGW" -DCMAKE_BUILD_TYPE=Release \
        -DWITH_EXAMPLES=OFF -DUNIT_TESTING=OFF -DPICKY_DEVELOPER=OFF \
        >>"$log" 2>&1 &&
    cmake --build "$work/build" >>"$log" 2>&1 &&
    cmake --install "$work/build" >>"$log" 2>&1 ||
        { tail -n 40 "$log" >&2; echo "platform-deps: cmocka build failed" >&2; exit 1; }
fi
echo "platform-deps: cross compilers, qemu-user, wine64 and cmocka for" \
     "i686, aarch64, s390x and x86_64-w64-mingw32 present"
