#!/usr/bin/env bash
# location.storage against S3 buckets in moto (fixtures/s3), in a private network namespace. The
# target declares the boundary region eu-west-1 and expects default encryption under a KMS key ARN:
#  1. a bucket in eu-west-1, SSE-KMS by default under that key, public access blocked -> pass;
#  2. the same key given as a bare key id in expected_kms_key -> pass (ARN and id name one key);
#  3. a bucket in us-east-1 -> fail naming the region;
#  4. a bucket without default encryption and without a public access block -> fail naming both;
#  5. SSE-KMS under another key -> fail naming both keys;  6. SSE-S3 (AES256) -> fail;
#  7. no storage adapter -> skip with the reason; secrets never reach the run directory.
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

WORK=$(mktemp -d "${KPROOF_TEST_TMP:-/tmp}/kproof-location-s3.XXXXXX")
export KPROOF_S3_DIR=$WORK/s3
# shellcheck source=tests/lib/assert.sh
source "$REPO_ROOT/tests/lib/assert.sh"
SCRATCH=$WORK
jqe() { jq -e "$@" >/dev/null; }
test_cleanup() {
  "$S3" stop >/dev/null 2>&1 || true
}
finish_on_exit
verdict() { jq -r '.checks[] | select(.id == "location.storage") | .verdict' "$WORK/$1/evidence.json"; }
reason() { jq -r '.checks[] | select(.id == "location.storage") | .reason' "$WORK/$1/evidence.json"; }

setsid bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 1; done; [ -d "$3" ] && "$2" stop' \
  watchdog "$$" "$S3" "$WORK" >/dev/null 2>&1 </dev/null &
"$S3" start >"$WORK/s3.log" 2>&1 || { cat "$WORK/s3.log" >&2; not_ok "moto starts"; exit 1; }
ok "moto starts"
S3EP=$("$S3" endpoint)
KEY_ID=4b50524f-0000-4000-8000-000000000001
ARN=arn:aws:kms:eu-west-1:111122223333:key/$KEY_ID
OTHER=arn:aws:kms:eu-west-1:111122223333:key/4b50524f-0000-4000-8000-000000000006

s3put() { # REGION PATH BODY
  local f=$WORK/body.$RANDOM
  printf '%s' "$3" >"$f"
  curl -s --max-time 15 -o /dev/null -w '%{http_code}' --aws-sigv4 "aws:amz:$1:s3" \
    --user AKIDKPROOFTEST:kproof-test-secret -H "x-amz-content-sha256: $(sha256sum "$f" | cut -d' ' -f1)" \
    -H "Content-MD5: $(openssl md5 -binary "$f" | base64)" -H "Content-Type: application/xml" -X PUT --data-binary "@$f" "$S3EP$2"
}
bucket() { # NAME REGION
  if [[ $2 == us-east-1 ]]; then s3put us-east-1 "/$1" ''; else
    s3put "$2" "/$1" "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>$2</LocationConstraint></CreateBucketConfiguration>"; fi
}
sse() { # NAME REGION ALGORITHM [KEY]
  local k=${4:+<KMSMasterKeyID>$4</KMSMasterKeyID>}
  s3put "$2" "/$1?encryption" "<ServerSideEncryptionConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>$3</SSEAlgorithm>$k</ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>"
}
pab() { # NAME REGION
  s3put "$2" "/$1?publicAccessBlock" '<PublicAccessBlockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>'
}
check "bucket kp-good in eu-west-1 with SSE-KMS default and a public access block" \
  test "$(bucket kp-good eu-west-1)$(sse kp-good eu-west-1 aws:kms "$ARN")$(pab kp-good eu-west-1)" = 200200200
check "bucket kp-us in us-east-1 (otherwise good)" \
  test "$(bucket kp-us us-east-1)$(sse kp-us us-east-1 aws:kms "$ARN")$(pab kp-us us-east-1)" = 200200200
check "bucket kp-plain in eu-west-1 without default encryption or public access block" \
  test "$(bucket kp-plain eu-west-1)" = 200
check "bucket kp-other under another key" \
  test "$(bucket kp-other eu-west-1)$(sse kp-other eu-west-1 aws:kms "$OTHER")$(pab kp-other eu-west-1)" = 200200200
