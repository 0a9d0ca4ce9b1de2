#!/usr/bin/env bash
# Every test: set up (Debian packages and the reference platforms' artifacts), build, run the unit
# and CLI tests under ASan+UBSan, the unit tests under ThreadSanitizer, then every other test on the
# regular build. The output ends with
# ctest's summary; the exit status is non-zero on any failure.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
scripts/setup.sh --fixtures
scripts/build.sh build-asan -DKP_SANITIZE=ON
scripts/build.sh build-tsan -DKP_TSAN=ON
scripts/build.sh build
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
echo "== tests under ASan+UBSan (unit, cli)"
asan_rc=0
ctest --test-dir build-asan -L '^(unit|cli)$' --output-on-failure -j2 || asan_rc=$?
echo "== unit tests under ThreadSanitizer"
# unit.workload_rate, unit.workload_txn and unit.kclient run librdkafka's mock cluster with clients:
# librdkafka starts its threads with C11 thrd_create, which glibc implements without
# pthread_create, so TSan never registers them and crashes in its allocator. Every other unit test
# runs under TSan.
tsan_rc=0
TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1} \
	ctest --test-dir build-tsan -L '^unit$' -E '^unit\.(workload_rate|workload_txn|kclient)$' --output-on-failure -j2 ||
	tsan_rc=$?
echo "== all other tests"
# The unit and CLI tests have just run under ASan+UBSan (and the unit tests under TSan); the regular
# build runs every other test: the reference platforms, evidence, fixtures, bench, style. Two at a
# time: tests against a real cluster are RUN_SERIAL (tests/*/tests.cmake) and run alone; the light
# ones (embedded cluster, moto, local-kms, rendering) pair up on the two cores.
rc=0
ctest --test-dir build -LE '^(unit|cli)$' --output-on-failure -j2 "$@" || rc=$?
if ((asan_rc != 0)); then
	echo "tests under ASan+UBSan failed (see above)" >&2
	exit "$asan_rc"
fi
if ((tsan_rc != 0)); then
	echo "unit tests under ThreadSanitizer failed (see above)" >&2
	exit "$tsan_rc"
fi
exit "$rc"
