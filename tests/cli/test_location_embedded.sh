#!/usr/bin/env bash
# The location suite on the embedded cluster: with the boundary 127.0.0.0/8 every advertised broker,
# bootstrap address and peer the client connected to is inside and the racks are declared zones ->
# pass; a boundary that excludes loopback fails broker-endpoints and client-paths naming the address;
# a rack outside the declared zones fails location.zones naming the broker; a target without a
# boundary or zones skips with the reason; kms and storage skip without an adapter, platform-egress
# because the mock cluster has no connections of its own to list.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

verdict() { jq -r --arg c "$1" '.checks[] | select(.id == $c) | .verdict' "$2"; }
jqe() { jq -e "$@" >/dev/null; }
reason() { jq -r --arg c "$1" '.checks[] | select(.id == $c) | .reason' "$2"; }
m() {
	jq -r --arg n "$1" --arg c "$2" \
		'[.checks[] | select(.id == $c) | .measurements[] | select(.name == $n) | .value][0] // "none"' "$3"
}

target() { # target FILE RACKS_JSON ZONES_JSON BOUNDARY_JSON
	cat >"$1" <<JSON
{"name": "embedded-location",
 "control": {"type": "embedded", "brokers": 3, "racks": $2},
 "kafka": {"socket.timeout.ms": 10000},
 "deployment": {"zones": $3 $4}}
JSON
}
cat >"$T/scenario.json" <<'JSON'
{"name": "location-embedded",
 "suites": [{"suite": "location", "workload": {"partitions": 3, "replication_factor": 2},
   "options": {"observe": "1s"}}]}
JSON
run() { # run NAME TARGET -> evidence in $T/NAME
	"$KPROOF" run "$T/scenario.json" -t "$2" -o "$T/$1" >"$T/$1.out" 2>"$T/$1.err"
	echo $? >"$T/$1.rc"
}

# 1. inside the boundary
target "$T/in.json" '["zone-a","zone-b","zone-c"]' '["zone-a","zone-b","zone-c"]' ', "boundary": {"cidrs": ["127.0.0.0/8"]}'
run in "$T/in.json"
E=$T/in/evidence.json
check "inside: run exits 0 ($(cat "$T/in.rc"))" test "$(cat "$T/in.rc")" = 0
for c in broker-endpoints client-paths zones; do
	check "inside: location.$c passes ($(reason location.$c "$E"))" test "$(verdict location.$c "$E")" = pass
done
check "inside: 3 advertised brokers judged" test "$(m brokers_advertised location.broker-endpoints "$E")" = 3
check "inside: 3 bootstrap addresses judged" test "$(m bootstrap_addresses location.broker-endpoints "$E")" = 3
check "inside: the client connected to 3 peers" test "$(m peers location.client-paths "$E")" = 3
check "inside: statistics show 3 brokers connected" test "$(m brokers_connected location.client-paths "$E")" = 3
check "inside: 3 partitions' placement checked" test "$(m partitions_checked location.zones "$E")" = 3
check "inside: the broker table has one row per broker and bootstrap address" \
	test "$(jq '[.checks[] | select(.id == "location.broker-endpoints") | .tables[0].rows[]] | length' "$E")" = 6
check "inside: kms skips without an adapter" grep -q 'no kms adapter' <<<"$(reason location.kms "$E")"
check "inside: storage skips without an adapter" grep -q 'no storage adapter' <<<"$(reason location.storage "$E")"
check "inside: platform-egress skips: the mock cluster cannot list connections" \
	grep -q "connections cannot be listed: the embedded mock cluster" <<<"$(reason location.platform-egress "$E")"
check "inside: plaintext target notes no certificates" \
	jqe '.checks[] | select(.id == "location.broker-endpoints") | .notes[] | select(test("plaintext"))' "$E"

# 2. a boundary that excludes the brokers' addresses
target "$T/out.json" '["zone-a","zone-b","zone-c"]' '["zone-a","zone-b","zone-c"]' ', "boundary": {"cidrs": ["10.0.0.0/8"], "hosts": ["kafka.example.com"]}'
run out "$T/out.json"
E=$T/out/evidence.json
check "outside: run exits 1 ($(cat "$T/out.rc"))" test "$(cat "$T/out.rc")" = 1
r=$(reason location.broker-endpoints "$E")
check "outside: broker-endpoints fails naming 127.0.0.1 and the rules ($r)" \
	bash -c '[[ $1 == *"127.0.0.1 is in no declared cidr or host"* && $1 == *"cidrs 10.0.0.0/8; hosts kafka.example.com"* && $2 == fail ]]' _ "$r" "$(verdict location.broker-endpoints "$E")"
r=$(reason location.client-paths "$E")
check "outside: client-paths fails naming the peer ($r)" \
	bash -c '[[ $1 == *"outside the boundary"*"first: 127.0.0.1:"*"127.0.0.1 is in no declared cidr or host"* && $2 == fail ]]' _ "$r" "$(verdict location.client-paths "$E")"
check "outside: 3 peers outside" test "$(m peers_outside location.client-paths "$E")" = 3
check "outside: zones still pass" test "$(verdict location.zones "$E")" = pass

# 3. a rack outside the declared zones
target "$T/zx.json" '["zone-a","zone-b","zone-x"]' '["zone-a","zone-b","zone-c"]' ', "boundary": {"cidrs": ["127.0.0.0/8"]}'
run zx "$T/zx.json"
r=$(reason location.zones "$T/zx/evidence.json")
check "undeclared rack: zones fails naming broker 3 and zone-x ($r)" \
	bash -c '[[ $1 == *"broker 3 is in rack zone-x, which is not a declared zone"* && $2 == fail ]]' _ "$r" "$(verdict location.zones "$T/zx/evidence.json")"
# (replicas crowded into one zone cannot be built on the mock cluster, which places every partition on
# all brokers; unit.boundary tests that rule and tests/kafka/test_location_kafka.sh the real placement)

# 4. nothing declared: skip with the reason
target "$T/none.json" '["zone-a","zone-b","zone-c"]' '["zone-a"]' ''
sed -i 's/"deployment": {"zones": \["zone-a"\] }/"deployment": {"architecture": "shared-nothing"}/' "$T/none.json"
run none "$T/none.json"
E=$T/none/evidence.json
# every check skipped: nothing was verified, which is not success (exit 1)
check "no boundary: run exits 1 (nothing verified)" test "$(cat "$T/none.rc")" = 1
check "no boundary: broker-endpoints skips with the reason" \
	test "$(reason location.broker-endpoints "$E")" = "the target declares no deployment.boundary.cidrs or hosts"
check "no boundary: client-paths skips" test "$(verdict location.client-paths "$E")" = skip
check "no zones: zones skips with the reason" \
	test "$(reason location.zones "$E")" = "the target declares no deployment.zones"
finish
