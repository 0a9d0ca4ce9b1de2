#!/usr/bin/env bash
# tests/revocation/test_kms_s3_adapters.sh - the aws-kms adapter against local-kms and the s3
# storage adapter against moto, through the revocation suite's key and at-rest checks on the
# embedded cluster (no Kafka needed), in a private network namespace. Also: the suite skips on
# the embedded target, target validation of the kms/storage sections, ${env:} credentials kept
# out of every artifact, and transport errors reported as errors after bounded retries.
set -uo pipefail

SELF=$(readlink -f "${BASH_SOURCE[0]}")
REPO_ROOT=$(cd "$(dirname "$SELF")/../.." && pwd -P)
KPROOF=${KPROOF:-$REPO_ROOT/build/kproof}
KMS=$REPO_ROOT/fixtures/kms/kms.sh
S3=$REPO_ROOT/fixtures/s3/s3.sh
REGION=eu-west-1
KEY_TEST=4b50524f-0000-4000-8000-000000000001
ARN_TEST=arn:aws:kms:$REGION:111122223333:key/$KEY_TEST

for t in jq curl; do command -v "$t" >/dev/null || { echo "not ok - $t not found"; exit 1; }; done
if [[ ${KPROOF_TEST_IN_NETNS:-} != 1 ]]; then
  "$KMS" install >&2 || { echo "not ok - kms.sh install failed"; exit 1; }
  "$S3" install >&2 || { echo "not ok - s3.sh install failed"; exit 1; }
fi
# shellcheck source=tests/fixtures/netns.sh
source "$REPO_ROOT/tests/fixtures/netns.sh"
kp_netns_reexec "$SELF"

WORK=$(mktemp -d "${KPROOF_TEST_TMP:-/tmp}/kproof-adapters.XXXXXX")
export KPROOF_KMS_DIR=$WORK/kms KPROOF_S3_DIR=$WORK/s3 KPROOF_JOURNAL=$WORK/journal.jsonl
# shellcheck source=tests/lib/assert.sh
source "$REPO_ROOT/tests/lib/assert.sh"
SCRATCH=$WORK
test_cleanup() {
  "$KMS" stop >/dev/null 2>&1 || true
  "$S3" stop >/dev/null 2>&1 || true
}
finish_on_exit

verdict() { jq -r --arg id "$2" '.checks[] | select(.id == $id) | .verdict' "$1/evidence.json"; }
reason() { jq -r --arg id "$2" '.checks[] | select(.id == $id) | .reason' "$1/evidence.json"; }
measure() { jq -r --arg id "$2" --arg m "$3" '.checks[] | select(.id == $id) | .measurements[] | select(.name == $m) | .value' "$1/evidence.json" | head -n 1; }

# Watchdog in its own session: servers are stopped even if this test is SIGKILLed.
setsid bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 1; done; [ -d "$4" ] && { "$2" stop; "$3" stop; }' \
  watchdog "$$" "$KMS" "$S3" "$WORK" >/dev/null 2>&1 </dev/null &
"$KMS" start >"$WORK/kms.log" 2>&1 || { cat "$WORK/kms.log" >&2; not_ok "local-kms starts"; exit 1; }
"$S3" start >"$WORK/s3.log" 2>&1 || { cat "$WORK/s3.log" >&2; not_ok "moto starts"; exit 1; }
ok "local-kms and moto start"
S3EP=$("$S3" endpoint)

