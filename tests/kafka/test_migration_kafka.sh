#!/usr/bin/env bash
# The migration suite against the fixture's two clusters with MirrorMaker 2 (fixtures/kafka/mirror.sh),
# both clusters started once, in parallel, in a private network namespace:
#  1. kafka-local -> kafka-local-b, the full suite: data, offsets (translated, 0 lost), topic-config,
#     cutover and rollback pass, with catch-up, lag, translation lag and unavailability measured;
#  2. the mirror stopped before catch-up (start_mirror starts it, waits until it made the topic on
#     cluster b, stops it): migration.data fails naming unseen records;
#  3. group offset sync disabled (KPROOF_MIRROR_SYNC_GROUP_OFFSETS=false): migration.offsets
#     re-reads every consumed record and fails the max_reread_records gate (exit 1).
set -uo pipefail

SELF=$(readlink -f "${BASH_SOURCE[0]}")
REPO_ROOT=$(cd "$(dirname "$SELF")/../.." && pwd -P)
KPROOF=${KPROOF:-$REPO_ROOT/build/kproof}
KAFKA=$REPO_ROOT/fixtures/kafka/kafka.sh
MIRROR=$REPO_ROOT/fixtures/kafka/mirror.sh

for t in jq; do command -v "$t" >/dev/null || { echo "not ok - $t not found"; exit 1; }; done
if [[ ${KPROOF_TEST_IN_NETNS:-} != 1 ]]; then
  "$MIRROR" install >&2 || { echo "not ok - mirror.sh install failed"; exit 1; }
fi
# shellcheck source=tests/fixtures/netns.sh
source "$REPO_ROOT/tests/fixtures/netns.sh"
kp_netns_reexec "$SELF"

WORK=$(mktemp -d "${KPROOF_TEST_TMP:-/tmp}/kproof-migration.XXXXXX")
export KPROOF_KAFKA_DIR=$WORK/kafka
export KPROOF_KAFKA_HEAP_OPTS=${KPROOF_KAFKA_HEAP_OPTS:-"-Xms128m -Xmx384m"}
# shellcheck source=tests/lib/assert.sh
source "$REPO_ROOT/tests/lib/assert.sh"
SCRATCH=$WORK
test_cleanup() {
  "$MIRROR" stop >/dev/null 2>&1 || true
  "$MIRROR" stop --reverse >/dev/null 2>&1 || true
  "$KAFKA" stop >/dev/null 2>&1 || true
  "$KAFKA" --cluster b stop >/dev/null 2>&1 || true
}
finish_on_exit

verdict() { jq -r --arg c "$2" '.checks[] | select(.id == $c) | .verdict' "$WORK/$1/evidence.json"; }
reason() { jq -r --arg c "$2" '.checks[] | select(.id == $c) | .reason' "$WORK/$1/evidence.json"; }
m() { jq -r --arg c "$2" --arg n "$3" '[.checks[] | select(.id == $c) | .measurements[] | select(.name == $n) | .value][0] // "none"' "$WORK/$1/evidence.json"; }
run() { # run NAME SCENARIO TARGET: exit code in $WORK/NAME.rc
  local t=$(date +%s)
  "$KPROOF" run "$2" -t "$3" -o "$WORK/$1" >"$WORK/$1.out" 2>"$WORK/$1.err"
  echo $? >"$WORK/$1.rc"
  echo "# run $1: $(($(date +%s) - t))s" >&2
}
rc() { cat "$WORK/$1.rc"; }
# Target and scenario copies in $WORK: fixture commands and the destination from the repository.
mk_target() {
  jq --arg root "$REPO_ROOT" ".control.commands |= map_values(sub(\"\\\\{target_dir\\\\}/\\\\.\\\\.\"; \$root)) | $2" \
    "$REPO_ROOT/targets/kafka-local.json" | jq --arg root "$REPO_ROOT" '.deployment.price_sheet = ($root + "/fixtures/prices/aws-us-east-1.json")' >"$WORK/$1"
}
mk_scenario() {
  jq --arg dest "$REPO_ROOT/targets/kafka-local-b.json" ".suites[0].options.destination = \$dest | $2" \
    "$REPO_ROOT/scenarios/migration.json" >"$WORK/$1"
}

setsid bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 1; done; [ -d "$3" ] && { "$2" stop; "$2" --cluster b stop; }' watchdog "$$" \
  "$KAFKA" "$WORK" >/dev/null 2>&1 </dev/null &
ts=$(date +%s)
"$KAFKA" start >"$WORK/start-a.log" 2>&1 &
pa=$!
"$KAFKA" --cluster b start >"$WORK/start-b.log" 2>&1 &
pb=$!
wait "$pa"; ra=$?
wait "$pb"; rb=$?
if ((ra != 0 || rb != 0)); then
  tail -n 30 "$WORK/start-a.log" "$WORK/start-b.log" >&2
  not_ok "both clusters start"
  exit 1
