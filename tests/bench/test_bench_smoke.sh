#!/usr/bin/env bash
# Smoke test of the benchmark: bench/run.sh --quick (embedded cluster only, small record counts)
# runs every embedded measurement, prints the table and writes results.jsonl and bench.json.
# It checks that the figures exist and are well-formed; it asserts no performance figure.
set -uo pipefail

# shellcheck source=tests/lib/assert.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/assert.sh"

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
check "history checker: records/s" has checker history 100 records_per_s
check "history checker: history and checker bytes per record" \
  jq -e '[.results[] | select(.bench == "checker") | .median
     | .history_bytes_per_record > 0 and .checker_bytes_per_record > 0
       and .peak_rss_bytes_per_record > 0] == [true]' "$OUT/bench.json"
check "history checker judged the clean history complete, nothing wrong" \
  jq -e '[.results[] | select(.bench == "checker") | .median | .complete == 1 and .not_allowed == 0]
     == [true]' "$OUT/bench.json"
check "transactional history checker: records/s, bytes per record, transactions and G0 cycles" \
  jq -e '[.results[] | select(.bench == "checker-txn") | .median
     | .records_per_s > 0 and .checker_bytes_per_record > 0 and .peak_rss_bytes_per_record > 0
       and .transactions > 0 and .transactions_aborted > 0 and .g0_cycles > 0] == [true]' "$OUT/bench.json"
check "transactional history checker: complete, nothing not allowed under safe" \
  jq -e '[.results[] | select(.bench == "checker-txn") | .median | .complete == 1 and .not_allowed == 0]
     == [true]' "$OUT/bench.json"
for g in "tracked consume msgs/s / raw librdkafka" "consume CPU per record, raw / tracked" \
  "tracked produce msgs/s / raw librdkafka" "history checker records per second"; do
  check "goal \"$g\" evaluated" \
    jq -e --arg g "$g" '[.goals[] | select(.goal == $g and (.status == "met" or .status == "not met")
       and (.observed | type) == "number" and (.threshold | type) == "number")] | length >= 1' \
    "$OUT/bench.json"
done
# Consumption CPU is taken over the measured window only (set-up apart): it can be no more than
# the window's wall time on every CPU of the machine. Counting the set-up or the idle wait after
# the last record (records the embedded cluster lost) broke this for 1 KiB.
NCPU=$(nproc)
check "consume: cpu_s within the window (<= wall_s x $NCPU CPUs), setup_cpu_s stated" \
  jq -e -s --argjson n "$NCPU" '[.[] | select(.bench == "consume")] | length > 0
     and all(.[]; .cpu_s > 0 and .cpu_s <= .wall_s * $n + 0.02 and .setup_cpu_s >= 0)' \
  "$OUT/results.jsonl"
check "both consumers ran with the same, stated prefetch settings" \
  jq -e -s '[.[] | select(.bench == "consume") | .consumer_settings] | length > 0
     and all(. == {"queued.min.messages": "1000000", "queued.max.messages.kbytes": "262144",
                   "fetch.wait.max.ms": "20"})' "$OUT/results.jsonl"

# summarize alone, on made-up lines: a goal not met is printed as such and does not change the
# exit status, and the ConsumerPerformance comparison divides kproof's records per CPU-second by
# Kafka's (3e6 / 1e6 = 3, met; 1e6 / 1e6 = 1, not met).
FAKE=$OUT/fake.jsonl
cat >"$FAKE" <<'EOF'
{"bench":"consume","target":"t","mode":"raw","size":100,"run":1,"msgs_per_s":1000,"cpu_s_per_million":1}
{"bench":"consume","target":"t","mode":"tracked","size":100,"run":1,"msgs_per_s":500,"cpu_s_per_million":2,"records_per_cpu_s":3000000}
{"bench":"cpt","target":"t","mode":"java","size":100,"run":1,"msgs_per_s":900,"records_per_cpu_s":1000000}
{"bench":"consume","target":"t","mode":"raw","size":1024,"run":1,"msgs_per_s":1000,"cpu_s_per_million":1}
{"bench":"consume","target":"t","mode":"tracked","size":1024,"run":1,"msgs_per_s":950,"cpu_s_per_million":1.05,"records_per_cpu_s":1000000}
{"bench":"cpt","target":"t","mode":"java","size":1024,"run":1,"msgs_per_s":900,"records_per_cpu_s":1000000}
{"bench":"checker","target":"-","mode":"history","size":100,"run":1,"records":10000000,"records_per_s":5000000,"history_bytes_per_record":64,"checker_bytes_per_record":24,"checker_peak_rss_bytes_per_record":24,"peak_rss_bytes_per_record":88}
EOF
"$BUILD/bench/kpbench" summarize "$FAKE" --json "$OUT/fake.json" >"$OUT/fake.txt"
rc=$?
check "summarize exits 0 with goals not met (rc $rc)" test "$rc" -eq 0
goal_is() {
  jq -e --arg g "$1" --arg w "$2" --arg s "$3" --argjson o "$4" \
    '[.goals[] | select(.goal == $g and .where == $w)] | length == 1
     and .[0].status == $s and ((.[0].observed - $o) | fabs) < 1e-9' "$OUT/fake.json" >/dev/null
}
check "consume 100 B: 0.5 of raw, not met" goal_is "tracked consume msgs/s / raw librdkafka" "t 100 B" "not met" 0.5
check "consume 1 KiB: 0.95 of raw, met" goal_is "tracked consume msgs/s / raw librdkafka" "t 1024 B" "met" 0.95
check "consume CPU 100 B: 0.5, not met" goal_is "consume CPU per record, raw / tracked" "t 100 B" "not met" 0.5
check "ConsumerPerformance 100 B: 3x per CPU-s, met" \
  goal_is "records per CPU-s, kproof consumer / ConsumerPerformance" "t 100 B" "met" 3
check "ConsumerPerformance 1 KiB: 1x per CPU-s, not met" \
  goal_is "records per CPU-s, kproof consumer / ConsumerPerformance" "t 1024 B" "not met" 1
check "history checker 5 M records/s, not met" \
  goal_is "history checker records per second" "10000000 records" "not met" 5000000
check "the goal table shows observed, threshold and status" \
  grep -Eq 'history checker records per second +10000000 records +5000000\.000 +\(>= 1e\+07\) +not met' \
  "$OUT/fake.txt"

if ((FAILED)); then
  echo "# stdout:" && sed 's/^/#   /' "$OUT.stdout"
  echo "# stderr (tail):" && tail -n 20 "$OUT.stderr" | sed 's/^/#   /'
fi
finish
