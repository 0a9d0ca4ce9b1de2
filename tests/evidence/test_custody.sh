#!/usr/bin/env bash
# tests/evidence/test_custody.sh - the chain of custody through `kproof report`: it re-renders and
# re-signs only a run directory whose envelope verifies (with the key it names, and with --pubkey
# when given) and whose files all match the statement; anything else exits 1 and writes nothing
# unless --out renders elsewhere, unsigned. A re-signing with another key is recorded: evidence.json,
# the new statement and the report name the new key, and the statement carries the previous
# envelope's sha256 and key.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
isolate "$@"
for t in jq openssl base64 python3; do command -v $t >/dev/null || { echo "missing tool: $t" >&2; exit 1; }; done
new_work

fp1=$("$KPROOF" keygen --out "$WORK/k1.pem" 2>/dev/null)
fp2=$("$KPROOF" keygen --out "$WORK/k2.pem" 2>/dev/null)
fp3=$("$KPROOF" keygen --out "$WORK/k3.pem" 2>/dev/null)
run_short "$WORK/r" --sign-key "$WORK/k1.pem"
require "a run signed with key 1 exits 0" test $? = 0

# attacker_sign DIR KEY: rewrites DIR's test-result attestation (new subject digests) and statement
# over its current files (the way kproof lays it out, predicate kept but signer replaced) and signs
# both with KEY using openssl only.
attacker_sign() {
  local dir=$1 key=$2
  python3 - "$dir" "$key" <<'PY'
import base64, hashlib, json, os, subprocess, sys
d, key = sys.argv[1], sys.argv[2]
old = json.load(open(os.path.join(d, "statement.json")))
pub = open(key + ".pub").read()
der = subprocess.run(["openssl", "pkey", "-pubin", "-in", key + ".pub", "-outform", "DER"],
                     capture_output=True, check=True).stdout
kid = hashlib.sha256(der).hexdigest()
def envelope(body, name):
    t = b"application/vnd.in-toto+json"
    open(os.path.join(d, ".pae"), "wb").write(b"DSSEv1 %d %s %d " % (len(t), t, len(body)) + body)
    sig = subprocess.run(["openssl", "pkeyutl", "-sign", "-inkey", key, "-rawin", "-in", os.path.join(d, ".pae")],
                         capture_output=True, check=True).stdout
    os.remove(os.path.join(d, ".pae"))
    env = {"payloadType": t.decode(), "payload": base64.b64encode(body).decode(),
           "signatures": [{"keyid": kid, "sig": base64.b64encode(sig).decode()}]}
    open(os.path.join(d, name), "w").write(json.dumps(env, indent=2) + "\n")
tr = json.loads(base64.b64decode(json.load(open(os.path.join(d, "test-result.dsse.json")))["payload"]))
for s in tr["subject"]:
    s["digest"]["sha256"] = hashlib.sha256(open(os.path.join(d, s["name"]), "rb").read()).hexdigest()
envelope((json.dumps(tr, indent=2) + "\n").encode(), "test-result.dsse.json")
subj = []
for root, _, files in os.walk(d):
    for f in files:
        rel = os.path.relpath(os.path.join(root, f), d)
        if rel in ("statement.json", "evidence.dsse.json"):
            continue
        subj.append({"name": rel, "digest": {"sha256": hashlib.sha256(open(os.path.join(d, rel), "rb").read()).hexdigest()}})
subj.sort(key=lambda s: s["name"])
pred = old["predicate"]
pred["signer"]["keyid"] = kid
pred["signer"]["public_key"] = pub
st = {"_type": old["_type"], "subject": subj, "predicateType": old["predicateType"], "predicate": pred}
body = (json.dumps(st, indent=2) + "\n").encode()
open(os.path.join(d, "statement.json"), "wb").write(body)
envelope(body, "evidence.dsse.json")
PY
}

# --- an unsigned, edited directory is refused ---
cp -a "$WORK/r" "$WORK/u"
rm "$WORK/u/statement.json" "$WORK/u/evidence.dsse.json"
python3 -c 'import json,sys; p=sys.argv[1]; d=json.load(open(p)); d["checks"][0]["verdict"]="pass"; d["checks"][0]["reason"]="edited"; json.dump(d,open(p,"w"),indent=2)' "$WORK/u/evidence.json"
"$KPROOF" report "$WORK/u" --sign-key "$WORK/k1.pem" >/dev/null 2>"$WORK/u.err"
check "report refuses a directory whose statement and envelope were deleted (exit 1)" test $? = 1
check "... and signs nothing" test ! -e "$WORK/u/evidence.dsse.json" -a ! -e "$WORK/u/statement.json"
check "... saying why" grep -q 'unsigned or no longer matches' "$WORK/u.err"
"$KPROOF" report "$WORK/u" --out "$WORK/u-out" >/dev/null 2>&1
check "with --out it renders elsewhere (exit 0)" test $? = 0
check "... unsigned" test -s "$WORK/u-out/report.html" -a ! -e "$WORK/u-out/evidence.dsse.json"

