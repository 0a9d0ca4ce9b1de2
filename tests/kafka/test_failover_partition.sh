#!/usr/bin/env bash
# Network partitions and lossy links on a real 3-node Apache Kafka cluster
# (fixtures/kafka/with-cluster.sh; nodes told apart by cgroup v2, packets dropped by nftables:
# fixtures/kafka/netfault.sh), inside a private network namespace (tests/fixtures/lib.sh isolate):
#  1. scenarios/failover-kafka-partitions-negative.json: acks=1 (relaxed) with the leader of
#     partition 0 cut off from the other brokers for 15 s while producers still reach it; kproof must
#     exit 1 and its evidence must report lost-write examples on partition 0 — records the isolated
#     leader acknowledged and truncated when the partition healed.
#  2. scenarios/failover-kafka-partitions.json, safe profile: the isolated leader, a minority broker
#     cut off from brokers and clients, a 20 % lossy link, 100 ms more each way between clients and
#     the leader of partition 0 (p99 acknowledgement latency in that window must show it), a frozen broker; kproof
#     must exit 0 with zero lost or duplicated acknowledged writes and each fault's unavailability
#     and recovery measured.
# Every run leaves no nftables or queue rule, no delay queue and no JVM behind.
set -uo pipefail
: "${KPROOF:?}" "${KPROOF_SRC:?}" "${KPROOF_TEST_TMP:?}"
# shellcheck source=tests/fixtures/lib.sh
. "$KPROOF_SRC/tests/fixtures/lib.sh"
for tool in nft iptables; do
  command -v "$tool" >/dev/null || skip_all "$tool not installed (scripts/setup.sh installs it)"
