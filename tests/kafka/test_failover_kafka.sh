#!/usr/bin/env bash
# The failover suite against a real 3-node Apache Kafka cluster (fixtures/kafka/with-cluster.sh),
# inside a private network namespace (tests/fixtures/lib.sh isolate):
#  1. scenarios/failover-kafka-negative.json: acknowledged records are deleted (DeleteRecords)
#     before any consumer read them; kproof must exit 1 and its evidence must name the missing
#     records as lost-write (partition, offset, producer, sequence).
#  2. scenarios/failover-kafka.json with the safe profile: SIGKILL of the leader of partition 0,
#     of the active controller, of a whole zone (each healed), then a rolling restart; kproof must
#     exit 0 with zero lost acknowledged writes and zero duplicates, every fault with measured
#     unavailability and recovery, and the timeline plot with the faults in report.html.
# No JVM of the cluster may be left running.
set -uo pipefail
: "${KPROOF:?}" "${KPROOF_SRC:?}" "${KPROOF_TEST_TMP:?}"
# shellcheck source=tests/fixtures/lib.sh
. "$KPROOF_SRC/tests/fixtures/lib.sh"
isolate "$@"
fault_cluster failover-kafka
NEG=$WORK/negative
RUN=$WORK/failover

# Both runs against one cluster; each run's exit code is written next to its directory.
run_on_cluster failover-kafka-negative "$NEG" - failover-kafka "$RUN" -
check "with-cluster.sh ran both scenarios" test -f "$NEG.rc" -a -f "$RUN.rc"
check "no JVM of the test cluster left" no_jvm_left "$CLUSTER"

q() { jq -r "(.checks[] | select(.id == \"failover.faults\")) | $2" "$1/evidence.json"; }
m() { q "$1" "[.measurements[] | select(.name == \"$2\" and ((.labels // {}) | length == 0))][0].value"; }
num_ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 >= b + 0) }'; }
num_gt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 > b + 0) }'; }

# 1. the negative: real loss must be reported.
check "negative: exit 1 (got $(cat "$NEG.rc" 2>/dev/null))" test "$(cat "$NEG.rc" 2>/dev/null)" = 1
if [[ -f $NEG/evidence.json ]]; then
  check "negative: verdict fail ($(q "$NEG" .reason))" test "$(q "$NEG" .verdict)" = fail
  lost=$(q "$NEG" '[.anomalies[] | select(.kind == "lost-write")][0].count')
  check "negative: lost-write reported ($lost records)" num_gt "$lost" 0
  check "negative: lost-write not allowed under safe" \
    test "$(q "$NEG" '[.anomalies[] | select(.kind == "lost-write")][0].allowed')" = false
  check "negative: lost_acked measured > 0" num_gt "$(m "$NEG" lost_acked)" 0
  check "negative: examples name partition, offset, producer and sequence" \
    test "$(q "$NEG" '[.anomalies[] | select(.kind == "lost-write")][0].examples[0] | [.partition, .offset, .producer, .seq] | map(type) | join(",")')" = "number,number,number,number"
  check "negative: the gate max_lost_acked is missed" \
    test "$(jq '[.gates[] | select(.name == "max_lost_acked")][0].passed' "$NEG/evidence.json")" = false
else
  not_ok "negative: evidence.json written"
  tail -20 "$NEG.stderr" >&2
fi

# 2. the failover scenario with the safe profile.
check "failover-kafka: exit 0 (got $(cat "$RUN.rc" 2>/dev/null))" test "$(cat "$RUN.rc" 2>/dev/null)" = 0
if [[ -f $RUN/evidence.json ]]; then
  check "failover-kafka: verdict pass ($(q "$RUN" .reason))" test "$(q "$RUN" .verdict)" = pass
  check "failover-kafka: records acknowledged ($(m "$RUN" records_acked))" \
    num_gt "$(m "$RUN" records_acked)" 20000
  check "failover-kafka: zero lost acknowledged writes" test "$(m "$RUN" lost_acked)" = 0
  check "failover-kafka: zero duplicates" test "$(m "$RUN" duplicates)" = 0
  check "failover-kafka: no anomaly of any kind" test "$(q "$RUN" '.anomalies | length')" = 0
  check "failover-kafka: the final read found every acknowledged record" \
    num_ge "$(m "$RUN" final_read_records)" "$(m "$RUN" records_acked)"
  rows=$(q "$RUN" '[.tables[] | select(.title == "Faults")][0].rows')
  # the measured figures, for the CI log
  jq -r '.[] | "# fault \(.[0]): \(.[1]); applied \(.[2]) s, healed \(.[3]) s; max unavailability \(.[4]) s; recovery \(.[5]) s; \(.[6])"' <<<"$rows"
  q "$RUN" '.tables[] | select(.title | startswith("Latency")) | .rows[] | "# latency \(.[0]) \(.[1]): p50 \(.[3]) ms, p99 \(.[4]) ms, max \(.[6]) ms (\(.[2]) records)"'
  q "$RUN" '.tables[] | select(.title | startswith("Client errors")) | .rows[] | "# errors: \(.[0]) (\(.[1])) x \(.[2])"'
  echo "# acknowledged $(m "$RUN" records_acked), lost $(m "$RUN" lost_acked), duplicates $(m "$RUN" duplicates), final read $(m "$RUN" final_read_records)"
  check "failover-kafka: four faults applied" test "$(jq length <<<"$rows")" = 4
  check "failover-kafka: every fault recovered" \
    test "$(jq 'map(select(.[6] != "recovered")) | length' <<<"$rows")" = 0
  for f in 1 2 3 4; do
    u=$(q "$RUN" "[.measurements[] | select(.name == \"fault_unavailability_max_s\" and .labels.fault == \"$f\")][0].value")
    r=$(q "$RUN" "[.measurements[] | select(.name == \"fault_recovery_s\" and .labels.fault == \"$f\")][0].value")
    check "failover-kafka: fault $f ($(jq -r ".[$((f - 1))][1]" <<<"$rows")): unavailability $u s, recovery $r s" \
      bash -c "[[ '$u' =~ ^[0-9.e+-]+$ && '$r' =~ ^[0-9.e+-]+$ ]]"
  done
  u1=$(q "$RUN" '[.measurements[] | select(.name == "fault_unavailability_max_s" and .labels.fault == "1")][0].value')
  check "failover-kafka: killing the leader of partition 0 made it unavailable for a while ($u1 s)" \
    num_gt "$u1" 0
  check "failover-kafka: latency during the faults measured" \
    test "$(m "$RUN" ack_latency_p99_ms_during)" != null
  svg=$RUN/$(q "$RUN" '[.artifacts[] | select(.kind == "svg")][0].path')
  check "failover-kafka: timeline SVG with the fault markers" \
    bash -c "grep -q '1 kill-leader' '$svg' && grep -q '2 kill-controller' '$svg' && grep -q '3 kill-zone' '$svg' && grep -q '4 rolling-restart' '$svg'"
  check "failover-kafka: report.html embeds the timeline" \
    bash -c "grep -q '<svg' '$RUN/report.html' && grep -q '4 rolling-restart' '$RUN/report.html'"
else
  not_ok "failover-kafka: evidence.json written"
  tail -20 "$RUN.stderr" >&2
fi
finish
