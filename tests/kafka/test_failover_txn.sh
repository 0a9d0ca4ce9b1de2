#!/usr/bin/env bash
# Transactions and a frozen broker on a real 3-node Apache Kafka cluster
# (fixtures/kafka/with-cluster.sh), inside a private network namespace (tests/fixtures/lib.sh isolate):
#  1. scenarios/failover-kafka-txn-negative.json: consumers read with isolation.level=
#     read_uncommitted while producers abort 30% of their transactions; kproof must exit 1 and its
#     evidence must report aborted-read (G1a) examples that are not allowed under safe.
#  2. scenarios/failover-kafka-txn.json (the transactional variant of failover-kafka-disks) with the
#     safe profile: transactional producers (10-record transactions, 20% aborted), read_committed
#     consumers, broker 2 frozen by SIGSTOP for 6 s, broker 3's active segment of partition 1
#     damaged (unclean stop, tail cut mid-batch and overwritten, restart), broker 2's whole data
#     directory lost (formatted empty, restarted 6 s later); kproof must exit 0 with zero lost acknowledged writes, zero
#     aborted or precommitted reads, no torn transaction, both transactions committed and aborted,
#     each fault with measured unavailability and recovery, and the pause marked in the timeline.
# No JVM of the cluster may be left running, and none may be left frozen.
set -uo pipefail
: "${KPROOF:?}" "${KPROOF_SRC:?}" "${KPROOF_TEST_TMP:?}"
# shellcheck source=tests/fixtures/lib.sh
. "$KPROOF_SRC/tests/fixtures/lib.sh"
isolate "$@"
fault_cluster failover-txn
NEG=$WORK/negative
RUN=$WORK/txn

# Both runs against one cluster; each run's exit code is written next to its directory. Between
# them no node may be left stopped (T state) by the first run's pause.
# after the negative run: the state letter of every node's process (T: stopped)
node_states() {
  "$KPROOF_SRC/fixtures/kafka/kafka.sh" status | while read -r _ pid _; do
    [[ $pid == - ]] || awk '{print $3}' "/proc/$pid/stat"
  done >"$1.states"
}
export -f node_states
run_on_cluster failover-kafka-txn-negative "$NEG" node_states failover-kafka-txn "$RUN" -
check "with-cluster.sh ran both scenarios" test -f "$NEG.rc" -a -f "$RUN.rc"
check "no JVM of the test cluster left" no_jvm_left "$CLUSTER"
check "after the negative run every node runs (none frozen): $(tr '\n' ' ' <"$NEG.states" 2>/dev/null)" \
  bash -c "[[ -s '$NEG.states' ]] && ! grep -q '^T' '$NEG.states'"

q() { jq -r "(.checks[] | select(.id == \"failover.faults\")) | $2" "$1/evidence.json"; }
m() { q "$1" "[.measurements[] | select(.name == \"$2\" and ((.labels // {}) | length == 0))][0].value"; }
num_gt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 > b + 0) }'; }

# 1. the negative control: read_uncommitted consumers see aborted transactions.
check "negative: exit 1 (got $(cat "$NEG.rc" 2>/dev/null))" test "$(cat "$NEG.rc" 2>/dev/null)" = 1
if [[ -f $NEG/evidence.json ]]; then
  check "negative: verdict fail ($(q "$NEG" .reason))" test "$(q "$NEG" .verdict)" = fail
  ab=$(q "$NEG" '[.anomalies[] | select(.kind == "aborted-read")][0].count')
  check "negative: aborted-read reported ($ab records)" num_gt "$ab" 0
  check "negative: aborted-read not allowed under safe" \
    test "$(q "$NEG" '[.anomalies[] | select(.kind == "aborted-read")][0].allowed')" = false
  check "negative: aborted transactions measured ($(m "$NEG" transactions_aborted))" \
    num_gt "$(m "$NEG" transactions_aborted)" 0
  check "negative: the examples name partition, offset, producer and sequence" \
    test "$(q "$NEG" '[.anomalies[] | select(.kind == "aborted-read")][0].examples[0] | [.partition, .offset, .producer, .seq] | map(type) | join(",")')" = "number,number,number,number"
else
  not_ok "negative: evidence.json written"
  tail -20 "$NEG.stderr" >&2
fi

