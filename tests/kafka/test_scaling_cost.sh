#!/usr/bin/env bash
# kproof's scaling and cost suites against a real 3-node Kafka cluster (kafka-local), in a private
# network namespace: scaling-kafka adds broker 4 under load, reassigns half of the partitions onto it,
# drains and removes it, and must report a data-copying verdict with the bytes moved, the new broker's
# time to traffic, the disruption and zero lost records; cost-kafka must price the measured workload by
# driver with the stored bytes measured on the brokers' disks.
set -uo pipefail
# shellcheck source=tests/fixtures/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../fixtures/lib.sh"
isolate "$@"
new_cluster_dir
DIR=$KPROOF_KAFKA_DIR
KPROOF=${KPROOF:-$REPO_ROOT/build/kproof}
WORK=$(mktemp -d "${KPROOF_TEST_TMP:-/tmp}/kproof-scaling-cost.XXXXXX")
on_exit() {
  "$KAFKA_SH" stop >/dev/null 2>&1 || true
  if ((FAILED == 0)); then rm -rf "$DIR" "$WORK"; else echo "# kept for inspection: $DIR $WORK" >&2; fi
}
trap on_exit EXIT

# m NAME [CHECK] [EVIDENCE]: the first unlabelled measurement NAME of CHECK
m() {
  jq -r --arg n "$1" --arg c "${2:-scaling.scale-out}" \
    '[.checks[] | select(.id == $c) | .measurements[] | select(.name == $n and ((.labels // {}) | length == 0)) | .value][0] // "none"' \
    "${3:-$WORK/scaling/evidence.json}"
}
jqe() { jq -e "$@" >/dev/null; }
gt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "none" && a != "null" && a + 0 > b + 0) }'; }
eq() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "none" && a + 0 == b + 0) }'; }

t0=$(date +%s)
"$WITH_CLUSTER" bash -c '
  "$1" run "$2/scenarios/scaling-kafka.json" -t "$2/targets/kafka-local.json" -o "$3/scaling" >"$3/scaling.out" 2>"$3/scaling.err"
  echo $? >"$3/scaling.rc"
  "$1" run "$2/scenarios/cost-kafka.json" -t "$2/targets/kafka-local.json" -o "$3/cost" >"$3/cost.out" 2>"$3/cost.err"
  echo $? >"$3/cost.rc"
' _ "$KPROOF" "$REPO_ROOT" "$WORK" >"$WORK/cluster.log" 2>&1
echo "# cluster and both runs took $(($(date +%s) - t0))s"
check "no JVM of the test cluster is left" no_jvm_left "$DIR"

E=$WORK/scaling/evidence.json
require "scaling-kafka wrote evidence.json" test -s "$E"
rc=$(cat "$WORK/scaling.rc" 2>/dev/null)
check "scaling-kafka exits 0 within its gates (exit $rc)" [ "$rc" = 0 ]
[[ $rc == 0 ]] || tail -n 30 "$WORK/scaling.err" >&2
v=$(jq -r '.checks[] | select(.id == "scaling.scale-out") | .verdict' "$E")
reason=$(jq -r '.checks[] | select(.id == "scaling.scale-out") | .reason' "$E")
echo "# scale-out: $v: $reason"
check "scaling.scale-out passed" [ "$v" = pass ]
# The records are judged by the history checker; the ledger's other-offset reads are shown apart.
hist=$(jq -r '[.checks[] | select(.id == "scaling.scale-out") | .measurements[] | select((.name | startswith("anomalies_")) or .name == "acked_without_offset" or .name == "read_at_other_offset") | "\(.name)=\(.value)"] | join(" ")' "$E")
echo "# scale-out history: $hist"
check "scale-out judged by the history checker (8 anomaly kinds and acked_without_offset measured)" \
  bash -c '[ "$(wc -w <<<"$1")" -ge 9 ] && [[ $1 == *acked_without_offset=* ]]' _ "$hist"
