#!/usr/bin/env bash
# Configure and build kproof into build/ (or the directory given). Extra arguments go to cmake.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir=${1:-build}
shift || true
cmake -S "$here" -B "$here/$dir" -G Ninja "$@" >/dev/null
cmake --build "$here/$dir"
