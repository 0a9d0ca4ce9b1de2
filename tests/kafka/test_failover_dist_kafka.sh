#!/usr/bin/env bash
# Distributed load against a real 3-node Apache Kafka cluster (fixtures/kafka/with-cluster.sh),
# inside a private network namespace (tests/fixtures/lib.sh isolate), 4 local `kproof worker`
# processes per run (docs/distributed.md):
#  1. scenarios/failover-kafka-negative-dist.json (4 workers) and the single-process
#     scenarios/failover-kafka-negative.json: acknowledged records are deleted before any consumer
#     read them; both must exit 1 with lost-write, and the merged history must find more lost
#     records than any one worker sent (so records of several workers).
#  2. scenarios/failover-kafka-dist.json: 4 workers under a killed and restarted partition leader
#     with the safe profile: exit 0, zero lost, zero duplicates, every shard reported — the verdict
#     a single process gets for the same profile (tests/kafka/test_failover_kafka.sh).
# About 3 minutes; no JVM of the cluster may be left running.
set -uo pipefail
: "${KPROOF:?}" "${KPROOF_SRC:?}" "${KPROOF_TEST_TMP:?}"
# shellcheck source=tests/fixtures/lib.sh
. "$KPROOF_SRC/tests/fixtures/lib.sh"
isolate "$@"
fault_cluster failover-dist-kafka
NEGD=$WORK/negative-dist
NEG1=$WORK/negative-single
RUN=$WORK/failover-dist

# The single-process negative runs first: on a freshly formatted cluster each broker hands out its
# first idempotent producer ids only after fetching a block from the controller ("coordinator load
# in progress"), which once held the four workers' producers for 13 s past the shared start, so
# the negative's delete_records at 5 s found 39 records instead of about a thousand.
run_on_cluster failover-kafka-negative "$NEG1" - failover-kafka-negative-dist "$NEGD" - \
  failover-kafka-dist "$RUN" -
check "with-cluster.sh ran the three scenarios" test -f "$NEGD.rc" -a -f "$NEG1.rc" -a -f "$RUN.rc"
check "no JVM of the test cluster left" no_jvm_left "$CLUSTER"

q() { jq -r "(.checks[] | select(.id == \"failover.faults\")) | $2" "$1/evidence.json"; }
m() { q "$1" "[.measurements[] | select(.name == \"$2\" and ((.labels // {}) | length == 0))][0].value"; }
num_gt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 > b + 0) }'; }

# 1. the negative, merged and single-process: the same verdict.
for d in "$NEGD" "$NEG1"; do
  n=$(basename "$d")
  check "$n: exit 1 (got $(cat "$d.rc" 2>/dev/null))" test "$(cat "$d.rc" 2>/dev/null)" = 1
  if [[ -f $d/evidence.json ]]; then
    check "$n: verdict fail ($(q "$d" .reason))" test "$(q "$d" .verdict)" = fail
    lost=$(q "$d" '[.anomalies[] | select(.kind == "lost-write")][0].count')
    check "$n: lost-write reported ($lost records)" num_gt "$lost" 0
  else
    not_ok "$n: evidence.json written"
    tail -20 "$d.stderr" >&2
  fi
done
if [[ -f $NEGD/evidence.json ]]; then
  check "negative-dist: 4 workers measured" test "$(m "$NEGD" workers)" = 4
  # Each worker sent its share (its producers only); more records lost than any one worker sent
  # means records of several workers were found lost in the merged history.
  most=$(q "$NEGD" '[.notes[] | select(startswith("shard ")) | capture(", (?<s>[0-9]+) sent").s | tonumber] | max')
  lost=$(q "$NEGD" '[.anomalies[] | select(.kind == "lost-write")][0].count')
  check "negative-dist: $lost lost records > the $most any one worker sent: several workers' records" \
    num_gt "$lost" "$most"
fi

# 2. the safe profile under a killed leader, 4 workers.
check "failover-dist: exit 0 (got $(cat "$RUN.rc" 2>/dev/null))" test "$(cat "$RUN.rc" 2>/dev/null)" = 0
if [[ -f $RUN/evidence.json ]]; then
  check "failover-dist: verdict pass ($(q "$RUN" .reason))" test "$(q "$RUN" .verdict)" = pass
  check "failover-dist: 4 workers" test "$(m "$RUN" workers)" = 4
  check "failover-dist: records acknowledged ($(m "$RUN" records_acked))" num_gt "$(m "$RUN" records_acked)" 10000
  check "failover-dist: zero lost, zero duplicates" test "$(m "$RUN" lost_acked)/$(m "$RUN" duplicates)" = 0/0
  check "failover-dist: no anomaly of any kind" test "$(q "$RUN" '.anomalies | length')" = 0
  u=$(q "$RUN" '[.measurements[] | select(.name == "fault_unavailability_max_s" and .labels.fault == "1")][0].value')
  check "failover-dist: killing the leader of partition 0 made it unavailable for a while ($u s)" num_gt "$u" 0
  echo "# acknowledged $(m "$RUN" records_acked), unavailability $u s, recovery $(m "$RUN" recovery_max_s) s, achieved $(m "$RUN" achieved_rate)/s"
else
  not_ok "failover-dist: evidence.json written"
  tail -20 "$RUN.stderr" >&2
fi
finish