# --- a statement rewritten and signed by another key is refused ---
cp -a "$WORK/r" "$WORK/a"
python3 -c 'import json,sys; p=sys.argv[1]; d=json.load(open(p)); d["checks"][0]["reason"]="edited by someone"; json.dump(d,open(p,"w"),indent=2)' "$WORK/a/evidence.json"
attacker_sign "$WORK/a" "$WORK/k3.pem"
"$KPROOF" verify "$WORK/a" --pubkey "$WORK/k3.pem.pub" >/dev/null 2>&1
require "the forged directory verifies with the forger's key (the forgery is well-formed)" test $? = 0
"$KPROOF" report "$WORK/a" --sign-key "$WORK/k1.pem" >/dev/null 2>"$WORK/a.err"
check "report refuses a statement re-signed by a key evidence.json does not name (exit 1)" test $? = 1
check "... naming both keys" grep -q "signed by key $fp3 but evidence.json names signing key $fp1" "$WORK/a.err"
check "... and did not sign it" test "$(jq -r '.signatures[0].keyid' "$WORK/a/evidence.dsse.json")" = "$fp3"
# The forger also edits evidence.json to name its key: only --pubkey can tell.
python3 -c 'import json,sys; p=sys.argv[1]; d=json.load(open(p)); d["run"]["facts"]["signing_key"]=sys.argv[2]; json.dump(d,open(p,"w"),indent=2)' "$WORK/a/evidence.json" "$fp3"
attacker_sign "$WORK/a" "$WORK/k3.pem"
"$KPROOF" report "$WORK/a" --sign-key "$WORK/k1.pem" --pubkey "$WORK/k1.pem.pub" >/dev/null 2>"$WORK/a2.err"
check "with --pubkey, report refuses an envelope that key did not sign (exit 1)" test $? = 1
check "... saying bad signature" grep -q 'bad signature' "$WORK/a2.err"
# keyid outside the signature must name the key the statement holds.
cp -a "$WORK/r" "$WORK/kid"
sed -i "s/\"keyid\": \"$fp1\"/\"keyid\": \"$fp2\"/" "$WORK/kid/evidence.dsse.json"
"$KPROOF" report "$WORK/kid" --sign-key "$WORK/k1.pem" >/dev/null 2>"$WORK/kid.err"
check "report refuses an envelope whose keyid is not the named key's fingerprint (exit 1)" test $? = 1

# --- re-signing with another key is recorded ---
env1=$(sha256sum "$WORK/r/evidence.dsse.json" | cut -c1-64)
"$KPROOF" report "$WORK/r" --sign-key "$WORK/k2.pem" --pubkey "$WORK/k1.pem.pub" >/dev/null 2>"$WORK/r.err"
require "report re-signs an intact directory with another key (exit 0)" test $? = 0
check "... saying so on stderr" grep -q "signed with key $fp1; signing it again with key $fp2" "$WORK/r.err"
"$KPROOF" verify "$WORK/r" --pubkey "$WORK/k2.pem.pub" >"$WORK/verify.out"
check "... and it verifies with the new key" test $? = 0
check "kproof verify shows the re-signing and the previous key and envelope" \
  grep -q "^re-signed .* with key $fp2; before: key $fp1, envelope sha256 $env1\$" "$WORK/verify.out"
ev=$WORK/r/evidence.json
st=$WORK/r/statement.json
check "evidence.json names the new key (run.facts.signing_key)" test "$(jq -r .run.facts.signing_key "$ev")" = "$fp2"
check "evidence.json records the custody: previous key" test "$(jq -r '.run.custody[-1].previous_keyid' "$ev")" = "$fp1"
check "... previous envelope's sha256" test "$(jq -r '.run.custody[-1].previous_envelope_sha256' "$ev")" = "$env1"
check "... new key and time" jq -e '.run.custody[-1] | .keyid == "'"$fp2"'" and (.at | test("^20[0-9][0-9]-"))' "$ev"
check "the statement's signer is the new key" test "$(jq -r .predicate.signer.keyid "$st")" = "$fp2"
check "the statement's run names the new signing key" test "$(jq -r .predicate.run.signing_key "$st")" = "$fp2"
check "the statement carries the custody chain" test "$(jq -r '.predicate.run.custody[-1].previous_envelope_sha256' "$st")" = "$env1"
check "report.html names the new key" grep -q "$fp2" "$WORK/r/report.html"
check "report.html shows the re-signing with the previous key" grep -q "previously signed with key $fp1" "$WORK/r/report.html"

env2=$(sha256sum "$WORK/r/evidence.dsse.json" | cut -c1-64)
"$KPROOF" report "$WORK/r" --sign-key "$WORK/k1.pem" --pubkey "$WORK/k2.pem.pub" >/dev/null 2>&1
check "a second re-signing (back to key 1) exits 0" test $? = 0
check "... and the chain has two links, the second naming envelope 2" \
  jq -e '(.run.custody | length) == 2 and .run.custody[1].previous_envelope_sha256 == "'"$env2"'" and .run.custody[1].previous_keyid == "'"$fp2"'"' "$WORK/r/evidence.json"
"$KPROOF" report "$WORK/r" --sign-key "$WORK/k1.pem" --pubkey "$WORK/k2.pem.pub" >/dev/null 2>&1
check "--pubkey with a key that did not sign the current envelope is refused (exit 1)" test $? = 1
finish
