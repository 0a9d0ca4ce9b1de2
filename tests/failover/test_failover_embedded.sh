#!/usr/bin/env bash
# The failover suite end to end on the embedded mock cluster (no services, no network namespace
# needed: the mock listens on ephemeral ports of this process): scenarios/failover-embedded.json
# must pass, and its evidence must show every fault applied and healed with measured
# unavailability and recovery, a history judged complete with zero anomalies, every acknowledged
# record read again by the final read, and the timeline plot with the fault markers in report.html.
# Also: no fault in the scenario is a skip, nothing acknowledged and a fault applied after
# production ended are errors, never a pass; a scenario with an unknown anomaly name in
# failover.allow is rejected with its JSON path.
set -uo pipefail
: "${KPROOF:?}" "${KPROOF_SRC:?}" "${KPROOF_TEST_TMP:?}"

# shellcheck source=tests/lib/assert.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/assert.sh"

WORK=$(mktemp -d "$KPROOF_TEST_TMP/failover-embedded.XXXXXX")
SCRATCH=$WORK
OUT=$WORK/run
EV=$OUT/evidence.json

"$KPROOF" run "$KPROOF_SRC/scenarios/failover-embedded.json" -t "$KPROOF_SRC/targets/embedded.json" \
  -o "$OUT" -q >"$WORK/stdout" 2>"$WORK/stderr"
rc=$?
check "failover-embedded exits 0 (got $rc)" test "$rc" -eq 0
if [[ ! -f $EV ]]; then
  not_ok "evidence.json written"
  cat "$WORK/stderr" >&2
  finish
fi

# q JQ-EXPR: evaluates against the failover check's record
q() { jq -r "(.checks[] | select(.id == \"failover.faults\")) | $1" "$EV"; }
m() { q "[.measurements[] | select(.name == \"$1\" and ((.labels // {}) | length == 0))][0].value"; }
num_ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 >= b + 0) }'; }
num_gt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 > b + 0) }'; }

check "check verdict is pass ($(q .verdict): $(q .reason))" test "$(q .verdict)" = pass
check "row recovery-behavior is the check's row" test "$(q .row)" = recovery-behavior
check "records were acknowledged ($(m records_acked))" num_gt "$(m records_acked)" 10000
check "lost_acked is 0" test "$(m lost_acked)" = 0
check "duplicates is 0" test "$(m duplicates)" = 0
for k in lost_write unseen duplicate inconsistent_offsets nonmonotonic_send nonmonotonic_poll \
  poll_skip aborted_read; do
  check "anomalies_$k measured and 0" test "$(m "anomalies_$k")" = 0
done
check "the final read re-read every acknowledged record" \
  num_ge "$(m final_read_records)" "$(m records_acked)"
check "no anomaly records in the evidence" test "$(q '.anomalies | length')" = 0

# Every fault: applied, with measured unavailability and recovery per fault.
check "three faults in the Faults table" \
  test "$(q '[.tables[] | select(.title == "Faults")][0].rows | length')" = 3
check "every fault recovered" \
  test "$(q '[.tables[] | select(.title == "Faults")][0].rows | map(select(.[6] != "recovered")) | length')" = 0
for f in 1 2 3; do
  u=$(q "[.measurements[] | select(.name == \"fault_unavailability_max_s\" and .labels.fault == \"$f\")][0].value")
  r=$(q "[.measurements[] | select(.name == \"fault_recovery_s\" and .labels.fault == \"$f\")][0].value")
  check "fault $f: unavailability measured ($u s)" num_ge "$u" 0
  check "fault $f: recovery measured ($r s)" num_ge "$r" 0
done
u1=$(q '[.measurements[] | select(.name == "fault_unavailability_max_s" and .labels.fault == "1")][0].value')
check "the leader kill was felt: partition unavailable >= 1 s while its broker was down 2 s ($u1 s)" \
  num_ge "$u1" 1
check "no write was blocked much longer than the 2 s outage (max $(m unavailability_max_s) s)" \
  awk -v a="$(m unavailability_max_s)" 'BEGIN { exit !(a < 6) }'
acts=$(q '[.actions[] | select(.ok) | .operation] | sort | join(",")')
check "control actions recorded: topics, kill, start, set_leader, kill_rack, start ($acts)" \
  test "$acts" = "create_topic,create_topic,kill_broker,kill_rack,set_leader,start_broker,start_broker"