fi
ok "both clusters start ($(($(date +%s) - ts))s)"

# ---- 1. the full suite
mk_target a.json '.'
mk_scenario full.json '.'
run full "$WORK/full.json" "$WORK/a.json"
check "full: exit 0 ($(rc full))" [ "$(rc full)" = 0 ]
[[ $(rc full) == 0 ]] || tail -n 20 "$WORK/full.err" >&2
for c in data offsets topic-config cutover rollback; do
  check "full: migration.$c passes ($(reason full migration.$c))" [ "$(verdict full migration.$c)" = pass ]
done
check "full: data: nothing lost or duplicated, catch-up measured ($(m full migration.data catch_up_s) s, lag max $(m full migration.data mirror_lag_records_max) records / $(m full migration.data mirror_lag_s_max) s, $(m full migration.data mirror_throughput) records/s)" \
  bash -c '[[ $1 == 0 && $2 == 0 && $3 != none ]]' _ "$(m full migration.data lost_acked)" "$(m full migration.data duplicates)" "$(m full migration.data catch_up_s)"
check "full: offsets translated, 0 lost on resume, $(m full migration.offsets reread_records) re-read, translation lag $(m full migration.offsets offset_translation_lag_s) s" \
  bash -c '[[ $1 == 0 && $2 == 0 && $3 == 1 && $4 == *"offsets translated (checkpoint-based)"* ]]' _ \
  "$(m full migration.offsets lost_on_resume)" "$(m full migration.offsets offsets_identical)" "$(m full migration.offsets offsets_synced)" "$(reason full migration.offsets)"
check "full: cutover unavailability measured ($(m full migration.cutover unavailability_s) s)" \
  bash -c '[[ $1 != none ]]' _ "$(m full migration.cutover unavailability_s)"
check "full: rollback: every record back on the source, 0 lost on resume" \
  bash -c '[[ $1 == 0 && $2 == 0 ]]' _ "$(m full migration.rollback lost_acked)" "$(m full migration.rollback lost_on_resume)"
check "full: the mirror operations are in the evidence" \
  bash -c 'grep -q "start_mirror" "$1" && grep -q "start_reverse_mirror" "$1"' _ "$WORK/full/evidence.json"

# ---- 2. the mirror stopped before catch-up
mk_target stopped.json '.control.commands.start_mirror = "\(.control.commands.start_mirror) && D=$(\($root)/fixtures/kafka/kafka.sh --cluster b dir) && p=$(echo {topic} | sed \"s/[.][*]$//\"); for i in $(seq 120); do ls -d \"$D/node-1/data/$p\"data-0 >/dev/null 2>&1 && break; sleep 0.5; done; \($root)/fixtures/kafka/mirror.sh stop"'
mk_scenario data.json '.suites[0].checks = ["migration.data"] | .suites[0].options.catch_up_timeout = "8s" | del(.suites[0].gates)'
run stopped "$WORK/data.json" "$WORK/stopped.json"
r=$(reason stopped migration.data)
check "stopped mirror: exit 1, migration.data fails naming unseen records ($(rc stopped): $r)" \
  bash -c '[[ $1 == 1 && $2 == fail && $3 == *"unseen "*"producer 0 seq "* ]]' _ "$(rc stopped)" "$(verdict stopped migration.data)" "$r"

# ---- 3. group offset sync disabled
mk_target nosync.json '.control.env.KPROOF_MIRROR_SYNC_GROUP_OFFSETS = "false"'
mk_scenario offsets.json '.suites[0].checks = ["migration.offsets"] | .suites[0].options.sync_timeout = "6s"'
run nosync "$WORK/offsets.json" "$WORK/nosync.json"
check "no offset sync: exit 1, offsets synced 0, re-read $(m nosync migration.offsets reread_records) > gate 50, 0 lost" \
  bash -c '[[ $1 == 1 && $2 == 0 && $3 == 100 && $4 == 0 ]]' _ "$(rc nosync)" "$(m nosync migration.offsets offsets_synced)" \
  "$(m nosync migration.offsets reread_records)" "$(m nosync migration.offsets lost_on_resume)"
check "no offset sync: migration.offsets fails, progress did not move ($(reason nosync migration.offsets))" \
  bash -c '[[ $1 == fail && $2 == *"progress did not move"* ]]' _ "$(verdict nosync migration.offsets)" "$(reason nosync migration.offsets)"
check "no offset sync: the max_reread_records gate is missed as well" \
  bash -c 'jq -e "[.gates[]? | select(.name == \"max_reread_records\" and .passed == false)] | length == 1" "$1" >/dev/null' _ "$WORK/nosync/evidence.json"

done_testing
