#!/usr/bin/env bash
# The observability suite where it cannot judge: on the embedded target (no audit sources, no
# principals) both checks skip naming what is missing, and a run where nothing was verified exits 1;
# with an audit source and an unauthorized principal declared, the embedded cluster's missing admin
# API is the reason. A principal's password never reaches the run directory. key-audit and
# storage-audit skip without a source of their kind, key-audit also without a customer key; with
# a storage source, storage-audit passes only on an allowed durable write naming kproof's topic
# with a principal (or, with storage_match "window", one during kproof's writes), and fails on a
# trail that shows none or shows it without a caller.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

verdict() { jq -r --arg c "$1" '.checks[] | select(.id == $c) | .verdict' "$2"; }
reason() { jq -r --arg c "$1" '.checks[] | select(.id == $c) | .reason' "$2"; }

"$KPROOF" run "$KPROOF_SRC/scenarios/observability.json" -t "$KPROOF_SRC/targets/embedded.json" \
	-o "$T/plain" >"$T/plain.out" 2>"$T/plain.err"
rc=$?
E=$T/plain/evidence.json
check "no audit section: exit 1, nothing verified (rc $rc)" test "$rc" -eq 1
check "no audit section: admin-audit skips naming audit.sources ($(reason observability.admin-audit "$E"))" \
	bash -c '[[ $1 == skip && $2 == *"no audit source of kind admin (audit.sources)"* ]]' _ \
	"$(verdict observability.admin-audit "$E")" "$(reason observability.admin-audit "$E")"
check "no principals: access-denied skips naming principals.unauthorized ($(reason observability.access-denied "$E"))" \
	bash -c '[[ $1 == skip && $2 == *"no principals.unauthorized"* ]]' _ \
	"$(verdict observability.access-denied "$E")" "$(reason observability.access-denied "$E")"
check "no audit section: key-audit skips naming the missing key source ($(reason observability.key-audit "$E"))" \
	bash -c '[[ $1 == skip && $2 == *"no audit source of kind key"* ]]' _ \
	"$(verdict observability.key-audit "$E")" "$(reason observability.key-audit "$E")"
check "no audit section: storage-audit skips naming the missing storage source ($(reason observability.storage-audit "$E"))" \
	bash -c '[[ $1 == skip && $2 == *"no audit source of kind storage"* ]]' _ \
	"$(verdict observability.storage-audit "$E")" "$(reason observability.storage-audit "$E")"
check "the observability row is SKIPPED" \
	bash -c '[[ $(jq -r ".rows[] | select(.id == \"observability\") | .verdict" "$1") == SKIPPED ]]' _ "$E"

export KP_OBS_TEST_PW=obs-embedded-secret-9321
jq '. + {"principals": {"unauthorized": {"sasl.username": "intruder", "sasl.password": "${env:KP_OBS_TEST_PW}"}},
         "audit": {"sources": [{"name": "trail", "kind": "admin", "type": "file", "path": "nowhere.log", "format": "jsonl"}]}}' \
	"$KPROOF_SRC/targets/embedded.json" | jq "del(.deployment.price_sheet)" >"$T/declared.json"
"$KPROOF" run "$KPROOF_SRC/scenarios/observability.json" -t "$T/declared.json" \
	-o "$T/declared" >"$T/declared.out" 2>"$T/declared.err"
E=$T/declared/evidence.json
for c in admin-audit access-denied; do
	check "declared on embedded: $c skips, the mock has no admin API ($(reason observability.$c "$E"))" \
		bash -c '[[ $1 == skip && $2 == *"admin"* && $2 != *"audit.sources"* && $2 != *"principals"* ]]' _ \
		"$(verdict observability.$c "$E")" "$(reason observability.$c "$E")"
done
check "the principal's password is nowhere in the run directory" \
	bash -c '! grep -rqF "$1" "$2"' _ "$KP_OBS_TEST_PW" "$T/declared"

# Storage and key sources on the embedded cluster: exec sources that print a trail at read time
# (tests/cli/obs_trail.sh MODE: one jsonl event stamped now).
TRAIL=$KPROOF_SRC/tests/cli/obs_trail.sh
jq '.suites[0].options.wait = "3s" | .suites[0].workload.topic = "kproof-obs-storage"
    | .suites[0].checks = ["observability.storage-audit", "observability.key-audit"] | del(.suites[0].gates)' \
	"$KPROOF_SRC/scenarios/observability.json" >"$T/storage.json"
jq '.suites[0].options.storage_match = "window"' "$T/storage.json" >"$T/storage-window.json"
for mode in topic other anon; do
	jq --arg c "bash $TRAIL $mode" '. + {"audit": {"sources": [
	      {"name": "tier", "kind": "storage", "type": "exec", "command": $c, "format": "jsonl"},
	      {"name": "keys", "kind": "key", "type": "exec", "command": ($c + " key"), "format": "jsonl"}]}}' \
		"$KPROOF_SRC/targets/embedded.json" | jq "del(.deployment.price_sheet)" >"$T/storage-$mode.json"
	"$KPROOF" run "$T/storage.json" -t "$T/storage-$mode.json" -o "$T/st-$mode" >"$T/st-$mode.out" 2>&1
done
E=$T/st-topic/evidence.json
check "storage trail names kproof's topic: storage-audit passes ($(reason observability.storage-audit "$E"))" \
	bash -c '[[ $1 == pass && $2 == *"PutObject by arn:aws:iam::111122223333:role/broker"* ]]' _ \
	"$(verdict observability.storage-audit "$E")" "$(reason observability.storage-audit "$E")"
check "... the events read are kept as raw/audit-tier.jsonl" grep -q '"PutObject"' "$T/st-topic/raw/audit-tier.jsonl"
check "key source but no kms section: key-audit skips ($(reason observability.key-audit "$E"))" \
	bash -c '[[ $1 == skip && $2 == *"no customer key (kms section)"* ]]' _ \
	"$(verdict observability.key-audit "$E")" "$(reason observability.key-audit "$E")"
E=$T/st-other/evidence.json
check "storage trail without kproof's topic: storage-audit fails ($(reason observability.storage-audit "$E"))" \
	bash -c '[[ $1 == fail && $2 == *"does not show the durable write of kproof"*"records to kproof-obs-storage"* ]]' _ \
	"$(verdict observability.storage-audit "$E")" "$(reason observability.storage-audit "$E")"
E=$T/st-anon/evidence.json
check "storage trail without the caller: storage-audit fails saying so ($(reason observability.storage-audit "$E"))" \
	bash -c '[[ $1 == fail && $2 == *"names no principal"* ]]' _ \
	"$(verdict observability.storage-audit "$E")" "$(reason observability.storage-audit "$E")"
check "... and counts the action logged without its principal" \
	test "$(jq -r '.checks[] | select(.id == "observability.storage-audit") | .measurements[] | select(.name == "actions_without_principal") | .value' "$E")" = 1
"$KPROOF" run "$T/storage-window.json" -t "$T/storage-other.json" -o "$T/st-window" >"$T/st-window.out" 2>&1
E=$T/st-window/evidence.json
check "storage_match window: a write during kproof's writes counts ($(reason observability.storage-audit "$E"))" \
	test "$(verdict observability.storage-audit "$E")" = pass

finish
