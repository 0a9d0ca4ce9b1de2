#!/usr/bin/env bash
# tests/evidence/test_attestation.sh - the in-toto test-result attestation of every run
# (test-result.dsse.json, predicateType https://in-toto.io/attestation/test-result/v0.1) next to
# the evidence statement (predicateType urn:kproof:evidence-bundle:v1).
#
# An independent verifier (Python securesystemslib + cryptography from the test-only virtualenv of
# tests/tools/pyvenv.sh, no kproof code) verifies both envelopes of three real runs and holds the
# test-result predicate to evidence.json and junit.xml: WARNED (passes and a skip), PASSED (passes
# only) and FAILED (a missed gate). `kproof verify` fails, naming the file, for a changed junit.xml,
# a deleted or swapped attestation, and attestations re-signed with the right key but wrong: another
# result, another signer, a subject left out. A run signed before the attestation existed (legacy
# predicateType) still verifies; `kproof report` re-signs both envelopes with its key.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
isolate "$@"
for t in jq openssl; do command -v $t >/dev/null || { echo "missing tool: $t" >&2; exit 1; }; done
"$REPO_ROOT/tests/tools/pyvenv.sh" install >&2 || { echo "cannot create the test virtualenv (tests/tools/pyvenv.sh install)" >&2; exit 1; }
py=$("$REPO_ROOT/tests/tools/pyvenv.sh" python) || { echo "no test virtualenv" >&2; exit 1; }
new_work
TR=test-result.dsse.json

# The independent verifier: both envelopes by securesystemslib's DSSE code with the keyid
# recomputed from the trusted key, every subject digest, the predicateType strings, and the
# test-result predicate recomputed from evidence.json (documented mapping) and junit.xml.
cat >"$WORK/indep.py" <<'PY'
import hashlib, json, os, sys
import xml.etree.ElementTree as ET
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_pem_public_key
from securesystemslib.dsse import Envelope
from securesystemslib.signer import SSlibKey

run, pub_path, want_result = sys.argv[1], sys.argv[2], sys.argv[3]
pub = load_pem_public_key(open(pub_path, "rb").read())
keyid = hashlib.sha256(pub.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)).hexdigest()
key = SSlibKey.from_crypto(pub, keyid=keyid)

def sha(rel):
    return hashlib.sha256(open(os.path.join(run, rel), "rb").read()).hexdigest()

def open_envelope(name):
    env = Envelope.from_dict(json.load(open(os.path.join(run, name))))
    env.verify([key], 1)  # raises VerificationError
    assert env.payload_type == "application/vnd.in-toto+json", (name, env.payload_type)
    st = json.loads(env.payload)
    assert st["_type"] == "https://in-toto.io/Statement/v1", (name, st["_type"])
    for s in st["subject"]:
        assert sha(s["name"]) == s["digest"]["sha256"], f"{s['name']}: sha256 differs from {name}"
    return env, st

env, main = open_envelope("evidence.dsse.json")
assert env.payload == open(os.path.join(run, "statement.json"), "rb").read(), "statement.json"
assert main["predicateType"] == "urn:kproof:evidence-bundle:v1", main["predicateType"]
_, tr = open_envelope("test-result.dsse.json")
assert tr["predicateType"] == "https://in-toto.io/attestation/test-result/v0.1", tr["predicateType"]
assert sorted(s["name"] for s in tr["subject"]) == ["evidence.json", "junit.xml"], tr["subject"]
assert "test-result.dsse.json" in [s["name"] for s in main["subject"]], "attestation not in statement"

p = tr["predicate"]
assert set(p) <= {"result", "configuration", "url", "passedTests", "warnedTests", "failedTests"}, p
ev = json.load(open(os.path.join(run, "evidence.json")))
ids = [c["id"] for c in ev["checks"]]
verdict = {c["id"]: c["verdict"] for c in ev["checks"]}
assert p["passedTests"] == [i for i in ids if verdict[i] == "pass"], p["passedTests"]
assert p["warnedTests"] == [i for i in ids if verdict[i] == "skip"], p["warnedTests"]
assert p["failedTests"] == [i for i in ids if verdict[i] in ("fail", "error")], p["failedTests"]
sm = ev["summary"]
expect = "FAILED" if sm["exit_code"] != 0 else (
    "WARNED" if sm["skip"] or sm["gates_not_evaluated"] else "PASSED")
