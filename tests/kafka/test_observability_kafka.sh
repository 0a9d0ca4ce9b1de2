#!/usr/bin/env bash
# The observability suite against the fixture's secured Kafka cluster (KPROOF_KAFKA_SECURITY=sasl:
# SASL PLAIN users admin and intruder, StandardAuthorizer, authorizer decisions in
# node-N/kafka-authorizer.log), one cluster start in a private network namespace:
#  1. kafka-secure-local: admin-audit and access-denied pass; the events are kept in
#     raw/audit-kafka-authorizer.jsonl; no password reaches the run directory;
#  2. bad input: an audit file that matches nothing and an exec source that exits non-zero make
#     admin-audit `error` naming the source (exit 3); an unknown format is refused (exit 2); the
#     same trail printed by an exec source (cat) passes;
#  3. intruder granted ALL (topics, groups, cluster): access-denied fails naming the four
#     attempts that succeeded;
#  4. the authorizer log switched off at run time (broker-loggers kafka.authorizer.logger=WARN
#     on every node): admin-audit fails listing the five missing actions.
set -uo pipefail

SELF=$(readlink -f "${BASH_SOURCE[0]}")
REPO_ROOT=$(cd "$(dirname "$SELF")/../.." && pwd -P)
KPROOF=${KPROOF:-$REPO_ROOT/build/kproof}
KAFKA=$REPO_ROOT/fixtures/kafka/kafka.sh

for t in jq; do command -v "$t" >/dev/null || { echo "not ok - $t not found"; exit 1; }; done
if [[ ${KPROOF_TEST_IN_NETNS:-} != 1 ]]; then
  "$KAFKA" install >&2 || { echo "not ok - kafka.sh install failed"; exit 1; }
fi
# shellcheck source=tests/fixtures/netns.sh
source "$REPO_ROOT/tests/fixtures/netns.sh"
kp_netns_reexec "$SELF"

WORK=$(mktemp -d "${KPROOF_TEST_TMP:-/tmp}/kproof-observability.XXXXXX")
export KPROOF_KAFKA_DIR=$WORK/kafka KPROOF_KAFKA_SECURITY=sasl
export KPROOF_KAFKA_HEAP_OPTS=${KPROOF_KAFKA_HEAP_OPTS:-"-Xms128m -Xmx384m"}
# shellcheck source=tests/lib/assert.sh
source "$REPO_ROOT/tests/lib/assert.sh"
SCRATCH=$WORK
test_cleanup() {
  "$KAFKA" stop >/dev/null 2>&1 || true
}
finish_on_exit

verdict() { jq -r --arg c "$2" '.checks[] | select(.id == $c) | .verdict' "$WORK/$1/evidence.json"; }
reason() { jq -r --arg c "$2" '.checks[] | select(.id == $c) | .reason' "$WORK/$1/evidence.json"; }
m() { jq -r --arg c "$2" --arg n "$3" '[.checks[] | select(.id == $c) | .measurements[] | select(.name == $n) | .value][0] // "none"' "$WORK/$1/evidence.json"; }
run() { # run NAME SCENARIO TARGET: exit code in $WORK/NAME.rc
  "$KPROOF" run "$2" -t "$3" -o "$WORK/$1" >"$WORK/$1.out" 2>"$WORK/$1.err"
  echo $? >"$WORK/$1.rc"
}
rc() { cat "$WORK/$1.rc"; }
# A target copy in $WORK: fixture commands from the repository, the trail of this test's cluster.
mk_target() {
  jq --arg root "$REPO_ROOT" --arg trail "$KPROOF_KAFKA_DIR/node-*/kafka-authorizer.log" \
    ".control.commands |= map_values(sub(\"\\\\{target_dir\\\\}/\\\\.\\\\.\"; \$root))
     | .audit.sources[0].path = \$trail | $2" "$REPO_ROOT/targets/kafka-secure-local.json" >"$WORK/$1"
}
tool() { "$KAFKA" tool "$@" --bootstrap-server 127.0.0.1:19092 --command-config "$("$KAFKA" admin-config)"; }

