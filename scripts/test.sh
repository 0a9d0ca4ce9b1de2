#!/usr/bin/env bash
# Every test: set up (Debian packages and the reference platforms' artifacts), build, run the unit
# and CLI tests under ASan+UBSan, then the whole suite on the regular build. The output ends with
# ctest's summary; the exit status is non-zero on any failure.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
scripts/setup.sh --fixtures
scripts/build.sh build-asan -DKP_SANITIZE=ON
scripts/build.sh build
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
echo "== tests under ASan+UBSan (unit, cli)"
asan_rc=0
ctest --test-dir build-asan -L '^(unit|cli)$' --output-on-failure -j2 || asan_rc=$?
echo "== all tests"
rc=0
ctest --test-dir build --output-on-failure "$@" || rc=$?
if ((asan_rc != 0)); then
	echo "tests under ASan+UBSan failed (see above)" >&2
	exit "$asan_rc"
fi
exit "$rc"
