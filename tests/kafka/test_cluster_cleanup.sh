#!/usr/bin/env bash
# No JVM of the fixture cluster survives: `kafka.sh stop`, a start that fails (a node that exits,
# nodes that do not serve in time, a start interrupted by SIGTERM), and a test whose
# with-cluster.sh wrapper is interrupted (SIGTERM) or killed outright (SIGKILL: its watchdog stops
# the cluster), and a test script running the cluster itself SIGKILLed (the test watchdog of
# tests/fixtures/lib.sh stops it). Every JVM is looked up with ps, independently of kafka.sh.
set -uo pipefail
# shellcheck source=tests/fixtures/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../fixtures/lib.sh"
isolate "$@"
new_cluster_dir
DIR=$KPROOF_KAFKA_DIR
K=$KAFKA_SH
WORK=$(mktemp -d /tmp/kproof-cleanup-test.XXXXXX)

on_exit() {
  "$K" stop >/dev/null 2>&1 || true
  end_watch_cluster
  if ((FAILED == 0)); then rm -rf "$DIR" "$WORK"; else echo "# kept for inspection: $DIR $WORK" >&2; fi
}
trap on_exit EXIT
watch_cluster

jvm_count() { jvms_of "$DIR" | wc -l; }
all_serving() { "$K" status >/dev/null 2>&1; }
jvms_running() { (($(jvm_count) >= ${1:-1})); }
# node_jvms_running N: N broker JVMs (not StorageTool runs) of this cluster are up
node_jvms_running() {
  local n
  n=$(ps -eww -o comm=,args= | awk -v d="$DIR" '$1 == "java" && index($0, d) && index($0, "-Dkproof.kafka.node=")' | wc -l)
  ((n >= $1))
}
# no_jvm_within SECONDS: quiet polling; the last look reports what is left
no_jvm_within() { wait_until "$1" no_jvm_left "$DIR" 2>/dev/null || no_jvm_left "$DIR"; }
proc_gone() { [[ -n $1 ]] && ! kill -0 "$1" 2>/dev/null; }
# wrapped_sleep PID: pid of the `sleep 600` that with-cluster.sh PID runs (a child or grandchild)
wrapped_sleep() {
  local c g
  for c in $(pgrep -P "$1"); do
    for g in "$c" $(pgrep -P "$c"); do
      [[ $(ps -o args= -p "$g" 2>/dev/null) == "sleep 600" ]] && { echo "$g"; return 0; }
    done
  done
  return 1
}
has_wrapped_sleep() { wrapped_sleep "$1" >/dev/null; }
# has_sleep_pid PID: PID has exec'd `sleep 600`
has_sleep_pid() { [[ $(ps -o args= -p "$1" 2>/dev/null) == "sleep 600" ]]; }

# --- 1. plain start and stop
require "start" "$K" start
check "three JVMs of the cluster run" jvms_running 3
require "stop" "$K" stop
check "no JVM left after stop" no_jvm_left "$DIR"

# --- 2. a start in which one node exits (its client port is taken) fails and stops the others
"$K" reset >/dev/null 2>&1
python3 -c 'import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 29092)); s.listen(1); time.sleep(600)' &
squatter=$!
sleep 1
rc=0
"$K" start >"$WORK/bad.out" 2>"$WORK/bad.err" || rc=$?
kill "$squatter" 2>/dev/null
wait "$squatter" 2>/dev/null
check "start with a node that cannot bind its port fails (exit $rc)" [ "$rc" -ne 0 ]
check "the failure names node 2 and shows its log" grep -q 'node 2 exited while starting' "$WORK/bad.err"
check "no JVM left after the failed start" no_jvm_left "$DIR"

# --- 3. a start that times out with live nodes stops what it started
"$K" reset >/dev/null 2>&1
rc=0
KPROOF_KAFKA_START_TIMEOUT=2 "$K" start >"$WORK/slow.out" 2>"$WORK/slow.err" || rc=$?
check "start that times out fails (exit $rc)" [ "$rc" -ne 0 ]
check "the failure says it timed out" grep -q 'timed out after 2s' "$WORK/slow.err"
check "no JVM left after the timed-out start" no_jvm_left "$DIR"

# --- 4. a start interrupted by SIGTERM once its JVMs run
"$K" reset >/dev/null 2>&1
"$K" start >"$WORK/int.out" 2>"$WORK/int.err" &
spid=$!
check "node JVMs appear while start runs" wait_until 60 node_jvms_running 3
kill -TERM "$spid"
rc=0
wait "$spid" || rc=$?
check "interrupted start exits non-zero (exit $rc)" [ "$rc" -ne 0 ]
check "no JVM left after the interrupted start" no_jvm_left "$DIR"

# --- 5. with-cluster.sh interrupted by SIGTERM while its command runs
"$WITH_CLUSTER" sleep 600 >"$WORK/wc-term.log" 2>&1 &
wpid=$!
require "with-cluster.sh brings the cluster up and runs its command" \
  wait_until 120 has_wrapped_sleep "$wpid"
check "the cluster is up while the command runs" all_serving
child=$(wrapped_sleep "$wpid")
kill -TERM "$wpid"
rc=0
wait "$wpid" || rc=$?
check "with-cluster.sh exits 143 after SIGTERM (exit $rc)" [ "$rc" -eq 143 ]
check "no JVM left after with-cluster.sh was interrupted" no_jvm_left "$DIR"
check "the wrapped command ($child) was ended" proc_gone "$child"

# --- 6. with-cluster.sh killed with SIGKILL: its watchdog stops the cluster
"$WITH_CLUSTER" sleep 600 >"$WORK/wc-kill.log" 2>&1 &
wpid=$!
require "with-cluster.sh brings the cluster up again and runs its command" \
  wait_until 120 has_wrapped_sleep "$wpid"
check "the cluster is up while the command runs" all_serving
child=$(wrapped_sleep "$wpid")
kill -KILL "$wpid"
wait "$wpid" 2>/dev/null
check "the watchdog stops every JVM within 60 s of the SIGKILL" no_jvm_within 60
check "the watchdog logged the stop" grep -q 'is gone .*stopping the cluster' "$DIR/watchdog.log"
[[ -z $child ]] || kill "$child" 2>/dev/null

# --- 7. a test script that runs the cluster itself is SIGKILLed (as a ctest timeout would):
# the watchdog of tests/fixtures/lib.sh (watch_cluster) stops the cluster
bash -c '. "$1"; watch_cluster; "$KAFKA_SH" reset && "$KAFKA_SH" start && exec sleep 600' \
  _ "$TESTS_DIR/lib.sh" >"$WORK/killed-test.log" 2>&1 &
tpid=$!
require "the test script brings its cluster up" wait_until 120 has_sleep_pid "$tpid"
check "its cluster is up" all_serving
kill -KILL "$tpid"
wait "$tpid" 2>/dev/null
check "the test watchdog stops every JVM within 60 s of the SIGKILL" no_jvm_within 60
finish