assert p["result"] == expect == want_result, (p["result"], expect, want_result)
# junit.xml says the same: failure/error -> failedTests, skipped -> warnedTests.
cases = ET.parse(os.path.join(run, "junit.xml")).getroot().iter("testcase")
junit = {"failedTests": [], "warnedTests": [], "passedTests": []}
for c in cases:
    tags = {ch.tag for ch in c}
    lst = "failedTests" if tags & {"failure", "error"} else "warnedTests" if "skipped" in tags else "passedTests"
    junit[lst].append(c.get("name"))
for lst in junit:
    assert sorted(junit[lst]) == sorted(p[lst]), (lst, junit[lst], p[lst])
# configuration: the scenario and target files as ResourceDescriptors, digests of the files.
rds = p["configuration"]
assert [rd["annotations"]["role"] for rd in rds] == ["scenario", "target"], rds
for rd in rds:
    assert set(rd) <= {"name", "uri", "digest", "content", "downloadLocation", "mediaType", "annotations"}, rd
    f = ev["run"][rd["annotations"]["role"]]
    assert rd["name"] == f["path"], rd
    assert rd["digest"] == {"sha256": hashlib.sha256(open(f["path"], "rb").read()).hexdigest()}, rd
print(f"verified: keyid {keyid}, result {p['result']}, {len(main['subject'])} + {len(tr['subject'])} subjects")
PY

# resign.py DIR [--tr KEY] [--result R] [--only-evidence] [--drop-tr] --main KEY --ptype TYPE:
# what someone holding the signing key could do: rewrite and re-sign the test-result attestation
# and/or the evidence statement over the directory's current files.
cat >"$WORK/resign.py" <<'PY'
import base64, hashlib, json, os, sys
from cryptography.hazmat.primitives.serialization import (Encoding, PublicFormat,
                                                          load_pem_private_key)
d, args = sys.argv[1], sys.argv[2:]
opt = {args[i]: (args[i + 1] if i + 1 < len(args) and not args[i + 1].startswith("--") else "")
       for i in range(len(args)) if args[i].startswith("--")}
T = b"application/vnd.in-toto+json"

def sign(keyfile, st, out):
    k = load_pem_private_key(open(keyfile, "rb").read(), None)
    der = k.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    body = (json.dumps(st, indent=2) + "\n").encode()
    sig = k.sign(b"DSSEv1 %d %s %d " % (len(T), T, len(body)) + body)
    env = {"payloadType": T.decode(), "payload": base64.b64encode(body).decode(),
           "signatures": [{"keyid": hashlib.sha256(der).hexdigest(), "sig": base64.b64encode(sig).decode()}]}
    open(os.path.join(d, out), "w").write(json.dumps(env, indent=2) + "\n")
    return body, k, der

def subj(names):
    return [{"name": n, "digest": {"sha256": hashlib.sha256(open(os.path.join(d, n), "rb").read()).hexdigest()}}
            for n in names]

tr_path = os.path.join(d, "test-result.dsse.json")
if "--drop-tr" in opt:
    os.remove(tr_path)
if "--tr" in opt:
    st = json.loads(base64.b64decode(json.load(open(tr_path))["payload"]))
    if "--result" in opt:
        st["predicate"]["result"] = opt["--result"]
    st["subject"] = subj(["evidence.json"] if "--only-evidence" in opt else ["evidence.json", "junit.xml"])
    sign(opt["--tr"], st, "test-result.dsse.json")