check "bucket kp-sse-s3 with AES256" \
  test "$(bucket kp-sse-s3 eu-west-1)$(sse kp-sse-s3 eu-west-1 AES256)$(pab kp-sse-s3 eu-west-1)" = 200200200

export KP_TEST_AKID=AKIDKPROOFLOCATION KP_TEST_SECRET=kp-location-s3-secret-93b1
mk_target() { # NAME BUCKET REGION EXPECTED_KEY
  cat >"$WORK/$1.json" <<JSON
{"name": "$1", "control": {"type": "embedded", "brokers": 1},
 "storage": {"type": "s3", "endpoint": "$S3EP", "region": "$3", "bucket": "$2",
   "access_key_id": "\${env:KP_TEST_AKID}", "secret_access_key": "\${env:KP_TEST_SECRET}",
   "expected_kms_key": "$4", "timeout": "5s"},
 "deployment": {"boundary": {"cidrs": ["127.0.0.0/8"], "regions": ["eu-west-1"]}}}
JSON
}
cat >"$WORK/scenario.json" <<'JSON'
{"name": "location-s3", "suites": [{"suite": "location", "checks": ["location.storage"]}]}
JSON
run() { "$KPROOF" run "$WORK/scenario.json" -t "$WORK/$1.json" -o "$WORK/$1" >"$WORK/$1.log" 2>&1; echo $? >"$WORK/$1.rc"; }

mk_target good kp-good eu-west-1 "$ARN"; run good
check "good bucket: exit 0 ($(cat "$WORK/good.rc"))" test "$(cat "$WORK/good.rc")" = 0
check "good bucket: storage passes ($(reason good))" test "$(verdict good)" = pass
check "good bucket: the reason names region and key" bash -c '[[ $1 == *"in region eu-west-1"*"aws:kms under '"$ARN"'"* ]]' _ "$(reason good)"
check "good bucket: 3 rules judged (region, encryption, public access)" \
  test "$(jq '.checks[0].measurements[] | select(.name == "rules_judged") | .value' "$WORK/good/evidence.json")" = 3
check "good bucket: owner recorded" jqe '.checks[0].tables[0].rows[] | select(.[0] == "owner (GetBucketAcl)" and .[1] != "unreadable")' "$WORK/good/evidence.json"
mk_target goodid kp-good eu-west-1 "$KEY_ID"; run goodid
check "expected key as a bare id: storage passes ($(reason goodid))" test "$(verdict goodid)" = pass

mk_target us kp-us us-east-1 "$ARN"; run us
check "us-east-1 bucket: exit 1" test "$(cat "$WORK/us.rc")" = 1
check "us-east-1 bucket: fails naming the region ($(reason us))" \
  bash -c '[[ $1 == fail && $2 == "bucket kp-us is in region us-east-1, not in deployment.boundary.regions (eu-west-1)" ]]' _ "$(verdict us)" "$(reason us)"

mk_target plain kp-plain eu-west-1 "$ARN"; run plain
r=$(reason plain)
check "plain bucket: fails for missing default encryption ($r)" \
  bash -c '[[ $1 == fail && $2 == *"bucket kp-plain has no default encryption"* ]]' _ "$(verdict plain)" "$r"
check "plain bucket: and for the missing public access block" bash -c '[[ $1 == *"bucket kp-plain has no public access block"* ]]' _ "$r"

mk_target other kp-other eu-west-1 "$ARN"; run other
check "other key: fails naming both keys ($(reason other))" \
  bash -c '[[ $1 == fail && $2 == *"encrypts by default under '"$OTHER"', not the declared storage.expected_kms_key '"$ARN"'"* ]]' _ "$(verdict other)" "$(reason other)"
mk_target sses3 kp-sse-s3 eu-west-1 "$ARN"; run sses3
check "SSE-S3: fails ($(reason sses3))" bash -c '[[ $1 == fail && $2 == *"encrypts by default with AES256, not SSE-KMS"* ]]' _ "$(verdict sses3)" "$(reason sses3)"

cat >"$WORK/nostore.json" <<'JSON'
{"name": "nostore", "control": {"type": "embedded", "brokers": 1}}
JSON
run nostore
check "no storage adapter: skip with the reason" test "$(reason nostore)" = "the target has no storage adapter (storage.type is none)"
check "no secret in any run directory" bash -c '! grep -rqF -e "$1" "$2"/good "$2"/us "$2"/plain' _ "$KP_TEST_SECRET" "$WORK"
done_testing
