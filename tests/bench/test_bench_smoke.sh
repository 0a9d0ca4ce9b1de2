#!/usr/bin/env bash
# Smoke test of the benchmark: bench/run.sh --quick (embedded cluster only, small record counts)
# runs every embedded measurement, prints the table and writes results.jsonl and bench.json.
# It checks that the figures exist and are well-formed; it asserts no performance figure.
set -uo pipefail

PASSED=0
FAILED=0
T0=$(date +%s)
ok() { PASSED=$((PASSED + 1)); printf 'ok - %s\n' "$*"; }
not_ok() { FAILED=$((FAILED + 1)); printf 'not ok - %s\n' "$*"; }
check() {
  local desc=$1
  shift
  if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

SRC=${KPROOF_SRC:?}
BUILD=${KPROOF_BUILD:?}
OUT=${KPROOF_TEST_TMP:-/tmp}/bench-smoke
rm -rf "$OUT"

KPBENCH_BUILD=$BUILD "$SRC/bench/run.sh" --quick --out "$OUT" >"$OUT.stdout" 2>"$OUT.stderr"
rc=$?
check "bench/run.sh --quick exits 0 (rc $rc)" test "$rc" -eq 0
check "the table is printed" grep -q '^produce   embedded' "$OUT.stdout"
check "results.jsonl has one valid JSON object per line" \
  jq -e -s 'length > 0 and all(.[]; type == "object" and has("bench"))' "$OUT/results.jsonl"
check "bench.json is valid JSON" jq -e 'type == "object"' "$OUT/bench.json"

# has BENCH MODE SIZE FIELD: a median of FIELD exists and is a positive number
has() {
  jq -e --arg b "$1" --arg m "$2" --argjson s "$3" --arg f "$4" \
    '[.results[] | select(.bench == $b and .mode == $m and .size == $s) | .median[$f]]
     | length == 1 and .[0] > 0' "$OUT/bench.json" >/dev/null
}
for size in 100 1024; do
  for mode in raw tracked; do
    check "produce $mode $size B: median msgs/s" has produce "$mode" "$size" msgs_per_s
    check "consume $mode $size B: median msgs/s" has consume "$mode" "$size" msgs_per_s
  done
done
check "ledger: bytes per record (own accounting)" has ledger tracked 100 bytes_per_record
check "ledger: bytes per record (peak RSS delta)" has ledger tracked 100 rss_bytes_per_record
check "ledger: checker time per million records" has ledger tracked 100 'checker_ledger-summary_s_per_million'
check "report generation time" has report tracked 100 report_s
check "medians over 2 runs" jq -e '[.results[] | select(.bench == "produce") | .runs] | all(. == 2)' "$OUT/bench.json"
check "tracked/raw produce ratios computed" \
  jq -e '[.comparisons[] | select(.bench == "produce") | .tracked_over_raw] | length == 2 and all(. > 0)' \
  "$OUT/bench.json"
check "goals listed with a status" \
  jq -e '[.goals[] | select(.status == "met" or .status == "not met")] | length >= 5' "$OUT/bench.json"
check "the run's report was written" test -s "$OUT/report/report.html"

if ((FAILED)); then
  echo "# stdout:" && sed 's/^/#   /' "$OUT.stdout"
  echo "# stderr (tail):" && tail -n 20 "$OUT.stderr" | sed 's/^/#   /'
fi
printf '# %s: %ss\n' "$(basename "$0")" "$(($(date +%s) - T0))"
printf '%s passed, %s failed\n' "$PASSED" "$FAILED"
((FAILED == 0))