s3put() { # PATH FILE [curl args]
  local p=$1 f=$2 sha
  shift 2
  sha=$(sha256sum "$f" | cut -d' ' -f1)
  curl -s --max-time 15 -o /dev/null -w '%{http_code}' --aws-sigv4 "aws:amz:$REGION:s3" \
    --user AKIDKPROOFTEST:kproof-test-secret -H "x-amz-content-sha256: $sha" -X PUT \
    --data-binary "@$f" -H 'Content-Type: application/octet-stream' "$@" "$S3EP$p"
}
printf '<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>%s</LocationConstraint></CreateBucketConfiguration>' "$REGION" >"$WORK/cbc.xml"
check "CreateBucket" test "$(s3put /kproof-segments "$WORK/cbc.xml")" = 200
head -c 3000 /dev/urandom >"$WORK/seg1"
head -c 5000 /dev/urandom >"$WORK/seg2"
check "PutObject seg 1 (SSE-KMS, key ARN)" test "$(s3put /kproof-segments/topic/0001.log "$WORK/seg1" \
  -H 'x-amz-server-side-encryption: aws:kms' -H "x-amz-server-side-encryption-aws-kms-key-id: $ARN_TEST")" = 200
check "PutObject seg 2 (SSE-KMS, key ARN)" test "$(s3put '/kproof-segments/topic/0002%20b&c.log' "$WORK/seg2" \
  -H 'x-amz-server-side-encryption: aws:kms' -H "x-amz-server-side-encryption-aws-kms-key-id: $ARN_TEST")" = 200

# Scenario: only the checks that need no real Kafka cluster (without the scenario's gates: they read
# checks this list leaves out, which is invalid).
jq '.suites[0].checks = ["revocation.key-manager","revocation.key-rotation","revocation.key-policy","revocation.grants","revocation.at-rest"] | del(.suites[0].gates)' \
  "$REPO_ROOT/scenarios/revocation.json" >"$WORK/keys.json"
mk_target() { # NAME KEY EXPECTED_KEY
  cat >"$WORK/$1.json" <<JSON
{
  "name": "$1",
  "control": {"type": "embedded", "brokers": 1},
  "kms": {"type": "aws-kms", "region": "$REGION", "endpoint": "$("$KMS" endpoint)",
          "access_key_id": "\${env:KP_TEST_AKID}", "secret_access_key": "\${env:KP_TEST_SECRET}",
          "key": "$2", "fixture": true, "timeout": "2s", "max_attempts": 2},
  "storage": {"type": "s3", "endpoint": "$S3EP", "region": "$REGION", "bucket": "kproof-segments",
              "prefix": "topic/", "access_key_id": "\${env:KP_TEST_AKID}",
              "secret_access_key": "\${env:KP_TEST_SECRET}", "expected_kms_key": "$3"}
}
JSON
}
export KP_TEST_AKID=AKIDKPROOFTEST KP_TEST_SECRET=kp-adapter-test-secret-7f3a9
mk_target wild alias/kproof-test "$KEY_TEST"
mk_target kek alias/KEK_kproof-revocation "$KEY_TEST"

# uploader PREFIX: while $WORK/stop-upload is absent, uploads an SSE-KMS object under the key
# every 0.3 s, as a platform uploading segments during the run does (the at-rest scan needs an
# object written after the canaries, else their segments are not uploaded yet).
uploader() {
  local i=0
  rm -f "$WORK/stop-upload"
  while [[ ! -f $WORK/stop-upload ]]; do
    s3put "/kproof-segments/topic/$1-$i.log" "$WORK/seg1" -H 'x-amz-server-side-encryption: aws:kms' \
      -H "x-amz-server-side-encryption-aws-kms-key-id: $ARN_TEST" >/dev/null
    i=$((i + 1))
    sleep 0.3
  done
}

