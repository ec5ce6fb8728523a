#!/usr/bin/env bash
# Install the Debian packages memview needs to build, demo or test, if
# missing: install-deps.sh [build|demo|test] (default test).
# Safe to run again: does nothing (and touches no network) when all are
# present. Runs non-interactively (CI=true, no stdin); needs root or sudo
# only when something has to be installed.
set -euo pipefail

# What each entry point needs. `make` (build) needs only what the machine's
# own image has, and `make demo` adds the plotting library; `make test`
# needs everything.
BUILD_PACKAGES=(build-essential cmake ninja-build make python3 python3-dev)
DEMO_PACKAGES=("${BUILD_PACKAGES[@]}" python3-matplotlib)
TEST_PACKAGES=(
    "${DEMO_PACKAGES[@]}" pkg-config libcmocka-dev valgrind clang clang-format
    python3-pytest python3-hypothesis python3-numpy
    libpython3.11-testsuite libclang-rt-14-dev g++ gcovr doxygen
    python3-venv python3-pip python3-setuptools python3-wheel python3-mypy
    python3-distributed libdlpack-dev xxd
)

profile=${1:-test}
case "$profile" in
build) PACKAGES=("${BUILD_PACKAGES[@]}") ;;
demo) PACKAGES=("${DEMO_PACKAGES[@]}") ;;
test) PACKAGES=("${TEST_PACKAGES[@]}") ;;
*)
    echo "usage: install-deps.sh [build|demo|test]" >&2
    exit 2
    ;;
esac

installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

missing=()
for pkg in "${PACKAGES[@]}"; do
    installed "$pkg" || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps ($profile): all ${#PACKAGES[@]} packages present"
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
# Wait for another apt or dpkg run rather than fail; keep apt's chatter in a
# log that is printed only when something goes wrong.
APT_OPTS=(-y -q -o Dpkg::Use-Pty=0 -o DPkg::Lock::Timeout=600
          -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
log=$(mktemp "${TMPDIR:-/tmp}/install-deps.XXXXXX")
trap 'rm -f "$log"' EXIT
if ! { "${SUDO[@]}" apt-get update -q -o DPkg::Lock::Timeout=600 &&
       "${SUDO[@]}" apt-get install "${APT_OPTS[@]}" --no-install-recommends \
           "${missing[@]}"; } </dev/null >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "install-deps: apt-get failed" >&2
    exit 1
fi

for pkg in "${missing[@]}"; do
    if ! installed "$pkg"; then
        echo "install-deps: $pkg did not install" >&2
        exit 1
    fi
done
echo "install-deps: done"
