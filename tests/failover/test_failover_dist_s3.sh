#!/usr/bin/env bash
# Distributed load with an S3 shard store: moto (fixtures/s3) in a private network namespace, the
# 4-worker embedded failover scenario with workload.shard_store s3://kproof-shards/<run>, reached
# through kproof's own SigV4 S3 client with the AWS_* environment:
#  1. the run passes and every shard result and the plan are objects in the bucket (ListObjectsV2);
#  2. `kproof merge s3://...` judges the same history (same acknowledged records, no anomaly);
#  3. a store prefix without results: `kproof merge` exits 3 (no plan);
#  4. the secret access key reaches no file of the run directory.
set -uo pipefail

SELF=$(readlink -f "${BASH_SOURCE[0]}")
REPO_ROOT=$(cd "$(dirname "$SELF")/../.." && pwd -P)
KPROOF=${KPROOF:-$REPO_ROOT/build/kproof}
S3=$REPO_ROOT/fixtures/s3/s3.sh
for t in jq curl; do command -v "$t" >/dev/null || { echo "not ok - $t not found"; exit 1; }; done
if [[ ${KPROOF_TEST_IN_NETNS:-} != 1 ]]; then
  "$S3" install >&2 || { echo "not ok - s3.sh install failed"; exit 1; }
fi
# shellcheck source=tests/fixtures/netns.sh
source "$REPO_ROOT/tests/fixtures/netns.sh"
kp_netns_reexec "$SELF"

WORK=$(mktemp -d "${KPROOF_TEST_TMP:-/tmp}/kproof-dist-s3.XXXXXX")
export KPROOF_S3_DIR=$WORK/s3
# shellcheck source=tests/lib/assert.sh
source "$REPO_ROOT/tests/lib/assert.sh"
SCRATCH=$WORK
jqf() { [[ -s ${!#} ]] && jq -e "$@" >/dev/null; } # jq -e passes on an empty file: refuse one
test_cleanup() {
  "$S3" stop >/dev/null 2>&1 || true
}
finish_on_exit

setsid bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 1; done; [ -d "$3" ] && "$2" stop' \
  watchdog "$$" "$S3" "$WORK" >/dev/null 2>&1 </dev/null &
"$S3" start >"$WORK/s3.log" 2>&1 || { cat "$WORK/s3.log" >&2; not_ok "moto starts"; exit 1; }
ok "moto starts"
S3EP=$("$S3" endpoint)
export AWS_ENDPOINT_URL=$S3EP AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=AKIDKPROOFDIST
export AWS_SECRET_ACCESS_KEY=kproof-dist-secret-4b50524f7e57
code=$(curl -s --max-time 15 -o /dev/null -w '%{http_code}' --aws-sigv4 "aws:amz:us-east-1:s3" \
  --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" -X PUT "$S3EP/kproof-shards")
check "bucket kproof-shards created (HTTP $code)" test "$code" = 200

STORE=s3://kproof-shards/runs/one
jq --arg s "$STORE" '.suites[0].workload.shard_store = $s | .name = "failover-embedded-dist-s3"' \
  "$REPO_ROOT/scenarios/failover-embedded-dist.json" >"$WORK/scenario.json"
OUT=$WORK/run
"$KPROOF" run "$WORK/scenario.json" -t "$REPO_ROOT/targets/embedded.json" -o "$OUT" -q \
  >"$WORK/stdout" 2>"$WORK/stderr"
rc=$?
check "4 workers through S3: exit 0 (got $rc)" test "$rc" -eq 0
q() { jq -r "(.checks[] | select(.id == \"failover.faults\")) | $1" "$OUT/evidence.json"; }
m() { q "[.measurements[] | select(.name == \"$1\" and ((.labels // {}) | length == 0))][0].value"; }
if [[ -f $OUT/evidence.json ]]; then
  check "verdict pass ($(q .reason))" test "$(q .verdict)" = pass
  check "4 workers, 20000 records acknowledged" test "$(m workers)/$(m records_acked)" = 4/20000
  check "merged from the S3 store" jq -e --arg s "$STORE" '[.checks[0].notes[] | select(startswith("merged 4 shard(s) from " + $s))] | length == 1' "$OUT/evidence.json"
else
  not_ok "evidence.json written"
  tail -20 "$WORK/stderr" >&2
fi
listing=$(curl -s --max-time 15 --aws-sigv4 "aws:amz:us-east-1:s3" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
  "$S3EP/kproof-shards?list-type=2&prefix=runs/one/")
for k in plan.json shard-0000.kps shard-0001.kps shard-0002.kps shard-0003.kps; do
  check "object runs/one/$k in the bucket" grep -q "<Key>runs/one/$k</Key>" <<<"$listing"
done
check "no shard result written to the run directory" test ! -e "$OUT/shards"

"$KPROOF" merge "$STORE" --scenario "$WORK/scenario.json" >"$WORK/merge.json" 2>"$WORK/merge.err"
rc=$?
check "kproof merge $STORE: exit 0 (got $rc)" test "$rc" -eq 0
check "kproof merge: 20000 acknowledged, no anomaly" jqf '.acked == 20000 and .not_allowed == 0 and ([.anomalies[]] | add) == 0' "$WORK/merge.json"
"$KPROOF" merge s3://kproof-shards/runs/none --scenario "$WORK/scenario.json" >/dev/null 2>"$WORK/none.err"
rc=$?
check "kproof merge of an empty prefix: exit 3 naming the plan (got $rc: $(cat "$WORK/none.err"))" \
  bash -c "[[ $rc == 3 ]] && grep -q 'runs/none/plan.json: no plan' '$WORK/none.err'"
check "the secret access key is in no file of the run directory" \
  bash -c "! grep -rqF '$AWS_SECRET_ACCESS_KEY' '$OUT'"
done_testing