# ---- 1. the fixture key with a wildcard policy; objects SSE-KMS under the expected key
out=$WORK/run-wild
uploader live &
upid=$!
"$KPROOF" run "$WORK/keys.json" -t "$WORK/wild.json" -o "$out" >"$WORK/wild.log" 2>&1
rc=$?
touch "$WORK/stop-upload"
wait "$upid"
check "key checks on alias/kproof-test exit 1 (wildcard policy) (got $rc)" test "$rc" = 1
check "key-manager passes (customer-managed, Enabled)" test "$(verdict "$out" revocation.key-manager)" = pass
check "key-rotation passes" test "$(verdict "$out" revocation.key-rotation)" = pass
check "key-policy fails on the wildcard principal" test "$(verdict "$out" revocation.key-policy)" = fail
check "key-policy reason names the wildcard" grep -q 'any principal' <<<"$(reason "$out" revocation.key-policy)"
check "policy table lists the admin role" grep -q 'kproof-key-admin' "$out/evidence.json"
check "policy analysis counts one administrator" test "$(measure "$out" revocation.key-policy policy_admins)" = 1
check "grants skip with the KMS's answer" grep -q 'not implement grants' <<<"$(reason "$out" revocation.grants)"
check "at-rest passes: both objects SSE-KMS under the key, no canary" test "$(verdict "$out" revocation.at-rest)" = pass
check "at-rest read both objects and the uploaded ones (>= 8000 bytes)" \
  test "$(measure "$out" revocation.at-rest scanned_bytes)" -ge 8000
check "key evidence names the aliases" grep -q 'alias/kproof-test' "$out/report.html"
check "the env-given secret is in no artifact" bash -c "! grep -rq '$KP_TEST_SECRET' '$out'"
check "the env-given secret is not in the log" bash -c "! grep -q '$KP_TEST_SECRET' '$WORK/wild.log'"

# ---- 1b. a partial scan is no pass: no object written after the canaries (not uploaded yet) ...
sleep 3
out=$WORK/run-stale
"$KPROOF" run "$WORK/keys.json" -t "$WORK/wild.json" -o "$out" >/dev/null 2>&1
check "at-rest is an error when no object was written after the canaries ($(reason "$out" revocation.at-rest))" \
  bash -c '[[ $1 == error && $2 == "partial scan"*"not uploaded yet"* ]]' _ \
  "$(verdict "$out" revocation.at-rest)" "$(reason "$out" revocation.at-rest)"
# ... nor one that stopped at max_scan_bytes.
head -c 1200000 /dev/urandom >"$WORK/big"
check "PutObject a 1.2 MB object (SSE-KMS, key ARN)" test "$(s3put /kproof-segments/topic/0000-big.log "$WORK/big" \
  -H 'x-amz-server-side-encryption: aws:kms' -H "x-amz-server-side-encryption-aws-kms-key-id: $ARN_TEST")" = 200
jq '.storage.max_scan_bytes = 1048576' "$WORK/wild.json" >"$WORK/capped.json"
out=$WORK/run-capped
uploader capped &
upid=$!
"$KPROOF" run "$WORK/keys.json" -t "$WORK/capped.json" -o "$out" >/dev/null 2>&1
touch "$WORK/stop-upload"
wait "$upid"
check "at-rest is an error when the scan stopped at max_scan_bytes ($(reason "$out" revocation.at-rest))" \
  bash -c '[[ $1 == error && $2 == "partial scan"*"stopped at max_scan_bytes (1048576)"* ]]' _ \
  "$(verdict "$out" revocation.at-rest)" "$(reason "$out" revocation.at-rest)"
check "DeleteObject removes the big object" test "$(curl -s --max-time 15 -o /dev/null -w '%{http_code}' \
  --aws-sigv4 "aws:amz:$REGION:s3" --user AKIDKPROOFTEST:kproof-test-secret -X DELETE \
  "$S3EP/kproof-segments/topic/0000-big.log")" = 204

# ---- 2. a good policy; an unencrypted object and one under another key
out=$WORK/run-kek
check "PutObject seg 3 (no SSE)" test "$(s3put /kproof-segments/topic/0003.log "$WORK/seg1")" = 200
check "PutObject seg 4 (SSE-KMS, another key)" test "$(s3put /kproof-segments/topic/0004.log "$WORK/seg1" \
  -H 'x-amz-server-side-encryption: aws:kms' -H 'x-amz-server-side-encryption-aws-kms-key-id: arn:aws:kms:eu-west-1:111122223333:key/other')" = 200
