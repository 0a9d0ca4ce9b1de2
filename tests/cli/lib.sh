# shellcheck shell=bash
# Helpers for the CLI tests in tests/cli/ (sourced). Every test prints "ok - ..." or
# "not ok - ..." per assertion and ends with "N passed, N failed"; any failure exits 1.
set -uo pipefail

KPROOF=${KPROOF:?KPROOF must name the kproof binary (ctest sets it)}
KPROOF_SRC=${KPROOF_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)}
TMP_ROOT=${KPROOF_TEST_TMP:-/tmp}
T=$(mktemp -d "$TMP_ROOT/$(basename "$0" .sh).XXXXXX")
# ok, not_ok, check, finish...: tests/lib/assert.sh; $T is the scratch directory
# shellcheck source=tests/lib/assert.sh
source "$KPROOF_SRC/tests/lib/assert.sh"
SCRATCH=$T

# jq-like access to a JSON file with python3: json_get FILE EXPR (EXPR is Python over `d`)
json_get() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}