setsid bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 1; done; [ -d "$3" ] && "$2" stop' watchdog "$$" \
  "$KAFKA" "$WORK" >/dev/null 2>&1 </dev/null &
if ! "$KAFKA" start >"$WORK/start.log" 2>&1; then
  tail -n 40 "$WORK/start.log" >&2
  not_ok "secured cluster starts"
  exit 1
fi
ok "secured cluster starts (SASL_PLAINTEXT, StandardAuthorizer)"
set -a
# shellcheck source=/dev/null
source <("$KAFKA" credentials)
set +a
check "the fixture made passwords for admin and intruder" \
  test -n "${KPROOF_KAFKA_ADMIN_PASSWORD:-}" -a -n "${KPROOF_KAFKA_INTRUDER_PASSWORD:-}"

jq '.suites[0].options.wait = "10s"' "$REPO_ROOT/scenarios/observability.json" >"$WORK/obs.json"
jq '.suites[0].checks = ["observability.admin-audit"] | .suites[0].options.wait = "3s"' \
  "$WORK/obs.json" >"$WORK/admin.json"
jq '.suites[0].checks = ["observability.access-denied"] | del(.suites[0].gates)' "$WORK/obs.json" >"$WORK/denied.json"

# ---- 1. kafka-secure-local
mk_target secure.json '.'
run secure "$WORK/obs.json" "$WORK/secure.json"
check "secure: exit 0 ($(rc secure))" [ "$(rc secure)" = 0 ]
[[ $(rc secure) == 0 ]] || tail -n 20 "$WORK/secure.err" >&2
check "secure: admin-audit passes ($(reason secure observability.admin-audit))" \
  [ "$(verdict secure observability.admin-audit)" = pass ]
check "secure: 5 admin actions, none missing" \
  [ "$(m secure observability.admin-audit actions)/$(m secure observability.admin-audit actions_missing)" = 5/0 ]
d=$(m secure observability.admin-audit audit_delay_max_s)
check "secure: audit delay measured ($d s, below the 30 s gate)" \
  bash -c '[[ $1 != none ]] && awk -v d="$1" "BEGIN { exit !(d >= 0 && d <= 30) }"' _ "$d"
check "secure: every action was logged for User:admin" \
  bash -c '[[ $(jq -r ".checks[] | select(.id == \"observability.admin-audit\") | .tables[0].rows[] | .[3]" "$1" | sort -u) == User:admin ]]' _ "$WORK/secure/evidence.json"
check "secure: access-denied passes ($(reason secure observability.access-denied))" \
  [ "$(verdict secure observability.access-denied)" = pass ]
check "secure: 4 attempts refused, 0 succeeded, 0 unlogged" \
  [ "$(m secure observability.access-denied attempts_refused)/$(m secure observability.access-denied attempts_succeeded)/$(m secure observability.access-denied actions_missing)" = 4/0/0 ]
raw=$WORK/secure/raw/audit-kafka-authorizer.jsonl
check "secure: the trail's events are kept in raw/audit-kafka-authorizer.jsonl" \
  bash -c 'grep -q "\"principal\":\"User:intruder\",\"action\":\"CreateTopics\"" "$1" && grep -q "\"outcome\":\"denied\"" "$1"' _ "$raw"
check "secure: no password in the run directory" \
  bash -c '! grep -rqF -e "$1" -e "$2" "$3"' _ "$KPROOF_KAFKA_ADMIN_PASSWORD" "$KPROOF_KAFKA_INTRUDER_PASSWORD" "$WORK/secure"

# ---- 2. bad input
mk_target nofile.json ".audit.sources[0].path = \"$WORK/nowhere/*.log\""
run nofile "$WORK/admin.json" "$WORK/nofile.json"
r=$(reason nofile observability.admin-audit)
check "unreadable trail: exit 3, admin-audit error naming the source ($(rc nofile): $r)" \
  bash -c '[[ $1 == 3 && $2 == error && $3 == *"audit source kafka-authorizer: no file matches $4/nowhere/*.log"* ]]' _ \
  "$(rc nofile)" "$(verdict nofile observability.admin-audit)" "$r" "$WORK"
