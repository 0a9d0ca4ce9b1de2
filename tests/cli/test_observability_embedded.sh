#!/usr/bin/env bash
# The observability suite where it cannot judge: on the embedded target (no audit sources, no
# principals) both checks skip naming what is missing, and a run where nothing was verified exits 1;
# with an audit source and an unauthorized principal declared, the embedded cluster's missing admin
# API is the reason. A principal's password never reaches the run directory.
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

finish
