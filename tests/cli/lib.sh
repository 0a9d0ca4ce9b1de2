# shellcheck shell=bash
# Helpers for the CLI tests in tests/cli/ (sourced). Every test prints "ok - ..." or
# "not ok - ..." per assertion and ends with "N passed, N failed"; any failure exits 1.
set -uo pipefail

KPROOF=${KPROOF:?KPROOF must name the kproof binary (ctest sets it)}
KPROOF_SRC=${KPROOF_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)}
TMP_ROOT=${KPROOF_TEST_TMP:-/tmp}
T=$(mktemp -d "$TMP_ROOT/$(basename "$0" .sh).XXXXXX")
PASSED=0
FAILED=0

ok() { PASSED=$((PASSED + 1)); printf 'ok - %s\n' "$*"; }
not_ok() { FAILED=$((FAILED + 1)); printf 'not ok - %s\n' "$*"; }
check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
finish() {
	printf '%s passed, %s failed\n' "$PASSED" "$FAILED"
	if ((FAILED == 0)); then
		rm -rf "$T"
		exit 0
	fi
	echo "# scratch kept in $T"
	exit 1
}

# jq-like access to a JSON file with python3: json_get FILE EXPR (EXPR is Python over `d`)
json_get() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}