done
if [[ -z $(awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") print $5; break } }' /proc/self/mountinfo) ]]; then
  skip_all "cgroup v2 is not mounted (the fixture tells nodes apart by cgroup)"
fi
isolate "$@"
fault_cluster failover-partition
NEG=$WORK/negative
RUN=$WORK/partitions

# after each run: partition/link rules, queue rules and delay queues still in force (must be none)
net_left() {
  { nft list ruleset | grep -E "(drop|ct mark set .*)$"; iptables -t mangle -S OUTPUT | grep NFQUEUE
    pgrep "^netdelay-"; } | wc -l >"$1.rules"
}
export -f net_left
run_on_cluster failover-kafka-partitions-negative "$NEG" net_left failover-kafka-partitions "$RUN" net_left
check "with-cluster.sh ran both scenarios" test -f "$NEG.rc" -a -f "$RUN.rc"
check "no JVM of the test cluster left" no_jvm_left "$CLUSTER"
check "after the negative run no partition or link rule is left ($(cat "$NEG.rules" 2>/dev/null))" \
  test "$(cat "$NEG.rules" 2>/dev/null)" = 0
check "after the safe run no partition or link rule is left ($(cat "$RUN.rules" 2>/dev/null))" \
  test "$(cat "$RUN.rules" 2>/dev/null)" = 0

q() { jq -r "(.checks[] | select(.id == \"failover.faults\")) | $2" "$1/evidence.json"; }
m() { q "$1" "[.measurements[] | select(.name == \"$2\" and ((.labels // {}) | length == 0))][0].value"; }
num_gt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 > b + 0) }'; }

# 1. the negative control: an isolated leader with acks=1 loses acknowledged writes.
check "negative: exit 1 (got $(cat "$NEG.rc" 2>/dev/null))" test "$(cat "$NEG.rc" 2>/dev/null)" = 1
if [[ -f $NEG/evidence.json ]]; then
  check "negative: verdict fail ($(q "$NEG" .reason))" test "$(q "$NEG" .verdict)" = fail
  lost=$(m "$NEG" lost_acked)
  echo "# negative: acknowledged $(m "$NEG" records_acked), lost $lost"
  check "negative: lost acknowledged writes measured ($lost)" num_gt "$lost" 0
  check "negative: lost-write examples are on partition 0, the isolated leader's" \
    test "$(q "$NEG" '[.anomalies[] | select(.kind == "lost-write")][0].examples | map(.partition) | unique | join(",")')" = 0
  check "negative: the partition was applied to the leader of p0 and journaled first" \
    bash -c "grep -q '\"operation\":\"partition\"' '$NEG/events.jsonl' && grep -q '\"operation\":\"heal_partition\"' '$NEG/events.jsonl'"
else
  not_ok "negative: evidence.json written"
  tail -20 "$NEG.stderr" >&2
fi

# 2. the same isolated leader and more network faults under the safe profile.
check "partitions: exit 0 (got $(cat "$RUN.rc" 2>/dev/null))" test "$(cat "$RUN.rc" 2>/dev/null)" = 0
if [[ -f $RUN/evidence.json ]]; then
  check "partitions: verdict pass ($(q "$RUN" .reason))" test "$(q "$RUN" .verdict)" = pass
  echo "# acknowledged $(m "$RUN" records_acked), lost $(m "$RUN" lost_acked), duplicates $(m "$RUN" duplicates), final read $(m "$RUN" final_read_records)"
  check "partitions: zero lost acknowledged writes" test "$(m "$RUN" lost_acked)" = 0
  check "partitions: nothing not allowed" \
    test "$(q "$RUN" '[.anomalies[] | select(.allowed == false)] | length')" = 0
  rows=$(q "$RUN" '[.tables[] | select(.title == "Faults")][0].rows')
  jq -r '.[] | "# fault \(.[0]): \(.[1]); applied \(.[2]) s, healed \(.[3]) s; max unavailability \(.[4]) s; recovery \(.[5]) s; \(.[6])"' <<<"$rows"
  check "partitions: five faults applied" test "$(jq length <<<"$rows")" = 5
  check "partitions: every fault recovered" \
    test "$(jq 'map(select(.[6] != "recovered")) | length' <<<"$rows")" = 0
  fault_is() { jq -r ".[$1][1]" <<<"$rows" | grep -q "$2"; }
  check "partitions: fault 1 cut the leader of p0 off from the brokers" fault_is 0 'partition (brokers): leader of p0'
  check "partitions: fault 2 cut zone-b (broker 2) off from the other zones and clients" \
    fault_is 1 'partition (all): zone zone-b, brokers 2'
  check "partitions: fault 3 made broker 3's links lossy" fault_is 2 'link_loss (all): broker 3, 20 % loss'
  check "partitions: fault 4 slowed clients' links to the leader of p0" fault_is 3 'link_delay (clients): leader of p0, broker [0-9], +100 ms (+-20 ms) each way'
  check "partitions: fault 5 froze broker 1" fault_is 4 'pause_broker: broker 1'
  for f in 1 2 3 4 5; do
    u=$(q "$RUN" "[.measurements[] | select(.name == \"fault_unavailability_max_s\" and .labels.fault == \"$f\")][0].value")
    r=$(q "$RUN" "[.measurements[] | select(.name == \"fault_recovery_s\" and .labels.fault == \"$f\")][0].value")
    check "partitions: fault $f: unavailability $u s, recovery $r s measured" \
      bash -c "[[ '$u' =~ ^[0-9.e+-]+$ && '$r' =~ ^[0-9.e+-]+$ ]]"
  done
  tsv=$RUN/$(q "$RUN" '[.artifacts[] | select(.kind == "tsv")][0].path')
  a=$(jq -r '.[3][2]' <<<"$rows") h=$(jq -r '.[3][3]' <<<"$rows")
  p99=$(awk -v a="$a" -v h="$h" '!/^#/ && $1 > a + 0.5 && $1 < h - 0.5 && $5 > m { m = $5 } END { print m + 0 }' "$tsv")
  echo "# link_delay: highest p99 acknowledgement latency while it held: $p99 ms"
  check "partitions: the delay shows in the p99 acknowledgement latency ($p99 ms >= 150 ms)" \
    awk -v v="$p99" 'BEGIN { exit !(v >= 150) }'
  svg=$RUN/$(q "$RUN" '[.artifacts[] | select(.kind == "svg")][0].path')
  check "partitions: timeline SVG marks the partition" grep -q '1 partition' "$svg"
else
  not_ok "partitions: evidence.json written"
  tail -20 "$RUN.stderr" >&2
fi
finish
