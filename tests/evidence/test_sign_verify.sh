#!/usr/bin/env bash
# tests/evidence/test_sign_verify.sh - signing keys, the in-toto statement and DSSE envelope of
# every run directory, and `kproof verify`: a fresh run verifies; a wrong key, every single-byte
# change and every deletion of any file (the envelope and statement included) and any added file
# make it fail and name the file; `kproof report` signs again only an unmodified directory.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
isolate "$@"
for t in jq openssl base64; do command -v $t >/dev/null || { echo "missing tool: $t" >&2; exit 1; }; done
new_work

# --- keys ---
fp1=$("$KPROOF" keygen --out "$WORK/k1.pem" 2>"$WORK/keygen.err")
check "keygen writes the private key with mode 0600" test "$(stat -c %a "$WORK/k1.pem")" = 600
check "keygen writes FILE.pub" grep -q 'BEGIN PUBLIC KEY' "$WORK/k1.pem.pub"
check "the private key is PKCS#8 Ed25519" bash -c "openssl pkey -in '$WORK/k1.pem' -noout -text | grep -q ED25519"
ossl_fp=$(openssl pkey -pubin -in "$WORK/k1.pem.pub" -outform DER | sha256sum | cut -c1-64)
check "the printed fingerprint is the sha256 of the DER public key ($fp1)" test "$fp1" = "$ossl_fp"
"$KPROOF" keygen --out "$WORK/k1.pem" >/dev/null 2>"$WORK/keygen2.err"
check "keygen refuses to overwrite an existing key (exit 2)" test $? = 2
check "... and says why" grep -q 'already exists' "$WORK/keygen2.err"
"$KPROOF" keygen --out "$WORK/k2.pem" >/dev/null 2>&1

# --- the default key, created on first use ---
run_short "$WORK/r"
require "a run with the default key exits 0" test $? = 0
dkey=$XDG_CONFIG_HOME/kproof/signing-key.pem
check "the default key is created in the user's config dir, mode 0600" test "$(stat -c %a "$dkey" 2>/dev/null)" = 600
dfp=$(openssl pkey -pubin -in "$dkey.pub" -outform DER | sha256sum | cut -c1-64)
check "the run says it created the key and prints its fingerprint" \
  grep -q "created $dkey.*fingerprint is $dfp" <(tr '\n' ' ' <"$WORK/r.log")
check "evidence.json records the signing key's fingerprint" \
  test "$(jq -r .run.facts.signing_key "$WORK/r/evidence.json")" = "$dfp"

# --- statement and envelope ---
env=$WORK/r/evidence.dsse.json
check "envelope payloadType is application/vnd.in-toto+json" \
  test "$(jq -r .payloadType "$env")" = application/vnd.in-toto+json
check "envelope keyid is the key's fingerprint" test "$(jq -r '.signatures[0].keyid' "$env")" = "$dfp"
check "statement.json is exactly the signed payload" cmp -s <(jq -r .payload "$env" | base64 -d) "$WORK/r/statement.json"
stmt=$WORK/r/statement.json
check "statement _type is in-toto Statement v1" test "$(jq -r ._type "$stmt")" = https://in-toto.io/Statement/v1
check "predicateType is kproof's own urn (no domain kproof does not own)" test "$(jq -r .predicateType "$stmt")" = urn:kproof:evidence-bundle:v1
check "subjects are every other file of the run directory" \
  diff <(jq -r '.subject[].name' "$stmt" | LC_ALL=C sort) \
       <(run_files "$WORK/r" | grep -vx -e statement.json -e evidence.dsse.json)
check "subjects include report.pdf (rendered before signing)" \
  test "$(jq -r '.subject[] | select(.name == "report.pdf") | .digest.sha256' "$stmt")" = \
       "$(sha256sum "$WORK/r/report.pdf" | cut -c1-64)"
check "predicate holds every check with id, row and verdict as in evidence.json" \
  diff <(jq -c '[.predicate.checks[] | [.id, .row, .verdict]]' "$stmt") \
       <(jq -c '[.checks[] | [.id, .row, .verdict]]' "$WORK/r/evidence.json")
check "predicate holds the checklist rows" \
  diff <(jq -c '[.predicate.rows[] | [.id, .verdict]]' "$stmt") <(jq -c '[.rows[] | [.id, .verdict]]' "$WORK/r/evidence.json")
check "predicate holds run metadata (scenario digest, kproof version)" \
  test "$(jq -r '.predicate.run.scenario.sha256 + " " + .predicate.run.kproof_version' "$stmt")" = \
       "$(jq -r '.run.scenario.sha256 + " " + .run.kproof_version' "$WORK/r/evidence.json")"
check "predicate records the signer's public key" \
  test "$(jq -r .predicate.signer.public_key "$stmt")" = "$(cat "$dkey.pub")"
newest=$(cd "$WORK/r" && find . -type f -printf '%T@ %P\n' | sort -n | tail -2 | cut -d' ' -f2 | sort | tr '\n' ' ')
check "statement.json and evidence.dsse.json are written last ($newest)" test "$newest" = "evidence.dsse.json statement.json "

# --- verify ---
out=$("$KPROOF" verify "$WORK/r" --pubkey "$dkey.pub")
check "verify passes on a fresh run (exit 0)" test $? = 0
check "verify names the key and the number of files" grep -q "verified: .*files signed by key $dfp" <<<"$out"
out=$("$KPROOF" verify "$WORK/r" --pubkey "$WORK/k2.pem.pub")
check "verify fails with a wrong public key (exit 1)" test $? = 1
check "... naming the envelope's bad signature" grep -q '^problem: evidence.dsse.json: bad signature' <<<"$out"

