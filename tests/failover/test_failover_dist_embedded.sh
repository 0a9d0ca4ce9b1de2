#!/usr/bin/env bash
# Distributed load on the embedded mock cluster (docs/distributed.md): scenarios/
# failover-embedded-dist.json runs failover-embedded's faults and workload through 4 local
# `kproof worker` processes (they reach this run's mock cluster over its TCP listeners).
#  1. the merged run passes like the single-process one: every record acknowledged, read, judged
#     with zero anomalies; 4 shard results in the run's shard store, one per worker, with disjoint
#     producer ids; `kproof merge` on that store judges the same history the same way.
#  2. a worker killed (SIGKILL) during the run: the check is `error` naming the shard and the
#     signal, never a pass on the other shards' partial history; kproof exits 3; `kproof merge`
#     on that store exits 3 naming the shard too.
#  3. launcher "external" (what the Kubernetes Job does): kproof writes the plan to a directory
#     store and waits; 4 `kproof worker` processes started by hand (index given, then from
#     JOB_COMPLETION_INDEX) find the embedded cluster through the plan; the run passes.
set -uo pipefail
: "${KPROOF:?}" "${KPROOF_SRC:?}" "${KPROOF_TEST_TMP:?}"

# shellcheck source=tests/lib/assert.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/assert.sh"
jqf() { [[ -s ${!#} ]] && jq -e "$@" >/dev/null; } # jq -e passes on an empty file: refuse one

WORK=$(mktemp -d "$KPROOF_TEST_TMP/failover-dist.XXXXXX")
SCRATCH=$WORK
SCN=$KPROOF_SRC/scenarios/failover-embedded-dist.json
TGT=$KPROOF_SRC/targets/embedded.json
q() { jq -r "(.checks[] | select(.id == \"failover.faults\")) | $2" "$1/evidence.json"; }
m() { q "$1" "[.measurements[] | select(.name == \"$2\" and ((.labels // {}) | length == 0))][0].value"; }
num_ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 >= b + 0) }'; }

# 1. four workers, merged.
OUT=$WORK/run
"$KPROOF" run "$SCN" -t "$TGT" -o "$OUT" -q >"$WORK/stdout" 2>"$WORK/stderr"
rc=$?
check "4 workers: exit 0 (got $rc)" test "$rc" -eq 0
if [[ ! -f $OUT/evidence.json ]]; then
  not_ok "evidence.json written"
  tail -20 "$WORK/stderr" >&2
  finish
fi
check "4 workers: verdict pass ($(q "$OUT" .reason))" test "$(q "$OUT" .verdict)" = pass
check "4 workers: measured workers = 4" test "$(m "$OUT" workers)" = 4
check "4 workers: 20000 records acknowledged (4 x 5000 at 1000/s for 20 s: $(m "$OUT" records_acked))" \
  test "$(m "$OUT" records_acked)" = 20000
check "4 workers: zero lost, zero duplicates" test "$(m "$OUT" lost_acked)/$(m "$OUT" duplicates)" = 0/0
check "4 workers: no anomaly of any kind" test "$(q "$OUT" '.anomalies | length')" = 0
check "4 workers: every record read by the workers' consumers and the final read" \
  num_ge "$(m "$OUT" final_read_records)" "$(m "$OUT" records_acked)"
check "4 workers: records_consumed_unique = records_acked" \
  test "$(m "$OUT" records_consumed_unique)" = "$(m "$OUT" records_acked)"
for i in 0 1 2 3; do
  check "shard $i result in the store" test -s "$OUT/shards/shard-000$i.kps"
  check "shard $i ran producer $i only" \
    jq -e --arg n "shard $i: producers $i..$i," '[.checks[0].notes[] | select(startswith($n))] | length == 1' "$OUT/evidence.json"
done
check "the plan names 4 workers" jqf '.workers == 4' "$OUT/shards/plan.json"
check "the timeline plot was drawn from the merged timeline" test -s "$OUT/plots/failover-timeline.svg"
"$KPROOF" merge "$OUT/shards" --scenario "$SCN" >"$WORK/merge.json" 2>"$WORK/merge.err"
rc=$?
check "kproof merge: exit 0 (got $rc)" test "$rc" -eq 0
check "kproof merge: same acknowledged records and zero anomalies" \
  jqf --argjson a "$(m "$OUT" records_acked)" '.acked == $a and .not_allowed == 0 and ([.anomalies[]] | add) == 0 and .workers == 4' "$WORK/merge.json"

# 2. a worker killed during the run.
KILLED=$WORK/killed
"$KPROOF" run "$SCN" -t "$TGT" -o "$KILLED" -q >"$WORK/k.stdout" 2>"$WORK/k.stderr" &
RUN_PID=$!
victim=
for _ in $(seq 1 300); do
  # the worker of shard 1 of this run: its store path is unique to this test
  victim=$(pgrep -f -- "--store $KILLED.partial/shards --suite failover --plan-wait 60 --bootstrap [^ ]* --index 1\$" | head -n 1)
  [[ -n $victim ]] && break
  sleep 0.1
done
check "found the worker of shard 1 ($victim)" test -n "$victim"
sleep 12 # well into production (8 s lead + 4 s)
[[ -n $victim ]] && kill -KILL "$victim"
wait "$RUN_PID"
rc=$?
check "killed worker: exit 3 (got $rc)" test "$rc" -eq 3
if [[ -f $KILLED/evidence.json ]]; then
  reason=$(q "$KILLED" .reason)
  check "killed worker: verdict error ($reason)" test "$(q "$KILLED" .verdict)" = error
  check "killed worker: the reason names shard 1 and SIGKILL" \
    grep -q "shard 1 of 4: its worker (pid [0-9]*) died of signal 9" <<<"$reason"
  check "killed worker: the other shards reported" test -s "$KILLED/shards/shard-0000.kps" -a -s "$KILLED/shards/shard-0002.kps"
else
  not_ok "killed worker: evidence.json written"
  tail -20 "$WORK/k.stderr" >&2
fi
"$KPROOF" merge "$KILLED/shards" --scenario "$SCN" >/dev/null 2>"$WORK/kmerge.err"
rc=$?
check "kproof merge with a shard missing: exit 3 (got $rc)" test "$rc" -eq 3
check "kproof merge names the missing shard ($(cat "$WORK/kmerge.err"))" \
  grep -q "shard 1 of 4: never reported" "$WORK/kmerge.err"

# 3. external workers.
EXT=$WORK/external
STORE=$WORK/ext-store
jq --arg s "$STORE" '.suites[0].workload.launcher = "external" | .suites[0].workload.shard_store = $s' \
  "$SCN" >"$WORK/external.json"
"$KPROOF" run "$WORK/external.json" -t "$TGT" -o "$EXT" -q >"$WORK/e.stdout" 2>"$WORK/e.stderr" &
RUN_PID=$!
for _ in $(seq 1 300); do
  [[ -s $STORE/plan.json ]] && break
  sleep 0.1
done
check "external: the coordinator wrote the plan with the embedded cluster's address" \
  jqf '.workers == 4 and (.bootstrap | test(":[0-9]+"))' "$STORE/plan.json"
wpids=()
for i in 0 1; do
  "$KPROOF" worker "$WORK/external.json" -t "$TGT" --store "$STORE" --index "$i" >"$WORK/w$i.log" 2>&1 &
  wpids+=($!)
done
for i in 2 3; do
  JOB_COMPLETION_INDEX=$i "$KPROOF" worker "$WORK/external.json" -t "$TGT" --store "$STORE" \
    >"$WORK/w$i.log" 2>&1 &
  wpids+=($!)
done
wrc=0
for p in "${wpids[@]}"; do wait "$p" || wrc=$?; done
check "external: every worker exited 0 (last non-zero: $wrc)" test "$wrc" -eq 0
wait "$RUN_PID"
rc=$?
check "external: exit 0 (got $rc)" test "$rc" -eq 0
if [[ -f $EXT/evidence.json ]]; then
  check "external: verdict pass ($(q "$EXT" .reason))" test "$(q "$EXT" .verdict)" = pass
  check "external: 20000 records acknowledged by 4 workers" \
    test "$(m "$EXT" workers)/$(m "$EXT" records_acked)/$(m "$EXT" lost_acked)" = 4/20000/0
else
  not_ok "external: evidence.json written"
  tail -20 "$WORK/e.stderr" >&2
fi

finish
