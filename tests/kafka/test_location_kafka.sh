#!/usr/bin/env bash
# The location suite on the real reference platforms, in a private network namespace. The stack is
# kafka-encrypted-local (fixture Kafka + local-kms + Kroxylicious); node 3 advertises its client
# listener as 127.0.0.2 (KPROOF_KAFKA_ADVERTISED_HOST_3), so a /32 boundary can exclude it.
#  1. kafka-local with its boundary 127.0.0.0/8: broker-endpoints, client-paths, zones and
#     platform-egress pass, kms and storage skip (no adapter), broker 3 is seen at 127.0.0.2 and the
#     client and the other nodes connect to it;
#  2. boundary 127.0.0.1/32: broker-endpoints, client-paths and platform-egress (the nodes' own
#     connections, listed by kafka.sh list-connections) fail naming broker 3 / 127.0.0.2;
#  3. zones declared without zone-c: zones fails naming broker 3;
#  4. kafka-encrypted-local (boundary 127.0.0.0/8, region eu-west-1, account 111122223333): every
#     check passes, kms included, storage records the log directories' mounts;
#  5. a boundary that excludes the KMS endpoint and declares another region: kms fails naming both;
#     the same endpoint listed in allowed_endpoints passes;
#  6. broker 4 (zone-a) joins while a run samples Metadata: it is judged too; then a topic whose
#     replicas sit in one zone (replicas 1,4): zones fails naming the partition.
set -uo pipefail

SELF=$(readlink -f "${BASH_SOURCE[0]}")
REPO_ROOT=$(cd "$(dirname "$SELF")/../.." && pwd -P)
KPROOF=${KPROOF:-$REPO_ROOT/build/kproof}
STACK=$REPO_ROOT/fixtures/kroxylicious/encrypted-stack.sh
KAFKA=$REPO_ROOT/fixtures/kafka/kafka.sh

for t in jq; do command -v "$t" >/dev/null || { echo "not ok - $t not found"; exit 1; }; done
if [[ ${KPROOF_TEST_IN_NETNS:-} != 1 ]]; then
  "$STACK" install >&2 || { echo "not ok - encrypted-stack.sh install failed"; exit 1; }
fi
# shellcheck source=tests/fixtures/netns.sh
source "$REPO_ROOT/tests/fixtures/netns.sh"
kp_netns_reexec "$SELF"

WORK=$(mktemp -d "${KPROOF_TEST_TMP:-/tmp}/kproof-location.XXXXXX")
export KPROOF_KAFKA_DIR=$WORK/kafka KPROOF_KMS_DIR=$WORK/kms KPROOF_PROXY_DIR=$WORK/proxy
export KPROOF_KAFKA_HEAP_OPTS=${KPROOF_KAFKA_HEAP_OPTS:-"-Xms128m -Xmx384m"}
export KPROOF_KAFKA_ADVERTISED_HOST_3=127.0.0.2
# shellcheck source=tests/lib/assert.sh
source "$REPO_ROOT/tests/lib/assert.sh"
SCRATCH=$WORK
jqe() { jq -e "$@" >/dev/null; }
test_cleanup() {
  "$STACK" stop >/dev/null 2>&1 || true
}
finish_on_exit

