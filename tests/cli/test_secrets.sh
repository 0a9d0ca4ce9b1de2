#!/usr/bin/env bash
# Secrets given as ${env:NAME} never reach an artifact or a log: the value is used (the client gets
# it) but every file of the run directory, stdout and stderr show the redaction marker instead.
. "$(dirname "$0")/lib.sh"

export KPROOF_TEST_SECRET="kp-s3cr3t-$RANDOM-$RANDOM-do-not-leak"
cat >"$T/target.json" <<'JSON'
{
  "name": "embedded-secret",
  "description": "embedded cluster with a credential: ${env:KPROOF_TEST_SECRET}",
  "kafka": { "sasl.password": "${env:KPROOF_TEST_SECRET}", "sasl.username": "kproof" },
  "control": { "type": "embedded", "brokers": 3, "racks": ["zone-a", "zone-b", "zone-c"] }
}
JSON
cat >"$T/scenario.json" <<'JSON'
{
  "name": "secret-leak",
  "description": "tracked workload whose target carries a secret",
  "suites": [ { "suite": "semantics", "checks": ["semantics.round-trip", "semantics.acks-all"],
                "workload": { "rate": 500, "duration": "2s", "partitions": 2 } } ]
}
JSON
run=$T/run
"$KPROOF" run "$T/scenario.json" --target "$T/target.json" --out "$run" -v >"$T/stdout" 2>"$T/stderr"
rc=$?
check "run with a secret target completes (exit $rc)" test "$rc" -eq 0 -o "$rc" -eq 1
check "the run directory was written" test -s "$run/evidence.json"
check "no file of the run directory contains the secret" bash -c "! grep -rqF -- \"\$KPROOF_TEST_SECRET\" '$run'"
check "stdout does not contain the secret" bash -c "! grep -qF -- \"\$KPROOF_TEST_SECRET\" '$T/stdout'"
check "stderr does not contain the secret" bash -c "! grep -qF -- \"\$KPROOF_TEST_SECRET\" '$T/stderr'"
check "the redaction marker stands where the secret was" grep -rqF '"***' "$run/evidence.json"
check "the client property is recorded, redacted" python3 -c '
import json,sys; d=json.load(open(sys.argv[1]))
p=d["run"]["client_properties"]
assert p.get("sasl.password") == "***", p' "$run/evidence.json"

# validate does not print the value either, even in an error message about it.
printf '%s' '{"name":"t","kafka":{"bootstrap.servers":"${env:KPROOF_TEST_SECRET}"},"control":{"type":"embedded"}}' >"$T/bad.json"
"$KPROOF" validate "$T/bad.json" >"$T/vout" 2>"$T/verr"
check "an invalid target with a secret exits 2" test $? -eq 2
check "the error does not print the secret" bash -c "! grep -qF -- \"\$KPROOF_TEST_SECRET\" '$T/verr' '$T/vout'"
finish