"$KPROOF" run "$WORK/keys.json" -t "$WORK/kek.json" -o "$out" >"$WORK/kek.log" 2>&1
rc=$?
check "key checks on the KEK exit 1 (objects at rest) (got $rc)" test "$rc" = 1
check "key-policy passes on the KEK policy" test "$(verdict "$out" revocation.key-policy)" = pass
check "at-rest fails on the unencrypted object" test "$(verdict "$out" revocation.at-rest)" = fail
check "one unencrypted object counted" test "$(measure "$out" revocation.at-rest unencrypted_objects)" = 1
check "two objects under another key than expected" test "$(measure "$out" revocation.at-rest objects_wrong_key)" = 2

# ---- 3. unreachable KMS: error after bounded retries, exit 3
jq '.kms.endpoint = "http://127.0.0.1:9/"' "$WORK/kek.json" >"$WORK/down.json"
t0=$(date +%s)
"$KPROOF" run "$WORK/keys.json" -t "$WORK/down.json" -o "$WORK/run-down" >"$WORK/down.log" 2>&1
rc=$?
check "unreachable KMS exits 3 (got $rc)" test "$rc" = 3
check "the error names the transport failure" grep -q 'DescribeKey' <<<"$(reason "$WORK/run-down" revocation.key-manager)"
check "bounded retries finish within 30 s" test $(( $(date +%s) - t0 )) -le 30

# ---- 3b. throttling: retried with backoff, and bounded
start_throttle() { # N
  : >"$WORK/throttle.log"
  python3 "$(dirname "$SELF")/throttle_proxy.py" 4600 "$("$KMS" endpoint)" "$1" "$WORK/throttle.log" &
  THROTTLE_PID=$!
  for _ in $(seq 1 50); do curl -s -o /dev/null -X POST http://127.0.0.1:4600/ -H 'X-Amz-Target: TrentService.Ping' && break; sleep 0.1; done
  : >"$WORK/throttle.log"
}
jq '.kms.endpoint = "http://127.0.0.1:4600/" | .kms.max_attempts = 4' "$WORK/kek.json" >"$WORK/throttled.json"
jq '.suites[0].checks = ["revocation.key-manager","revocation.key-rotation"]' "$WORK/keys.json" >"$WORK/keys2.json"
start_throttle 2
"$KPROOF" run "$WORK/keys2.json" -t "$WORK/throttled.json" -o "$WORK/run-thr" >"$WORK/thr.log" 2>&1
rc=$?
kill "$THROTTLE_PID"; wait "$THROTTLE_PID" 2>/dev/null
check "two throttled answers per operation are retried: exit 0 (got $rc)" test "$rc" = 0
check "DescribeKey was throttled twice, then answered" \
  test "$(grep -c '^DescribeKey throttled' "$WORK/throttle.log"):$(grep -c '^DescribeKey forwarded' "$WORK/throttle.log")" = 2:1
start_throttle -1
t0=$(date +%s%N)
"$KPROOF" run "$WORK/keys2.json" -t "$WORK/throttled.json" -o "$WORK/run-thr2" >"$WORK/thr2.log" 2>&1
rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
kill "$THROTTLE_PID"; wait "$THROTTLE_PID" 2>/dev/null
check "a KMS that always throttles: exit 3 (got $rc)" test "$rc" = 3
check "exactly max_attempts (4) DescribeKey attempts" test "$(grep -c '^DescribeKey' "$WORK/throttle.log")" = 4
check "the error is the normalised ThrottlingException" grep -q 'ThrottlingException: Rate exceeded (after retries)' <<<"$(reason "$WORK/run-thr2" revocation.key-manager)"
check "backoff waited between attempts but stayed bounded ($ms ms)" test "$ms" -lt 20000