verdict() { jq -r --arg c "$2" '.checks[] | select(.id == $c) | .verdict' "$WORK/$1/evidence.json"; }
reason() { jq -r --arg c "$2" '.checks[] | select(.id == $c) | .reason' "$WORK/$1/evidence.json"; }
m() { jq -r --arg c "$2" --arg n "$3" '[.checks[] | select(.id == $c) | .measurements[] | select(.name == $n) | .value][0] // "none"' "$WORK/$1/evidence.json"; }
has() { [[ $1 == *"$2"* ]]; }
run() { # run NAME SCENARIO TARGET: exit code in $WORK/NAME.rc
  "$KPROOF" run "$2" -t "$3" -o "$WORK/$1" >"$WORK/$1.out" 2>"$WORK/$1.err"
  echo $? >"$WORK/$1.rc"
}
rc() { cat "$WORK/$1.rc"; }
# A target copy in $WORK (its price sheet is a path relative to targets/, and location needs none).
mk_target() {
  jq --arg root "$REPO_ROOT" "del(.deployment.price_sheet)
      | .control.commands |= map_values(sub(\"\\\\{target_dir\\\\}/\\\\.\\\\.\"; \$root)) | $3" \
    "$REPO_ROOT/targets/$1" >"$WORK/$2"
}

setsid bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 1; done; [ -d "$3" ] && "$2" stop' watchdog "$$" \
  "$STACK" "$WORK" >/dev/null 2>&1 </dev/null &
if ! "$STACK" start >"$WORK/stack.log" 2>&1; then
  tail -n 40 "$WORK/stack.log" >&2
  not_ok "encrypted stack starts"
  exit 1
fi
ok "encrypted stack starts (node 3 advertised as 127.0.0.2)"

SC=$REPO_ROOT/scenarios/location.json
jq '.suites[0].options.observe = "2s"' "$SC" >"$WORK/location.json"
SC=$WORK/location.json
# Behind the proxy, records need a topic with a KEK (alias/KEK_kproof-semantics).
jq '.suites[0].workload.topic = "kproof-semantics"' "$SC" >"$WORK/location-enc.json"

# ---- 1. kafka-local inside 127.0.0.0/8
run local "$SC" "$REPO_ROOT/targets/kafka-local.json"
check "kafka-local: exit 0 ($(rc local))" [ "$(rc local)" = 0 ]
[[ $(rc local) == 0 ]] || tail -n 20 "$WORK/local.err" >&2
for c in broker-endpoints client-paths zones; do
  check "kafka-local: location.$c passes ($(reason local location.$c))" [ "$(verdict local location.$c)" = pass ]
done
check "kafka-local: kms skips without an adapter" has "$(reason local location.kms)" "no kms adapter"
check "kafka-local: storage skips without an adapter" has "$(reason local location.storage)" "no storage adapter"
check "kafka-local: broker 3 is listed at 127.0.0.2:39092" \
  jqe '.checks[] | select(.id == "location.broker-endpoints") | .tables[0].rows[] | select(.[0] == "broker" and .[1] == "3" and .[2] == "127.0.0.2:39092" and .[4] == "inside")' "$WORK/local/evidence.json"
check "kafka-local: the client connected to 127.0.0.2" \
  jqe '.checks[] | select(.id == "location.client-paths") | .tables[0].rows[] | select(.[0] == "127.0.0.2")' "$WORK/local/evidence.json"
# 3 bootstrap entries (one of them becomes broker 3's) and broker 3 learned as 127.0.0.2:39092
check "kafka-local: 4 broker connections per statistics ($(m local location.client-paths brokers_connected))" \
  [ "$(m local location.client-paths brokers_connected)" = 4 ]
check "kafka-local: 6 partitions with RF 3 span 3 zones" [ "$(m local location.zones partitions_checked)" = 6 ]
check "kafka-local: platform-egress passes ($(reason local location.platform-egress))" \
  [ "$(verdict local location.platform-egress)" = pass ]
check "kafka-local: the nodes' connections to broker 3 at 127.0.0.2:39092 are listed" \
  jqe '.checks[] | select(.id == "location.platform-egress") | .tables[0].rows[] | select(.[1] == "127.0.0.2:39092" and .[3] == "inside")' "$WORK/local/evidence.json"

# The platform's identity on the report's first page: each broker's own ApiVersions answer (v3,
# with the finalized metadata.version level of Kafka 4.1).
check "kafka-local: run.platform has the cluster id and 3 brokers that answered ApiVersions v3" \
  jqe --arg cid "$(cat "$KPROOF_KAFKA_DIR/cluster.id" 2>/dev/null)" '.run.platform | select(.cluster_id == $cid and .broker_count == 3 and ([.brokers[] | select(.api_versions.response_version == 3 and (.api_versions.apis | length) > 50)] | length) == 3)' "$WORK/local/evidence.json"
check "kafka-local: ... with metadata.version finalized" \
  jqe '.run.platform.brokers[0].api_versions.finalized_features[] | select(.name == "metadata.version" and .max_level >= 1)' "$WORK/local/evidence.json"

# ---- 2. a /32 boundary excludes broker 3
mk_target kafka-local.json narrow.json '.deployment.boundary.cidrs = ["127.0.0.1/32"]'
run narrow "$SC" "$WORK/narrow.json"
check "narrow boundary: exit 1 ($(rc narrow))" [ "$(rc narrow)" = 1 ]
r=$(reason narrow location.broker-endpoints)
check "narrow boundary: broker-endpoints fails naming broker 3 at 127.0.0.2 ($r)" \
  bash -c '[[ $1 == fail && $2 == *"1 of 3 advertised brokers"*"broker 3 127.0.0.2:39092: 127.0.0.2 is in no declared cidr or host"* ]]' _ "$(verdict narrow location.broker-endpoints)" "$r"
r=$(reason narrow location.client-paths)
check "narrow boundary: client-paths fails naming 127.0.0.2 ($r)" \
  bash -c '[[ $1 == fail && $2 == *"first: 127.0.0.2:39092"* ]]' _ "$(verdict narrow location.client-paths)" "$r"
check "narrow boundary: zones still pass" [ "$(verdict narrow location.zones)" = pass ]
r=$(reason narrow location.platform-egress)
check "narrow boundary: platform-egress fails naming a node's connection to 127.0.0.2:39092 ($r)" \
  bash -c '[[ $1 == fail && $2 == *"-> 127.0.0.2:39092: 127.0.0.2 is in no declared cidr or host"* ]]' _ "$(verdict narrow location.platform-egress)" "$r"

# ---- 3. zone-c not declared
mk_target kafka-local.json twozones.json '.deployment.zones = ["zone-a", "zone-b"]'
jq '.suites[0].checks = ["location.zones"]' "$SC" >"$WORK/zones.json"
run twozones "$WORK/zones.json" "$WORK/twozones.json"
r=$(reason twozones location.zones)
check "undeclared zone: zones fails naming broker 3 in zone-c ($r)" \
  bash -c '[[ $1 == fail && $2 == *"broker 3 is in rack zone-c, which is not a declared zone"* ]]' _ "$(verdict twozones location.zones)" "$r"

# ---- 4. kafka-encrypted-local
# The target's log_dirs name the repository's .run/kafka; this test's cluster lives in $WORK.
mk_target kafka-encrypted-local.json enc.json ".storage.log_dirs = [\"$KPROOF_KAFKA_DIR/node-*/data\"]"
run enc "$WORK/location-enc.json" "$WORK/enc.json"
check "kafka-encrypted-local: exit 0 ($(rc enc))" [ "$(rc enc)" = 0 ]
[[ $(rc enc) == 0 ]] || tail -n 20 "$WORK/enc.err" >&2
for c in broker-endpoints client-paths kms storage platform-egress; do
  check "kafka-encrypted-local: location.$c passes ($(reason enc location.$c))" [ "$(verdict enc location.$c)" = pass ]
done
v=$(verdict enc location.zones)
check "kafka-encrypted-local: zones pass or skip with a reason ($v: $(reason enc location.zones))" \
  bash -c '[[ $1 == pass || ( $1 == skip && -n $2 ) ]]' _ "$v" "$(reason enc location.zones)"
check "kafka-encrypted-local: the proxy's connections to the brokers are listed" \
  jqe '.checks[] | select(.id == "location.platform-egress") | .tables[0].rows[] | select((.[0] | startswith("kroxylicious")) and .[3] == "inside")' "$WORK/enc/evidence.json"
check "kafka-encrypted-local: run.platform records what the proxy answers to ApiVersions (per broker it advertises)" \
  jqe '.run.platform.brokers[] | select(.api_versions.summary != null)' "$WORK/enc/evidence.json"
check "kafka-encrypted-local: storage recorded the 3 log dirs' mounts" \
  [ "$(m enc location.storage log_dirs)" = 3 ]
check "kafka-encrypted-local: kms judged region, account and endpoint (3 rules)" \
  [ "$(m enc location.kms rules_judged)" = 3 ]
check "kafka-encrypted-local: the key ARN is named" \
  has "$(reason enc location.kms)" "arn:aws:kms:eu-west-1:111122223333:key/4b50524f-0000-4000-8000-000000000002"

# ---- 5. the KMS endpoint outside the boundary, another region
mk_target kafka-encrypted-local.json kmsout.json '.deployment.boundary = {"cidrs": ["10.0.0.0/8"], "regions": ["us-east-1"], "account_id": "111122223333"}'
jq '.suites[0].checks = ["location.kms"]' "$WORK/location-enc.json" >"$WORK/kms.json"
run kmsout "$WORK/kms.json" "$WORK/kmsout.json"
r=$(reason kmsout location.kms)
check "KMS outside: exit 1 ($(rc kmsout))" [ "$(rc kmsout)" = 1 ]
check "KMS outside: kms fails naming the region ($r)" \
  bash -c '[[ $1 == fail && $2 == *"is in region eu-west-1, not in deployment.boundary.regions"* ]]' _ "$(verdict kmsout location.kms)" "$r"
check "KMS outside: kms fails naming the endpoint 127.0.0.1" \
  has "$r" "KMS endpoint 127.0.0.1: 127.0.0.1 is in no declared cidr or host, outside the boundary"
mk_target kafka-encrypted-local.json kmsallowed.json '.deployment.boundary = {"cidrs": ["10.0.0.0/8"], "regions": ["eu-west-1"], "allowed_endpoints": ["127.0.0.1"]}'
run kmsallowed "$WORK/kms.json" "$WORK/kmsallowed.json"
check "KMS allowed endpoint: kms passes ($(reason kmsallowed location.kms))" [ "$(verdict kmsallowed location.kms)" = pass ]
mk_target kafka-encrypted-local.json kmsacct.json '.deployment.boundary = {"cidrs": ["127.0.0.0/8"], "account_id": "999999999999"}'
run kmsacct "$WORK/kms.json" "$WORK/kmsacct.json"
check "KMS other account: kms fails naming the account ($(reason kmsacct location.kms))" \
  has "$(reason kmsacct location.kms)" "belongs to account 111122223333, not the declared account_id 999999999999"

# ---- 6. a broker that appears during the run is judged too; replicas crowded into one zone
jq '.suites[0].checks = ["location.broker-endpoints"] | .suites[0].options.observe = "60s"' "$SC" >"$WORK/later.json"
("$KAFKA" add-broker 4 zone-a >"$WORK/add4.log" 2>&1; echo $? >"$WORK/add4.rc") &
ADD4=$!
run later "$WORK/later.json" "$REPO_ROOT/targets/kafka-local.json"
wait "$ADD4"
check "broker 4 added in zone-a during the run" [ "$(cat "$WORK/add4.rc")" = 0 ]
check "later: broker-endpoints passes ($(reason later location.broker-endpoints))" [ "$(verdict later location.broker-endpoints)" = pass ]
check "later: broker 4 is judged (seen only in later Metadata samples: $(m later location.broker-endpoints brokers_seen_later))" \
  jqe '[.checks[] | select(.id == "location.broker-endpoints") | .measurements[] | select(.name == "brokers_seen_later") | .value][0] >= 1' "$WORK/later/evidence.json"
check "later: broker 4 has a row" \
  jqe '.checks[] | select(.id == "location.broker-endpoints") | .tables[0].rows[] | select(.[0] == "broker" and .[1] == "4" and .[4] == "inside")' "$WORK/later/evidence.json"
if "$KAFKA" tool org.apache.kafka.tools.TopicCommand --bootstrap-server 127.0.0.1:19092 --create \
     --topic crowded --replica-assignment 1:4,2:3 >"$WORK/crowded.log" 2>&1; then
  ok "topic crowded created with replicas 1:4 and 2:3"
  jq '.suites[0].checks = ["location.zones"] | .suites[0].options.topics = ["crowded"]' "$SC" >"$WORK/crowded.json"
  run crowded "$WORK/crowded.json" "$REPO_ROOT/targets/kafka-local.json"
  r=$(reason crowded location.zones)
  check "crowded: zones fails naming crowded [0] ($r)" \
    bash -c '[[ $1 == fail && $2 == *"crowded [0] has replicas 1,4 in zones zone-a: 1 zones for replication factor 2 with 3 zones in use"* ]]' _ "$(verdict crowded location.zones)" "$r"
  check "crowded: exactly one partition under-spread" [ "$(m crowded location.zones partitions_underspread)" = 1 ]
else
  tail -n 20 "$WORK/add4.log" "$WORK/crowded.log" >&2
  not_ok "topic crowded created"
fi
done_testing