check "latency before and during the faults measured" \
  test "$(m ack_latency_p99_ms_before)" != null -a "$(m ack_latency_p99_ms_during)" != null
check "gates evaluated and held" \
  test "$(jq '[.gates[] | select(.check == "failover.faults" and .passed == true)] | length' "$EV")" = 4

# The timeline: an SVG artifact with the fault markers, inlined in report.html.
svg=$OUT/$(q '[.artifacts[] | select(.kind == "svg")][0].path')
check "timeline SVG exists" test -s "$svg"
check "timeline SVG marks the faults and heals" \
  bash -c "grep -q '1 kill-leader' '$svg' && grep -q '3 kill-zone' '$svg' && grep -q '3 heal' '$svg'"
check "report.html embeds the timeline" \
  bash -c "grep -q '<svg' '$OUT/report.html' && grep -q '3 kill-zone' '$OUT/report.html'"
check "events.jsonl journals each kill before it happens" \
  test "$(jq -r 'select(.type == "control.begin" or .type == "control.end") | select(.operation == "kill_rack") | .type' "$OUT/events.jsonl" | paste -sd,)" = "control.begin,control.end"

# Invalid suite options are rejected with the JSON path (exit 2).
jq '.suites[0].options.allow = ["lost-writes"]' "$KPROOF_SRC/scenarios/failover-embedded.json" \
  >"$WORK/bad.json"
"$KPROOF" validate "$WORK/bad.json" >"$WORK/bad.out" 2>&1
rc=$?
check "unknown anomaly in failover.allow: exit 2 (got $rc)" test "$rc" -eq 2
check "the error names the JSON path" grep -q 'suites\[0\].options.allow\[0\]' "$WORK/bad.out"

# Honest verdicts: failover.faults passes only when faults were applied under load to records the
# platform acknowledged.
# v_of RUN: "verdict: reason" of the failover check in RUN's evidence
v_of() { jq -r '(.checks[] | select(.id == "failover.faults")) | "\(.verdict): \(.reason)"' "$1/evidence.json"; }
jq '.suites[0].faults = []' "$KPROOF_SRC/scenarios/failover-embedded.json" >"$WORK/nofault.json"
"$KPROOF" run "$WORK/nofault.json" -t "$KPROOF_SRC/targets/embedded.json" -o "$WORK/nofault" -q \
  >/dev/null 2>&1
v=$(v_of "$WORK/nofault")
check "no fault in the scenario: skip with the reason ($v)" \
  bash -c '[[ $1 == "skip: the scenario lists no faults"* ]]' _ "$v"
# Every record larger than the producer's message.max.bytes: nothing is acknowledged.
jq '.suites[0].workload.duration = "3s" | .suites[0].workload.message_bytes = 3000
  | .suites[0].client.producer["message.max.bytes"] = 2000
  | .suites[0].faults = [{"at": "1s", "action": "move_leader", "partition": 1, "to_broker": 3}]' \
  "$KPROOF_SRC/scenarios/failover-embedded.json" >"$WORK/noack.json"
"$KPROOF" run "$WORK/noack.json" -t "$KPROOF_SRC/targets/embedded.json" -o "$WORK/noack" -q \
  >/dev/null 2>&1
v=$(v_of "$WORK/noack")
check "zero acknowledged records: error \"nothing acknowledged\" ($v)" \
  bash -c '[[ $1 == "error: nothing acknowledged"* ]]' _ "$v"
# A fault scheduled after production ended is configured but never applied under load.
jq '.suites[0].workload.duration = "3s"
  | .suites[0].faults = [{"at": "5s", "action": "move_leader", "partition": 1, "to_broker": 3}]' \
  "$KPROOF_SRC/scenarios/failover-embedded.json" >"$WORK/late.json"
"$KPROOF" run "$WORK/late.json" -t "$KPROOF_SRC/targets/embedded.json" -o "$WORK/late" -q \
  >/dev/null 2>&1
v=$(v_of "$WORK/late")
check "a fault applied only after production ended: error, not pass ($v)" \
  bash -c '[[ $1 == "error: fault 1 "*"after production had ended"* ]]' _ "$v"

finish