# ---- 3c. read-only key checks on a key not declared a fixture need no --allow-destructive
jq '.kms.fixture = false' "$WORK/kek.json" >"$WORK/real.json"
"$KPROOF" run "$WORK/keys2.json" -t "$WORK/real.json" -o "$WORK/run-real" >"$WORK/real.log" 2>&1
rc=$?
check "read-only key checks on a real key run without --allow-destructive (exit $rc)" test "$rc" = 0

# ---- 3d. revoke-grant on a KMS without grants: canaries written, the revocation skips
jq 'del(.storage)' "$WORK/kek.json" >"$WORK/nostore.json"
jq '.suites[0].options.revoke = "revoke-grant" | .suites[0].options.grant_id = "g-1" | .suites[0].checks = ["revocation.at-rest","revocation.write-effect"] | del(.suites[0].gates)' \
  "$REPO_ROOT/scenarios/revocation.json" >"$WORK/grant.json"
"$KPROOF" run "$WORK/grant.json" -t "$WORK/nostore.json" -o "$WORK/run-grant" >"$WORK/grant.log" 2>&1
rc=$?
check "revoke-grant on local-kms: every check skipped, nothing was verified: exit 1 (got $rc)" test "$rc" = 1
check "at-rest skips without a storage adapter, after writing the canaries" \
  test "$(verdict "$WORK/run-grant" revocation.at-rest):$(measure "$WORK/run-grant" revocation.at-rest canaries_read_back)" = skip:20
check "write-effect skips: the KMS has no grants" grep -q 'does not implement grants' <<<"$(reason "$WORK/run-grant" revocation.write-effect)"
check "nothing was journaled" test ! -s "$KPROOF_JOURNAL"

# ---- 4. the suite skips on the embedded target
"$KPROOF" run "$REPO_ROOT/scenarios/revocation.json" -t "$REPO_ROOT/targets/embedded.json" -o "$WORK/run-emb" >"$WORK/emb.log" 2>&1
rc=$?
check "revocation on the embedded target verifies nothing: exit 1 (got $rc)" test "$rc" = 1
check "... and says so" test "$(jq '.summary.nothing_verified' "$WORK/run-emb/evidence.json")" = true
check "every revocation check skips on embedded" test "$(jq '[.checks[] | select(.verdict != "skip")] | length' "$WORK/run-emb/evidence.json")" = 0
check "the skip reason says why" grep -q 'declares no KMS' <<<"$(reason "$WORK/run-emb" revocation.write-effect)"

# ---- 5. strict validation of the kms and storage sections
jq 'del(.kms.region)' "$WORK/kek.json" >"$WORK/bad1.json"
"$KPROOF" validate "$WORK/bad1.json" >"$WORK/bad1.log" 2>&1
rc=$?
check "kms without region: exit 2 (got $rc)" test "$rc" = 2
check "the error names file and JSON path" grep -q 'bad1.json: \$\.kms\.region' "$WORK/bad1.log"
jq '.storage.bucket = "a/b" ' "$WORK/kek.json" >"$WORK/bad2.json"
"$KPROOF" validate "$WORK/bad2.json" >"$WORK/bad2.log" 2>&1
check "storage bucket with a slash is rejected at \$.storage.bucket" grep -q '\$\.storage\.bucket' "$WORK/bad2.log"
jq '.kms.colour = "blue"' "$WORK/kek.json" >"$WORK/bad3.json"
"$KPROOF" validate "$WORK/bad3.json" >"$WORK/bad3.log" 2>&1
check "unknown kms key is rejected at \$.kms.colour" grep -q '\$\.kms\.colour' "$WORK/bad3.log"
env -u KP_TEST_SECRET "$KPROOF" validate "$WORK/kek.json" >"$WORK/bad4.log" 2>&1
rc=$?
check "missing \${env:} credential: exit 2 naming the variable (got $rc)" bash -c "test $rc = 2 && grep -q KP_TEST_SECRET '$WORK/bad4.log'"
done_testing
