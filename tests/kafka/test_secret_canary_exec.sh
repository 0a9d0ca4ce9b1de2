#!/usr/bin/env bash
# Canary secrets in the exec control adapter against a real 3-node Kafka cluster
# (fixtures/kafka/with-cluster.sh, private network namespace): a failover run whose kill_broker and
# start_broker command templates and exec env carry secrets with a backslash, a double quote,
# {topic}, {x}, a newline and non-ASCII, and whose commands print them to stdout and stderr (also
# across the output-tail cuts). The commands still get the exact values (the broker is killed and
# restarted), and no output — run directory, stdout, stderr, signed statement — holds a secret in
# any form (tests/cli/canary_search.py).
set -uo pipefail
: "${KPROOF:?}" "${KPROOF_SRC:?}" "${KPROOF_TEST_TMP:?}"
# shellcheck source=tests/fixtures/lib.sh
. "$KPROOF_SRC/tests/fixtures/lib.sh"
isolate "$@"
new_cluster_dir
CLUSTER=$KPROOF_KAFKA_DIR
WORK=$(mktemp -d "$KPROOF_TEST_TMP/canary-exec.XXXXXX")
RUN=$WORK/run
on_exit() {
  "$KAFKA_SH" stop >/dev/null 2>&1 || true
  if ((FAILED == 0)); then rm -rf "$CLUSTER" "$WORK"; else echo "# kept: $WORK $CLUSTER" >&2; fi
}
trap on_exit EXIT

canary() { printf 'cn-%s-\\ "dq" {topic} {x}\nl2-\xc3\xbcn\xc3\xaf-\xe2\x82\xac-%s-end' "$1" "$RANDOM$RANDOM$RANDOM"; }
export KP_CANARY_EXEC=$(canary exec) KP_CANARY_EXEC_ENV=$(canary execenv) KP_CANARY_START=$(canary start)
names="KP_CANARY_EXEC KP_CANARY_EXEC_ENV KP_CANARY_START"
printf '%s' "$KP_CANARY_EXEC" >"$WORK/want-exec"

# kafka-local.json with the two commands a kill_broker fault uses wrapped to use and print secrets.
python3 - "$KPROOF_SRC/targets/kafka-local.json" "$WORK/target.json" "$KAFKA_SH" "$WORK" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
ksh, work = sys.argv[3], sys.argv[4]
c = t["control"]["commands"]
for op, cmd in list(c.items()):
    c[op] = cmd.replace("{target_dir}/../fixtures/kafka/kafka.sh", ksh)
c["kill_broker"] = ("S='${env:KP_CANARY_EXEC}'; printf '%s' \"$S\" >" + work + "/got-exec; "
                    "printf 'kill {broker} %0600d%s\\n' 0 \"$S\" >&2; printf '%s|%s\\n' \"$S\" \"$KP_X\"; "
                    + ksh + " kill {broker}")
c["start_broker"] = ("printf '%0650d%s %s\\n' 0 '${env:KP_CANARY_START}' \"$KP_X\" >&2; "
                     + ksh + " start-broker {broker}; echo '${env:KP_CANARY_START}'")
t["control"]["env"] = {"KP_X": "${env:KP_CANARY_EXEC_ENV}"}
t["deployment"].pop("price_sheet", None)
t["description"] = "kafka-local with canary secrets in exec templates and env"
json.dump(t, open(sys.argv[2], "w"), indent=2)
PY
cat >"$WORK/scenario.json" <<'JSON'
{
  "name": "canary-exec",
  "description": "one broker killed and restarted through exec commands that carry secrets",
  "suites": [ { "suite": "failover",
                "workload": { "partitions": 3, "replication_factor": 3, "rate": 200, "duration": "30s",
                              "drain_timeout": "60s", "topic_config": { "min.insync.replicas": "2" } },
                "client": { "profile": "safe" },
                "faults": [ { "at": "5s", "action": "kill_broker", "broker": 2, "heal_after": "8s" } ] } ]
}
JSON
"$WITH_CLUSTER" bash -c '"$1" run "$2" -t "$3" -o "$4" -v >"$4.stdout" 2>"$4.stderr"; echo $? >"$4.rc"' \
  _ "$KPROOF" "$WORK/scenario.json" "$WORK/target.json" "$RUN" 2>"$WORK/with-cluster.log"
check "the run ended (exit $(cat "$RUN.rc" 2>/dev/null))" test -f "$RUN.rc"
check "no JVM of the test cluster left" no_jvm_left "$CLUSTER"
check "kill_broker ran and got the exact secret value" cmp -s "$WORK/got-exec" "$WORK/want-exec"
check "the commands' output was recorded (kill_broker in the evidence)" grep -q 'kill_broker' "$RUN/evidence.json"
check "... with the redaction marker where the secret was" grep -qF '***' "$RUN/evidence.json"
python3 "$KPROOF_SRC/tests/cli/canary_search.py" "$names" "$RUN" "$RUN.partial" "$RUN.stdout" "$RUN.stderr" >"$WORK/leaks"
check "no canary secret in any output, in any form ($(wc -l <"$WORK/leaks") found)" test ! -s "$WORK/leaks"
head -5 "$WORK/leaks"
finish
