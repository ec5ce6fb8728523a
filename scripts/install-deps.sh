#!/usr/bin/env bash
# Install the Debian packages memview needs to build and test, if missing.
# Safe to run again: does nothing (and touches no network) when all are
# present. Runs non-interactively (CI=true, no stdin); needs root or sudo
# only when something has to be installed.
set -euo pipefail

PACKAGES=(
    build-essential cmake ninja-build pkg-config make
    libcmocka-dev valgrind clang clang-format
    python3 python3-dev python3-pytest python3-hypothesis python3-numpy
    python3-matplotlib libpython3.11-testsuite libclang-rt-14-dev
)

installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

missing=()
for pkg in "${PACKAGES[@]}"; do
    installed "$pkg" || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all ${#PACKAGES[@]} packages present"
    exit 0
fi

echo "install-deps: installing ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo -n)
else
    echo "install-deps: need root to install: ${missing[*]}" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
APT_OPTS=(-y -q -o Dpkg::Use-Pty=0 -o Dpkg::Options::=--force-confdef
          -o Dpkg::Options::=--force-confold)
"${SUDO[@]}" apt-get update -q </dev/null
"${SUDO[@]}" apt-get install "${APT_OPTS[@]}" --no-install-recommends \
    "${missing[@]}" </dev/null

for pkg in "${missing[@]}"; do
    if ! installed "$pkg"; then
        echo "install-deps: $pkg did not install" >&2
        exit 1
    fi
done
echo "install-deps: done"
