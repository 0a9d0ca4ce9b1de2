#!/usr/bin/env bash
# tests/evidence/test_verify_sslib.sh - an independent DSSE implementation (Python securesystemslib
# from PyPI, in the test-only virtualenv of tests/tools/pyvenv.sh) verifies a fresh run with
# exactly the Python block of docs/verify.md, whose keyid is recomputed from the trusted public
# key (hex SHA-256 of its DER SubjectPublicKeyInfo), both envelopes (evidence statement and in-toto
# test-result attestation); it fails for a wrong key, a changed payload of either,
# a changed evidence.json, a keyid that is not the key's fingerprint, and after `kproof report`
# re-signs with another key it verifies with the new key only.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
isolate "$@"
for t in jq openssl; do command -v $t >/dev/null || { echo "missing tool: $t" >&2; exit 1; }; done
"$REPO_ROOT/tests/tools/pyvenv.sh" install >&2 || { echo "cannot create the test virtualenv (tests/tools/pyvenv.sh install)" >&2; exit 1; }
py=$("$REPO_ROOT/tests/tools/pyvenv.sh" python) || { echo "no test virtualenv" >&2; exit 1; }
new_work

awk '/^### With an independent DSSE library/ { s = 1 } s && /^```python$/ { p = 1; next } p && /^```$/ { exit } p' \
  "$REPO_ROOT/docs/verify.md" >"$WORK/verify.py"
require "docs/verify.md has the securesystemslib block" test -s "$WORK/verify.py"
check "the block uses securesystemslib's Envelope.verify with SSlibKey.from_crypto" \
  bash -c "grep -q 'Envelope.from_dict' '$WORK/verify.py' && grep -q 'SSlibKey.from_crypto' '$WORK/verify.py'"
check "securesystemslib is 1.0 or newer" "$py" -c 'import securesystemslib as s, sys; sys.exit(int(s.__version__.split(".")[0]) < 1)'

fp=$("$KPROOF" keygen --out "$WORK/k.pem" 2>/dev/null)
fp2=$("$KPROOF" keygen --out "$WORK/k2.pem" 2>/dev/null)
run_short "$WORK/r" --sign-key "$WORK/k.pem"
require "a fresh run exits 0" test $? = 0

sslib_verify() { RUN=$1 PUB=$2 "$py" "$WORK/verify.py" >"$WORK/py.out" 2>&1; }

sslib_verify "$WORK/r" "$WORK/k.pem.pub"
check "securesystemslib verifies the fresh run" test $? = 0
check "... with keyid = the key's fingerprint ($fp)" grep -q "verified: keyid $fp," "$WORK/py.out"
check "... both envelopes, with their predicate types" bash -c "grep -q 'evidence.dsse.json: urn:kproof:evidence-bundle:v1,' '$WORK/py.out' &&
  grep -q 'test-result.dsse.json: https://in-toto.io/attestation/test-result/v0.1, 2 subjects' '$WORK/py.out'"
check "... and prints the test result (passes and a skip: WARNED)" grep -qx 'test result: WARNED' "$WORK/py.out"
check "the keyid is the hex sha256 of the DER public key" \
  test "$(openssl pkey -pubin -in "$WORK/k.pem.pub" -outform DER | sha256sum | cut -c1-64)" = "$(jq -r '.signatures[0].keyid' "$WORK/r/evidence.dsse.json")"

sslib_verify "$WORK/r" "$WORK/k2.pem.pub"
check "securesystemslib rejects a wrong public key" test $? != 0
check "... with a VerificationError" grep -q 'VerificationError' "$WORK/py.out"

cp -a "$WORK/r" "$WORK/t1"
jq '.payload |= (@base64d + " " | @base64)' "$WORK/r/evidence.dsse.json" >"$WORK/t1/evidence.dsse.json"
sslib_verify "$WORK/t1" "$WORK/k.pem.pub"
check "securesystemslib rejects a changed payload" test $? != 0

cp -a "$WORK/r" "$WORK/t2"
flip_byte "$WORK/t2/evidence.json" 100
sslib_verify "$WORK/t2" "$WORK/k.pem.pub"
check "the block rejects a changed evidence.json" test $? != 0
check "... naming it" grep -q 'evidence.json' "$WORK/py.out"

cp -a "$WORK/r" "$WORK/t4"
jq '.payload |= (@base64d | sub("WARNED"; "PASSED") | @base64)' "$WORK/r/test-result.dsse.json" >"$WORK/t4/test-result.dsse.json"
sslib_verify "$WORK/t4" "$WORK/k.pem.pub"
check "the block rejects a changed test-result payload" test $? != 0
check "... naming test-result.dsse.json (its digest in the evidence statement)" \
  bash -c "grep -q 'AssertionError: test-result.dsse.json' '$WORK/py.out' && ! grep -q 'test result:' '$WORK/py.out'"

cp -a "$WORK/r" "$WORK/t3"
sed -i "s/\"keyid\": \"$fp\"/\"keyid\": \"$fp2\"/" "$WORK/t3/evidence.dsse.json"
sslib_verify "$WORK/t3" "$WORK/k.pem.pub"
check "securesystemslib rejects an envelope whose keyid is not the key's fingerprint" test $? != 0

# Re-signed by `kproof report` with another key: verifies with the new key only.
"$KPROOF" report "$WORK/r" --sign-key "$WORK/k2.pem" --pubkey "$WORK/k.pem.pub" >/dev/null 2>&1
require "kproof report re-signs with key 2" test $? = 0
sslib_verify "$WORK/r" "$WORK/k2.pem.pub"
check "securesystemslib verifies the re-signed run with the new key" test $? = 0
check "... whose keyid the envelope carries" grep -q "verified: keyid $fp2," "$WORK/py.out"
sslib_verify "$WORK/r" "$WORK/k.pem.pub"
check "... and not with the old key" test $? != 0
finish