# Every file, the envelope and statement included: one changed byte, then deletion.
n_files=0
while IFS= read -r f; do
  n_files=$((n_files + 1))
  size=$(stat -c %s "$WORK/r/$f")
  rm -rf "$WORK/t" && cp -a "$WORK/r" "$WORK/t"
  flip_byte "$WORK/t/$f" $((size / 2))
  out=$("$KPROOF" verify "$WORK/t" --pubkey "$dkey.pub")
  rc=$?
  check "one byte changed in $f: verify exits 1 and names it" \
    bash -c '[[ $1 == 1 ]] && grep -q "^problem: $2: " <<<"$3"' _ "$rc" "$f" "$out"
  rm -rf "$WORK/t" && cp -a "$WORK/r" "$WORK/t"
  rm -f "$WORK/t/$f"
  out=$("$KPROOF" verify "$WORK/t" --pubkey "$dkey.pub")
  rc=$?
  check "$f deleted: verify exits 1 and names it as removed" \
    bash -c '[[ $1 == 1 ]] && grep -q "^problem: $2: removed" <<<"$3"' _ "$rc" "$f" "$out"
done < <(run_files "$WORK/r")
check "the tampering loop covered every file ($n_files)" test "$n_files" -ge 8

# More places in the envelope: its first byte, the keyid, the signature, the last payload char.
for what in first keyid sig payload-end; do
  rm -rf "$WORK/t" && cp -a "$WORK/r" "$WORK/t"
  case $what in
  first) off=0 ;;
  keyid) off=$(($(grep -bo '"keyid": "' "$WORK/t/evidence.dsse.json" | cut -d: -f1) + 12)) ;;
  sig) off=$(($(grep -bo '"sig": "' "$WORK/t/evidence.dsse.json" | cut -d: -f1) + 20)) ;;
  payload-end) off=$(($(grep -bo '",$' "$WORK/t/evidence.dsse.json" | head -1 | cut -d: -f1) - 3)) ;;
  esac
  flip_byte "$WORK/t/evidence.dsse.json" "$off"
  out=$("$KPROOF" verify "$WORK/t" --pubkey "$dkey.pub")
  rc=$?
  check "envelope byte changed at the $what: verify exits 1 naming evidence.dsse.json" \
    bash -c '[[ $1 == 1 ]] && grep -q "^problem: evidence.dsse.json: " <<<"$2"' _ "$rc" "$out"
done

rm -rf "$WORK/t" && cp -a "$WORK/r" "$WORK/t"
echo extra >"$WORK/t/extra.txt"
echo extra >"$WORK/t/raw/extra.log"
out=$("$KPROOF" verify "$WORK/t" --pubkey "$dkey.pub")
check "added files: verify exits 1" test $? = 1
check "... naming each added file" bash -c 'grep -q "^problem: extra.txt: added" <<<"$1" && grep -q "^problem: raw/extra.log: added" <<<"$1"' _ "$out"

"$KPROOF" verify "$WORK/r" >/dev/null 2>&1
check "verify without --pubkey is a usage error (exit 2)" test $? = 2
"$KPROOF" verify "$WORK/r" --pubkey "$WORK/nope.pub" >/dev/null 2>&1
check "verify with an unreadable public key exits 2" test $? = 2

# --- explicit keys: --sign-key and KPROOF_SIGN_KEY ---
run_short "$WORK/r1" --sign-key "$WORK/k1.pem"
check "--sign-key: the run is signed by that key" test "$(jq -r '.signatures[0].keyid' "$WORK/r1/evidence.dsse.json")" = "$fp1"
check "--sign-key: no default key message" bash -c "! grep -q created '$WORK/r1.log'"
"$KPROOF" verify "$WORK/r1" --pubkey "$WORK/k1.pem.pub" >/dev/null
check "--sign-key: verifies with FILE.pub" test $? = 0
KPROOF_SIGN_KEY=$WORK/k2.pem run_short "$WORK/r2"
"$KPROOF" verify "$WORK/r2" --pubkey "$WORK/k2.pem.pub" >/dev/null
check "KPROOF_SIGN_KEY: the run verifies with that key's .pub" test $? = 0
run_short "$WORK/r3" --sign-key "$WORK/k1.pem.pub"
check "a public key given as --sign-key is invalid input (exit 2)" test $? = 2

# --- kproof report re-renders and signs again, but never blesses a modified directory ---
"$KPROOF" report "$WORK/r1" --sign-key "$WORK/k1.pem" >/dev/null 2>&1
check "kproof report RUN_DIR exits 0" test $? = 0
"$KPROOF" verify "$WORK/r1" --pubkey "$WORK/k1.pem.pub" >/dev/null
check "... and the run directory verifies again afterwards" test $? = 0
echo '<!-- edited -->' >>"$WORK/r1/report.html"
"$KPROOF" report "$WORK/r1" --sign-key "$WORK/k1.pem" >/dev/null 2>"$WORK/report.err"
check "kproof report refuses a modified run directory (exit 1)" test $? = 1
check "... naming the modified file" grep -q 'report.html: modified' "$WORK/report.err"
"$KPROOF" verify "$WORK/r1" --pubkey "$WORK/k1.pem.pub" >/dev/null
check "... and did not sign it again" test $? = 1
finish