mk_target cmdfail.json '.audit.sources[0] = {"name": "trail-cmd", "kind": "admin", "type": "exec", "command": "echo ${env:KPROOF_KAFKA_ADMIN_PASSWORD} no trail >&2; exit 4", "format": "jsonl"}'
run cmdfail "$WORK/admin.json" "$WORK/cmdfail.json"
r=$(reason cmdfail observability.admin-audit)
check "failing command: exit 3, admin-audit error naming the source and status ($(rc cmdfail): $r)" \
  bash -c '[[ $1 == 3 && $2 == error && $3 == *"audit source trail-cmd: command \`echo *** no trail >&2; exit 4\` exited with status 4: *** no trail"* ]]' _ \
  "$(rc cmdfail)" "$(verdict cmdfail observability.admin-audit)" "$r"
mk_target badfmt.json '.audit.sources[0].format = "syslog"'
"$KPROOF" run "$WORK/admin.json" -t "$WORK/badfmt.json" -o "$WORK/badfmt" >/dev/null 2>"$WORK/badfmt.err"
rcb=$?
check "unknown format: exit 2 naming file and JSON path ($rcb: $(cat "$WORK/badfmt.err"))" \
  bash -c '[[ $1 == 2 ]] && grep -qF "$2: \$.audit.sources[0].format: expected one of \"cloudtrail\", \"kafka-authorizer\", \"jsonl\", got \"syslog\"" "$3"' _ "$rcb" "$WORK/badfmt.json" "$WORK/badfmt.err"

# the same trail printed by an exec source
mk_target execsrc.json '.audit.sources[0] = {"name": "trail-cmd", "kind": "admin", "type": "exec", "format": "kafka-authorizer", "command": ("cat " + $ENV.KPROOF_KAFKA_DIR + "/node-*/kafka-authorizer.log")}'
run execsrc "$WORK/admin.json" "$WORK/execsrc.json"
check "exec source: admin-audit passes reading the trail from a command ($(rc execsrc): $(reason execsrc observability.admin-audit))" \
  bash -c '[[ $1 == 0 && $2 == pass && -s $3 ]]' _ "$(rc execsrc)" "$(verdict execsrc observability.admin-audit)" "$WORK/execsrc/raw/audit-trail-cmd.jsonl"

# ---- 3. the intruder granted ALL
tool org.apache.kafka.tools.AclCommand --add --allow-principal User:intruder --operation All \
  --topic '*' --group '*' --cluster >"$WORK/acl.log" 2>&1
check "ACL: User:intruder granted ALL on topics, groups and the cluster" grep -q 'operation=ALL' "$WORK/acl.log"
run granted "$WORK/denied.json" "$WORK/secure.json"
r=$(reason granted observability.access-denied)
check "intruder with ALL: exit 1, access-denied fails naming the 4 attempts ($(rc granted): $r)" \
  bash -c '[[ $1 == 1 && $2 == fail && $3 == *"User:intruder was not refused: produce, consume, create-topic, alter-config succeeded"* ]]' _ \
  "$(rc granted)" "$(verdict granted observability.access-denied)" "$r"
check "intruder with ALL: 4 attempts succeeded" [ "$(m granted observability.access-denied attempts_succeeded)" = 4 ]

# ---- 4. the authorizer log switched off
for n in 1 2 3; do
  tool kafka.admin.ConfigCommand --alter --entity-type broker-loggers --entity-name "$n" \
    --add-config kafka.authorizer.logger=WARN >>"$WORK/loggers.log" 2>&1
done
check "authorizer logger set to WARN on every node" \
  bash -c '[[ $(grep -c "Completed updating config" "$1") == 3 ]]' _ "$WORK/loggers.log"
run off "$WORK/admin.json" "$WORK/secure.json"
r=$(reason off observability.admin-audit)
check "trail off: exit 1, admin-audit fails listing the missing actions ($(rc off): $r)" \
  bash -c '[[ $1 == 1 && $2 == fail && $3 == *": create-topic, alter-config, create-acl, delete-acl, delete-topic" ]]' _ \
  "$(rc off)" "$(verdict off observability.admin-audit)" "$r"
check "trail off: 5 actions missing" [ "$(m off observability.admin-audit actions_missing)" = 5 ]

done_testing
