#!/usr/bin/env bash
# tests/evidence/test_verify_openssl.sh - runs exactly the shell lines of docs/verify.md
# ("Verify without kproof") against a fresh run: they succeed with stock OpenSSL 3 and coreutils,
# checking both envelopes (evidence and test-result), and they fail for a changed file, an added
# file, a wrong public key and a missing test-result attestation.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
isolate "$@"
command -v openssl >/dev/null || { echo "missing tool: openssl" >&2; exit 1; }
new_work
export TMPDIR=$WORK # the documented lines use mktemp

# The block under the "Verify without kproof" heading, fenced with ```bash, byte for byte.
awk '/^## Verify without kproof/ { s = 1 } s && /^```bash$/ { p = 1; next } p && /^```$/ { exit } p' \
  "$REPO_ROOT/docs/verify.md" >"$WORK/lines.sh"
require "docs/verify.md has the verification block" test -s "$WORK/lines.sh"
check "the block uses openssl pkeyutl -verify -rawin" grep -q 'openssl pkeyutl -verify .*-rawin' "$WORK/lines.sh"
check "the block builds the DSSE PAE with printf" grep -q "printf 'DSSEv1 " "$WORK/lines.sh"
check "the block is a handful of lines ($(wc -l <"$WORK/lines.sh"))" test "$(wc -l <"$WORK/lines.sh")" -le 12

"$KPROOF" keygen --out "$WORK/k.pem" >/dev/null 2>&1
"$KPROOF" keygen --out "$WORK/other.pem" >/dev/null 2>&1
run_short "$WORK/r" --sign-key "$WORK/k.pem"
require "a fresh run exits 0" test $? = 0

doc_verify() { RUN=$1 PUB=$2 bash -euo pipefail "$WORK/lines.sh" >"$WORK/doc.out" 2>&1; }

doc_verify "$WORK/r" "$WORK/k.pem.pub"
check "the documented lines verify the fresh run" test $? = 0
check "... openssl says Signature Verified Successfully for both envelopes" \
  test "$(grep -c 'Signature Verified Successfully' "$WORK/doc.out")" = 2
n_sub=$(jq '.subject | length' "$WORK/r/statement.json")
check "... sha256sum checked all $n_sub subjects and the 2 of the test-result attestation" \
  test "$(grep -c ': OK$' "$WORK/doc.out")" = "$((n_sub + 2))"
check "... and no file was added or removed" grep -q 'no file added or removed' "$WORK/doc.out"
check "... and left nothing in the run directory" test "$(run_files "$WORK/r" | wc -l)" = "$((n_sub + 2))"
"$KPROOF" verify "$WORK/r" --pubkey "$WORK/k.pem.pub" >/dev/null
check "kproof verify agrees" test $? = 0

doc_verify "$WORK/r" "$WORK/other.pem.pub"
check "the documented lines fail with a wrong public key" test $? != 0
check "... at the signature" grep -q 'Signature Verification Failure' "$WORK/doc.out"

cp -a "$WORK/r" "$WORK/t1"
flip_byte "$WORK/t1/evidence.json" 100
doc_verify "$WORK/t1" "$WORK/k.pem.pub"
check "the documented lines fail for a changed evidence.json" test $? != 0
check "... naming it" grep -q 'evidence.json: FAILED' "$WORK/doc.out"

cp -a "$WORK/r" "$WORK/t2"
echo extra >"$WORK/t2/raw/added.txt"
doc_verify "$WORK/t2" "$WORK/k.pem.pub"
check "the documented lines fail for an added file" test $? != 0
check "... naming it" grep -q 'raw/added.txt' "$WORK/doc.out"

cp -a "$WORK/r" "$WORK/t3"
rm "$WORK/t3/junit.xml"
doc_verify "$WORK/t3" "$WORK/k.pem.pub"
check "the documented lines fail for a removed file" test $? != 0

cp -a "$WORK/r" "$WORK/t4"
rm "$WORK/t4/test-result.dsse.json"
doc_verify "$WORK/t4" "$WORK/k.pem.pub"
check "the documented lines fail without the test-result attestation" test $? != 0
finish
