#!/usr/bin/env bash
# Every check of every suite says what makes it pass, fail, skip and error: `kproof list --json`
# has all four for each check, `kproof list` prints them, and docs/checks.md is exactly what
# scripts/checks-doc.sh generates from the binary (so the page cannot drift from the code).
# Also: the revocation checks that report write-effect's probes declare that they need it.
set -uo pipefail
: "${KPROOF:?}" "${KPROOF_SRC:?}" "${KPROOF_TEST_TMP:?}"

# shellcheck source=tests/lib/assert.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/assert.sh"

WORK=$(mktemp -d "$KPROOF_TEST_TMP/checks-doc.XXXXXX")
SCRATCH=$WORK
"$KPROOF" list --json >"$WORK/list.json"
n=$(jq '[.suites[].checks[]] | length' "$WORK/list.json")
check "kproof list --json lists checks ($n)" test "$n" -gt 20
for k in pass_when fail_when skip_when error_when; do
  missing=$(jq -r --arg k "$k" '[.suites[].checks[] | select((.[$k] // "") == "") | .id] | join(" ")' \
    "$WORK/list.json")
  check "every check has $k${missing:+ (missing: $missing)}" test -z "$missing"
done
"$KPROOF" list >"$WORK/list.txt"
check "kproof list prints no check without a description" bash -c "! grep -q '(not described)' '$WORK/list.txt'"
for w in pass fail skip error; do
  c=$(grep -cE "^      $w +[^ ]" "$WORK/list.txt")
  check "kproof list prints a '$w' line for every check ($c of $n)" test "$c" -eq "$n"
done
for id in revocation.old-data revocation.recovery; do
  check "$id needs revocation.write-effect" \
    test "$(jq -r --arg id "$id" '.suites[].checks[] | select(.id == $id) | .needs | join(",")' "$WORK/list.json")" = revocation.write-effect
done
bash "$KPROOF_SRC/scripts/checks-doc.sh" "$KPROOF" "$WORK/checks.md"
if diff -u "$KPROOF_SRC/docs/checks.md" "$WORK/checks.md" >"$WORK/diff"; then
  ok "docs/checks.md is what scripts/checks-doc.sh generates"
else
  not_ok "docs/checks.md is what scripts/checks-doc.sh generates (run scripts/checks-doc.sh)"
  head -n 40 "$WORK/diff"
fi

finish