check "the verdict says data-copying" grep -q '^data-copying: ' <<<"$reason"
copied=$(m bytes_copied); retained=$(m retained_bytes_moved_partitions); ratio=$(m bytes_moved_per_retained_byte)
echo "# bytes copied $copied for $retained retained in the moved partitions ($ratio bytes/byte)"
check "bytes copied to the new broker > 0 ($copied)" gt "$copied" 0
check "bytes moved per retained byte >= 0.5 ($ratio)" gt "$ratio" 0.499
check "data_copying = 1" eq "$(m data_copying)" 1
ttt=$(m time_to_traffic_s); reb=$(m rebalance_s); so=$(m scale_out_s)
echo "# time to traffic ${ttt}s, rebalance ${reb}s, scale-out ${so}s, scale-in $(m scale_in_s)s"
check "the new broker's time to traffic is measured ($ttt s)" gt "$ttt" 0
check "the rebalance time is measured ($reb s)" gt "$reb" 0
check "scale_out_s within the 180 s gate ($so)" awk -v a="$so" 'BEGIN { exit !(a > 0 && a <= 180) }'
check "drained and removed again (scale_in_s $(m scale_in_s))" gt "$(m scale_in_s)" 0
check "zero lost acknowledged records" eq "$(m lost_acked)" 0
check "records were acknowledged ($(m records_acked))" gt "$(m records_acked)" 1000
for k in p99_ack_before_ms p99_ack_during_ms throughput_dip_pct ack_errors_during; do
  check "disruption measurement $k = $(m $k)" bash -c '[ "$1" != none ]' _ "$(m $k)"
done
check "storage of broker 4 measured after it joined" \
  jqe '[.checks[0].measurements[] | select(.name == "storage_bytes" and .labels.phase == "before")] | length >= 3' "$E"
check "the reassignment plan is in the run directory" test -s "$WORK/scaling/raw/scaling-reassign-out.json"
check "the add, rebalance and remove are journaled as control actions" \
  jqe '[.checks[0].actions[]?.request] | map(select(test("^(add_broker|rebalance|remove_broker)"))) | length >= 4' "$E"
check "the timeline plot is in report.html" grep -q 'scale-out: throughput and p99 latency' "$WORK/scaling/report.html"
check "broker 4 is gone from the cluster directory" test ! -d "$DIR/node-4"

C=$WORK/cost/evidence.json
require "cost-kafka wrote evidence.json" test -s "$C"
rc=$(cat "$WORK/cost.rc" 2>/dev/null)
check "cost-kafka exits 0 (exit $rc)" [ "$rc" = 0 ]
echo "# cost: $(jq -r '.checks[0].reason' "$C")"
check "cost.model passed" [ "$(jq -r '.checks[0].verdict' "$C")" = pass ]
total=$(m monthly_cost_usd cost.model "$C")
check "monthly cost is positive ($total USD)" gt "$total" 0
check "compute is 3 x 730 h x 0.096 USD = 210.24" eq "$(m cost_compute_usd_month cost.model "$C")" 210.24
check "stored bytes per produced byte were measured on the brokers" \
  jqe '.checks[0].measurements[] | select(.name == "retained_bytes_per_produced_byte" and .labels.input == "measured")' "$C"
check "cross-zone replication was measured from rack placement" \
  jqe '.checks[0].measurements[] | select(.name == "cross_zone_replicas_per_byte" and .labels.input == "measured" and .value == 2)' "$C"
check "every driver has a formula" \
  jqe '[.checks[0].measurements[] | select(.name | test("^cost_.*_usd_month$")) | select((.formula // "") != "")] | length == 7' "$C"
check "report.html has the breakdown and the projection plots" bash -c \
  'grep -q "Monthly cost by driver" "$1" && grep -q "Monthly cost projection over throughput" "$1" && grep -c "<svg" "$1" | awk "{ exit !(\$1 >= 2) }"' _ "$WORK/cost/report.html"
finish