if "--main" in opt:
    old = json.load(open(os.path.join(d, "statement.json")))
    names = sorted(os.path.relpath(os.path.join(r, f), d) for r, _, fs in os.walk(d) for f in fs)
    names = [n for n in names if n not in ("statement.json", "evidence.dsse.json")]
    k = load_pem_private_key(open(opt["--main"], "rb").read(), None)
    pred = old["predicate"]
    pred["signer"]["public_key"] = k.public_key().public_bytes(
        Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()
    st = {"_type": old["_type"], "subject": subj(names), "predicateType": opt["--ptype"], "predicate": pred}
    body, _, _ = sign(opt["--main"], st, "evidence.dsse.json")
    open(os.path.join(d, "statement.json"), "wb").write(body)
PY

"$KPROOF" keygen --out "$WORK/k.pem" >/dev/null 2>&1
"$KPROOF" keygen --out "$WORK/k2.pem" >/dev/null 2>&1
jq '.suites[0].checks |= map(select(. != "semantics.transactions"))' "$WORK/short.json" >"$WORK/pass.json"
jq '.suites[0].gates = {"max_p99_ack_ms": 0.0001} | .suites[0].checks += ["semantics.acks-all"]' \
  "$WORK/short.json" >"$WORK/fail.json"
run_scn() { # run_scn SCENARIO OUT_DIR: the scenario on the embedded target, signed with k.pem
  "$KPROOF" run "$1" --target "$REPO_ROOT/targets/embedded.json" --out "$2" -q \
    --sign-key "$WORK/k.pem" >"$2.log" 2>&1
}
indep() { "$py" "$WORK/indep.py" "$@" >"$WORK/py.out" 2>&1; }
kverify() { # kverify DIR [PUB]: kproof verify's stdout in $out, its exit code in $rc
  out=$("$KPROOF" verify "$1" --pubkey "${2:-$WORK/k.pem.pub}" 2>&1)
  rc=$?
}

run_scn "$WORK/short.json" "$WORK/w"
require "a run with passes and a skip exits 0" test $? = 0
run_scn "$WORK/pass.json" "$WORK/p"
require "a run with passes only exits 0" test $? = 0
run_scn "$WORK/fail.json" "$WORK/f"
require "a run with a missed gate exits 1" test $? = 1

for c in "w WARNED" "p PASSED" "f FAILED"; do
  set -- $c
  indep "$WORK/$1" "$WORK/k.pem.pub" "$2"
  check "independent verifier: both statements of the $2 run verify, predicate matches evidence.json and junit.xml" test $? = 0
  check "... (its output: $(tail -1 "$WORK/py.out" | cut -c1-150))" grep -q "result $2," "$WORK/py.out"
  kverify "$WORK/$1"
  check "kproof verify: the $2 run verifies and prints its test result" \
    bash -c '[[ $1 == 0 ]] && grep -q "^test result: $2 " <<<"$3"' _ "$rc" "$2" "$out"
done
check "FAILED lists the failed check" test "$(jq -r .payload "$WORK/f/$TR" | base64 -d | jq -c .predicate.failedTests)" = '["semantics.acks-all"]'
check "WARNED lists the skipped check" test "$(jq -r .payload "$WORK/w/$TR" | base64 -d | jq -c .predicate.warnedTests)" = '["semantics.transactions"]'
check "the test-result envelope is laid out like the other (one field per line, for sed)" \
  test "$(sed -n 's/^  "payload": "\(.*\)",$/\1/p' "$WORK/w/$TR" | base64 -d | jq -r .predicate.result)" = WARNED

indep "$WORK/w" "$WORK/k2.pem.pub" WARNED
check "independent verifier: a wrong key fails" bash -c "! grep -q '^verified' '$WORK/py.out' && grep -q VerificationError '$WORK/py.out'"

# --- tampering ---
cp -a "$WORK/w" "$WORK/t1"
sed -i 's/<testsuites /<testsuites edited="1" /' "$WORK/t1/junit.xml"
kverify "$WORK/t1"
check "junit.xml changed: kproof verify exits 1" test "$rc" = 1
check "... naming junit.xml against the test-result attestation" \
  grep -q "^problem: junit.xml: modified: .*the test-result attestation ($TR)" <<<"$out"
indep "$WORK/t1" "$WORK/k.pem.pub" WARNED
check "... and the independent verifier fails naming it" grep -q 'junit.xml: sha256 differs' "$WORK/py.out"

cp -a "$WORK/w" "$WORK/t2"
rm "$WORK/t2/$TR"
kverify "$WORK/t2"
check "test-result attestation deleted: kproof verify exits 1" test "$rc" = 1
check "... naming it as removed" grep -q "^problem: $TR: removed: the run directory has no test-result attestation" <<<"$out"

cp -a "$WORK/w" "$WORK/t3"
cp "$WORK/p/$TR" "$WORK/t3/$TR"
kverify "$WORK/t3"
check "the attestation of another run (same key) swapped in: kproof verify exits 1" test "$rc" = 1
check "... naming it and the subjects it does not match" bash -c 'grep -q "^problem: test-result.dsse.json: modified" <<<"$1" &&
  grep -q "^problem: evidence.json: modified: .*test-result attestation" <<<"$1"' _ "$out"

# Re-signed with the signing key itself, statement and all: only the attestation's own checks
# can tell.
cp -a "$WORK/w" "$WORK/t4"
"$py" "$WORK/resign.py" "$WORK/t4" --tr "$WORK/k.pem" --result PASSED --main "$WORK/k.pem" --ptype urn:kproof:evidence-bundle:v1
kverify "$WORK/t4"
check "an attestation claiming PASSED for a WARNED run: kproof verify exits 1" test "$rc" = 1
check "... saying its predicate does not match evidence.json" \
  grep -q "^problem: $TR: its predicate does not match evidence.json (result PASSED; evidence.json gives WARNED)" <<<"$out"
indep "$WORK/t4" "$WORK/k.pem.pub" WARNED
check "... and the independent verifier rejects it too" grep -q "AssertionError: ('PASSED', 'WARNED'" "$WORK/py.out"

cp -a "$WORK/w" "$WORK/t5"
"$py" "$WORK/resign.py" "$WORK/t5" --tr "$WORK/k2.pem" --main "$WORK/k.pem" --ptype urn:kproof:evidence-bundle:v1
kverify "$WORK/t5"
check "an attestation signed by another key: kproof verify exits 1" test "$rc" = 1
check "... bad signature, naming it" grep -q "^problem: $TR: bad signature: not signed by the key that signed evidence.dsse.json" <<<"$out"

cp -a "$WORK/w" "$WORK/t6"
"$py" "$WORK/resign.py" "$WORK/t6" --tr "$WORK/k.pem" --only-evidence --main "$WORK/k.pem" --ptype urn:kproof:evidence-bundle:v1
kverify "$WORK/t6"
check "an attestation whose subject leaves out junit.xml: kproof verify exits 1" \
  bash -c '[[ $1 == 1 ]] && grep -q "^problem: test-result.dsse.json: junit.xml is not a subject" <<<"$2"' _ "$rc" "$out"

# --- a run signed before the attestation existed ---
cp -a "$WORK/w" "$WORK/old"
"$py" "$WORK/resign.py" "$WORK/old" --drop-tr --main "$WORK/k.pem" --ptype https://kproof.dev/evidence-bundle/v1
kverify "$WORK/old"
check "a legacy-signed run without attestation (predicateType https://kproof.dev/...) still verifies" test "$rc" = 0
cp -a "$WORK/w" "$WORK/nolegacy"
"$py" "$WORK/resign.py" "$WORK/nolegacy" --drop-tr --main "$WORK/k.pem" --ptype urn:kproof:evidence-bundle:v1
kverify "$WORK/nolegacy"
check "... but a current statement without attestation does not, naming it" \
  bash -c '[[ $1 == 1 ]] && grep -q "^problem: test-result.dsse.json: removed" <<<"$2"' _ "$rc" "$out"
"$KPROOF" report "$WORK/old" --sign-key "$WORK/k.pem" --pubkey "$WORK/k.pem.pub" >/dev/null 2>&1
check "kproof report re-signs the legacy run" test $? = 0
indep "$WORK/old" "$WORK/k.pem.pub" WARNED
check "... which now carries both statements (independent verifier)" test $? = 0

# --- kproof report re-signs both with its key ---
"$KPROOF" report "$WORK/w" --sign-key "$WORK/k2.pem" --pubkey "$WORK/k.pem.pub" >/dev/null 2>&1
require "kproof report re-signs the run with key 2" test $? = 0
indep "$WORK/w" "$WORK/k2.pem.pub" WARNED
check "independent verifier: both statements verify with key 2 after re-signing" test $? = 0
indep "$WORK/w" "$WORK/k.pem.pub" WARNED
check "... and not with key 1" test $? != 0
check "both envelopes carry key 2's keyid" \
  test "$(jq -r '.signatures[0].keyid' "$WORK/w/$TR")" = "$(jq -r '.signatures[0].keyid' "$WORK/w/evidence.dsse.json")"
kverify "$WORK/w" "$WORK/k2.pem.pub"
check "kproof verify passes with key 2" test "$rc" = 0
finish