# 2. transactions under a frozen broker and a killed leader, safe profile.
check "failover-kafka-txn: exit 0 (got $(cat "$RUN.rc" 2>/dev/null))" test "$(cat "$RUN.rc" 2>/dev/null)" = 0
if [[ -f $RUN/evidence.json ]]; then
  check "failover-kafka-txn: verdict pass ($(q "$RUN" .reason))" test "$(q "$RUN" .verdict)" = pass
  echo "# transactions committed $(m "$RUN" transactions_committed), aborted $(m "$RUN" transactions_aborted), unknown $(m "$RUN" transactions_unknown); acknowledged $(m "$RUN" records_acked), lost $(m "$RUN" lost_acked), final read $(m "$RUN" final_read_records)"
  check "failover-kafka-txn: transactions committed" num_gt "$(m "$RUN" transactions_committed)" 100
  check "failover-kafka-txn: transactions aborted on purpose" num_gt "$(m "$RUN" transactions_aborted)" 10
  check "failover-kafka-txn: zero lost acknowledged writes" test "$(m "$RUN" lost_acked)" = 0
  for k in aborted_read precommitted_read torn_transaction g1c int_nonmonotonic_send duplicate; do
    check "failover-kafka-txn: anomalies_$k = 0" test "$(m "$RUN" "anomalies_$k")" = 0
  done
  check "failover-kafka-txn: nothing not allowed" \
    test "$(q "$RUN" '[.anomalies[] | select(.allowed == false)] | length')" = 0
  rows=$(q "$RUN" '[.tables[] | select(.title == "Faults")][0].rows')
  jq -r '.[] | "# fault \(.[0]): \(.[1]); applied \(.[2]) s, healed \(.[3]) s; max unavailability \(.[4]) s; recovery \(.[5]) s; \(.[6])"' <<<"$rows"
  check "failover-kafka-txn: three faults applied" test "$(jq length <<<"$rows")" = 3
  check "failover-kafka-txn: every fault recovered" \
    test "$(jq 'map(select(.[6] != "recovered")) | length' <<<"$rows")" = 0
  fault_is() { jq -r ".[$1][1]" <<<"$rows" | grep -q "$2"; }
  check "failover-kafka-txn: fault 1 is the pause of broker 2" fault_is 0 'pause_broker: broker 2'
  check "failover-kafka-txn: fault 2 damaged broker 3's segment of partition 1" \
    fault_is 1 'corrupt_segment p1: broker 3'
  check "failover-kafka-txn: fault 3 wiped broker 2" fault_is 2 'wipe_broker: broker 2'
  rr=$(q "$RUN" '[.measurements[] | select(.name == "fault_heal_to_healthy_s" and .labels.fault == "3")][0].value')
  echo "# wipe_broker: broker 2 restarted empty; every partition had a full ISR again after $rr s"
  check "failover-kafka-txn: time to re-replicate the wiped broker measured ($rr s)" num_gt "$rr" 0
  wiped() { jq -r '.output_tail' <<<"$(q "$RUN" '[.actions[]? | select(.operation == "wipe_broker")][0]')" | grep -q 'bytes of data deleted'; }
  check "failover-kafka-txn: the wiped broker's data was deleted (kafka.sh's report)" wiped
  dmg=$(q "$RUN" '[.actions[]? | select(.operation == "corrupt_segment")][0]')
  echo "# corrupt_segment (unclean stop, damage, restart until serving): $(jq -r '.duration_ms' <<<"$dmg") ms, ok $(jq -r '.ok' <<<"$dmg")"
  dmg_cut() { jq -r '.output_tail' <<<"$dmg" | grep -Eq '(cut from [0-9]+ to [0-9]+ bytes|-1/0+[.]log [0-9]+ [0-9]+)'; }
  check "failover-kafka-txn: the segment was really cut (kafka.sh's report in the evidence)" dmg_cut
  for f in 1 2 3; do
    u=$(q "$RUN" "[.measurements[] | select(.name == \"fault_unavailability_max_s\" and .labels.fault == \"$f\")][0].value")
    r=$(q "$RUN" "[.measurements[] | select(.name == \"fault_recovery_s\" and .labels.fault == \"$f\")][0].value")
    check "failover-kafka-txn: fault $f: unavailability $u s, recovery $r s measured" \
      bash -c "[[ '$u' =~ ^[0-9.e+-]+$ && '$r' =~ ^[0-9.e+-]+$ ]]"
  done
  check "failover-kafka-txn: the pause and its resume were journaled before they were sent" \
    bash -c "grep -q '\"operation\":\"pause_broker\"' '$RUN/events.jsonl' && grep -q '\"operation\":\"resume_broker\"' '$RUN/events.jsonl'"
  svg=$RUN/$(q "$RUN" '[.artifacts[] | select(.kind == "svg")][0].path')
  check "failover-kafka-txn: timeline SVG marks the pause" grep -q '1 pause-broker' "$svg"
else
  not_ok "failover-kafka-txn: evidence.json written"
  tail -20 "$RUN.stderr" >&2
fi
finish
