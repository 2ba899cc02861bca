# Shared by scripts/demo and scripts/test: package install and build. Source it; do not run it.
set -euo pipefail

ES_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ES_BUILD="${ES_BUILD:-$ES_ROOT/build}"

ES_PACKAGES=(cmake ninja-build g++ pkg-config
    qt6-base-dev qt6-base-dev-tools qt6-charts-dev qt6-declarative-dev qt6-svg-dev qtkeychain-qt6-dev libgl-dev
    libsqlite3-dev sqlite3 libpqxx-dev catch2)

es_install() {
    local missing=()
    local pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "Installing missing packages: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq >/dev/null
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

es_build() {
    local build="${1:-$ES_BUILD}"
    shift || true
    if [ ! -f "$build/build.ninja" ]; then
        cmake -S "$ES_ROOT" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
    fi
    cmake --build "$build" -- -j"$(nproc)"
}
