#!/usr/bin/env bash
# kproof's scaling suite against Kafka with tiered storage (kafka-tiered-local: the fixture cluster
# created with KPROOF_KAFKA_TIERED=1, KIP-405 with Kafka's LocalTieredStorage), in a private network
# namespace. scaling-kafka-tiered keeps 2 MiB per partition on the brokers and the rest in the
# remote tier; when broker 4 joins and takes half of the partitions it fetches only the local part.
# The suite must measure that: bytes moved per retained byte below the 0.5 that plain Kafka reaches
# or exceeds (tests/kafka/test_scaling_cost.sh asserts >= 0.5 there), retained bytes counted with the
# remote tier, no acknowledged record lost, and the remote tier holding the topic's segments.
set -uo pipefail
# shellcheck source=tests/fixtures/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../fixtures/lib.sh"
isolate "$@"
new_cluster_dir
DIR=$KPROOF_KAFKA_DIR
KPROOF=${KPROOF:-$REPO_ROOT/build/kproof}
WORK=$(mktemp -d "${KPROOF_TEST_TMP:-/tmp}/kproof-scaling-tiered.XXXXXX")
on_exit() {
  "$KAFKA_SH" stop >/dev/null 2>&1 || true
  if ((FAILED == 0)); then rm -rf "$DIR" "$WORK"; else echo "# kept for inspection: $DIR $WORK" >&2; fi
}
trap on_exit EXIT

m() {
  jq -r --arg n "$1" \
    '[.checks[] | select(.id == "scaling.scale-out") | .measurements[] | select(.name == $n and ((.labels // {}) | length == 0)) | .value][0] // "none"' \
    "$WORK/scaling/evidence.json"
}
mdesc() {
  jq -r --arg n "$1" \
    '[.checks[] | select(.id == "scaling.scale-out") | .measurements[] | select(.name == $n) | .formula][0] // ""' \
    "$WORK/scaling/evidence.json"
}
gt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "none" && a != "null" && a + 0 > b + 0) }'; }
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "none" && a != "null" && a + 0 < b + 0) }'; }

t0=$(date +%s)
KPROOF_KAFKA_TIERED=1 "$WITH_CLUSTER" bash -c '
  "$1" run "$2/scenarios/scaling-kafka-tiered.json" -t "$2/targets/kafka-tiered-local.json" -o "$3/scaling" >"$3/scaling.out" 2>"$3/scaling.err"
  echo $? >"$3/scaling.rc"
  jq ".suites = [.suites[0] | .checks = [\"semantics.compaction\"] | del(.gates)]" "$2/scenarios/semantics.json" >"$3/compaction.json"
  "$1" run "$3/compaction.json" -t "$2/targets/kafka-tiered-local.json" -o "$3/compaction" >"$3/compaction.out" 2>"$3/compaction.err"
  echo $? >"$3/compaction.rc"
  "$4" remote-tier-bytes >"$3/remote-bytes"
  grep -h "^remote.log.storage.system.enable=" "$KPROOF_KAFKA_DIR"/node-1/server.properties >"$3/remote-enabled"
' _ "$KPROOF" "$REPO_ROOT" "$WORK" "$KAFKA_SH" >"$WORK/cluster.log" 2>&1
echo "# tiered cluster and the scaling run took $(($(date +%s) - t0))s"
check "no JVM of the test cluster is left" no_jvm_left "$DIR"
check "the nodes ran with remote storage enabled" grep -q '=true$' "$WORK/remote-enabled"

E=$WORK/scaling/evidence.json
require "scaling-kafka-tiered wrote evidence.json" test -s "$E"
rc=$(cat "$WORK/scaling.rc" 2>/dev/null)
check "scaling-kafka-tiered exits 0 within its gates (exit $rc)" [ "$rc" = 0 ]
[[ $rc == 0 ]] || tail -n 30 "$WORK/scaling.err" >&2
v=$(jq -r '.checks[] | select(.id == "scaling.scale-out") | .verdict' "$E")
reason=$(jq -r '.checks[] | select(.id == "scaling.scale-out") | .reason' "$E")
echo "# scale-out: $v: $reason"
check "scaling.scale-out passed" [ "$v" = pass ]
check "the verdict is not data-copying (tiered: only the local part moves)" \
  bash -c '[[ $1 == "partly data-copying: "* || $1 == "metadata-only: "* ]]' _ "$reason"
copied=$(m bytes_copied); retained=$(m retained_bytes_moved_partitions); ratio=$(m bytes_moved_per_retained_byte)
remote=$(cat "$WORK/remote-bytes" 2>/dev/null)
echo "# bytes copied $copied for $retained retained in the moved partitions ($ratio bytes/byte); remote tier $remote bytes"
check "bytes moved per retained byte < 0.5, below plain Kafka ($ratio)" lt "$ratio" 0.5
check "bytes were copied to the new broker all the same ($copied)" gt "$copied" 0
check "retained bytes counted with the remote tier ($(mdesc retained_bytes_moved_partitions))" \
  bash -c '[[ $1 == *"remote tier included"* ]]' _ "$(mdesc retained_bytes_moved_partitions)"
check "the remote tier holds segments (kafka.sh remote-tier-bytes: $remote)" gt "$remote" 2097152
check "zero lost acknowledged records" [ "$(m lost_acked)" = 0 ]
check "records were acknowledged ($(m records_acked))" gt "$(m records_acked)" 10000
check "drained and removed again (scale_in_s $(m scale_in_s))" gt "$(m scale_in_s)" 0

C=$WORK/compaction/evidence.json
creason=$(jq -r '.checks[] | select(.id == "semantics.compaction") | .reason' "$C" 2>/dev/null)
echo "# compaction on tiered Kafka: $creason"
check "semantics.compaction on tiered Kafka exits 1, a finding (exit $(cat "$WORK/compaction.rc" 2>/dev/null))" \
  [ "$(cat "$WORK/compaction.rc" 2>/dev/null)" = 1 ]
check "semantics.compaction fails: not supported by the platform (compacted topics are not tiered)" \
  bash -c '[[ $1 == fail && $2 == "not supported by the platform: "* && $2 == *"cleanup.policy=delete"* ]]' _ \
  "$(jq -r '.checks[] | select(.id == "semantics.compaction") | .verdict' "$C" 2>/dev/null)" "$creason"
finish
