#!/usr/bin/env bash
# Canary secrets that contain the characters escaping and placeholder expansion touch — a
# backslash, a double quote, {topic}, {x}, a newline and non-ASCII — placed in every place of a
# target a secret can go (kafka properties, KMS and storage credentials, the description; exec
# command templates and env through validate), never show in any output: every file of the run
# directory (and of a .partial one), stdout, stderr and the signed statement, searched raw,
# JSON-, HTML- and XML-escaped, URL-encoded, base64 (three alignments) and hex, and as any
# 12-byte piece. The scenario's file name holds a byte that is not UTF-8: every JSON file the
# run writes still loads with a strict UTF-8 JSON parser.
. "$(dirname "$0")/lib.sh"

canary() { printf 'cn-%s-\\ "dq" {topic} {x}\nl2-\xc3\xbcn\xc3\xaf-\xe2\x82\xac-%s-end' "$1" "$RANDOM$RANDOM$RANDOM"; }
export KP_CANARY_KAFKA=$(canary kafka) KP_CANARY_USER=$(canary user) KP_CANARY_CLIENT=$(canary client)
export KP_CANARY_DESC=$(canary desc) KP_CANARY_KMS_ID=$(canary kmsid) KP_CANARY_KMS=$(canary kms)
export KP_CANARY_S3_ID=$(canary s3id) KP_CANARY_S3=$(canary s3) KP_CANARY_EXEC=$(canary exec)
export KP_CANARY_EXEC_ENV=$(canary execenv)
names="KP_CANARY_KAFKA KP_CANARY_USER KP_CANARY_CLIENT KP_CANARY_DESC KP_CANARY_KMS_ID KP_CANARY_KMS KP_CANARY_S3_ID KP_CANARY_S3 KP_CANARY_EXEC KP_CANARY_EXEC_ENV"

cat >"$T/target.json" <<'JSON'
{
  "name": "embedded-canary",
  "description": "embedded cluster with canary secrets: ${env:KP_CANARY_DESC}",
  "kafka": { "sasl.password": "${env:KP_CANARY_KAFKA}", "sasl.username": "${env:KP_CANARY_USER}",
             "client.id": "cid-${env:KP_CANARY_CLIENT}", "socket.timeout.ms": 10000, "fetch.wait.max.ms": 20 },
  "control": { "type": "embedded", "brokers": 3, "racks": ["zone-a", "zone-b", "zone-c"] },
  "kms": { "type": "aws-kms", "region": "eu-west-1", "endpoint": "http://127.0.0.1:1/",
           "access_key_id": "${env:KP_CANARY_KMS_ID}", "secret_access_key": "${env:KP_CANARY_KMS}",
           "key": "alias/kproof-canary", "timeout": "2s" },
  "storage": { "type": "s3", "region": "eu-west-1", "endpoint": "http://127.0.0.1:1/", "bucket": "b",
               "access_key_id": "${env:KP_CANARY_S3_ID}", "secret_access_key": "${env:KP_CANARY_S3}" }
}
JSON
scen=$T/$'scen\xffario.json'
cat >"$scen" <<'JSON'
{
  "name": "secret-canary",
  "description": "tracked workload whose target carries canary secrets",
  "suites": [ { "suite": "semantics", "checks": ["semantics.round-trip", "semantics.acks-all"],
                "workload": { "rate": 500, "duration": "2s", "partitions": 2 } } ]
}
JSON
cat >"$T/exec.json" <<'JSON'
{
  "name": "exec-canary",
  "kafka": { "bootstrap.servers": "127.0.0.1:1" },
  "control": { "type": "exec", "env": { "KP_X": "${env:KP_CANARY_EXEC_ENV}" },
               "commands": { "kill_broker": "echo '${env:KP_CANARY_EXEC}' {broker}",
                             "kill_rack": "echo {rack} ${env:KP_CANARY_EXEC} {nosuch}" } }
}
JSON

run=$T/run
"$KPROOF" run "$scen" --target "$T/target.json" --out "$run" -v >"$T/run.stdout" 2>"$T/run.stderr"
rc=$?
check "the canary run completes (exit $rc)" test "$rc" -le 3
check "the run directory was written" test -s "$run/evidence.json" -o -d "$run.partial"
"$KPROOF" validate "$T/target.json" "$T/exec.json" >"$T/validate.stdout" 2>"$T/validate.stderr"
check "validate rejects the exec target's unknown placeholder (exit 2)" test $? -eq 2
check "... naming {nosuch}, not a placeholder inside the secret" grep -q 'unknown placeholder {nosuch}' "$T/validate.stderr"
"$KPROOF" report "$run" --out "$T/rendered" >"$T/report.stdout" 2>"$T/report.stderr"
check "kproof report --out renders the run" test -s "$T/rendered/report.html"

outputs=("$run" "$run.partial" "$T/rendered" "$T/run.stdout" "$T/run.stderr" "$T/validate.stdout"
	"$T/validate.stderr" "$T/report.stdout" "$T/report.stderr")
python3 "$KPROOF_SRC/tests/cli/canary_search.py" "$names" "${outputs[@]}" >"$T/leaks"
check "no canary secret in any output, in any form ($(wc -l <"$T/leaks") found)" test ! -s "$T/leaks"
head -5 "$T/leaks"
check "the secrets were used: the marker stands in the evidence" grep -qF '***' "$run/evidence.json"
check "every JSON file the run wrote is valid UTF-8 JSON (strict parser)" python3 -c '
import json, os, sys
bad = []
def const(x): raise ValueError("non-standard constant " + x)
for root, _, files in os.walk(sys.argv[1]):
    for f in files:
        p = os.path.join(root, f)
        if not (f.endswith(".json") or f.endswith(".jsonl")):
            continue
        try:
            text = open(p, "rb").read().decode("utf-8", errors="strict")
            if f.endswith(".jsonl"):
                for line in text.splitlines():
                    if line.strip(): json.loads(line, parse_constant=const)
            else:
                json.loads(text, parse_constant=const)
        except Exception as e:
            bad.append("%s: %s" % (p, e))
print("\n".join(bad))
sys.exit(1 if bad else 0)' "$run"
check "the scenario path with its non-UTF-8 byte is recorded as U+FFFD" \
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1], encoding="utf-8")); p=d["run"]["scenario"]["path"]; assert "scen\ufffdario.json" in p, p' "$run/evidence.json"
finish
