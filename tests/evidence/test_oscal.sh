#!/usr/bin/env bash
# tests/evidence/test_oscal.sh - assessment-results.json (NIST OSCAL 1.1.2): a run on the embedded
# cluster with a scenario that maps rows and checks to catalogue controls; the document validates
# against the official OSCAL JSON schema (tests/evidence/oscal/, Python jsonschema in the test-only
# virtualenv of tests/tools/pyvenv.sh), and a broken copy does not; one observation per check,
# one finding per row (satisfied only when PASS) and per mapped control; every back-matter
# sha256 is the file's; the signed statement covers it; `kproof report` writes the same document
# again; the scenario's "controls" are validated strictly.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
command -v jq >/dev/null || { echo "missing tool: jq (run scripts/setup.sh)" >&2; exit 1; }
if [[ ${KPROOF_TEST_IN_NETNS:-} != 1 ]]; then
  # Before leaving the network: the test-only virtualenv (PyPI, once; then cached).
  "$REPO_ROOT/tests/tools/pyvenv.sh" install >&2 || { echo "cannot create the test virtualenv (tests/tools/pyvenv.sh install)" >&2; exit 1; }
fi
isolate "$@"
PY=$("$REPO_ROOT/tests/tools/pyvenv.sh" python) || { echo "no test virtualenv" >&2; exit 1; }
SCHEMA=$REPO_ROOT/tests/evidence/oscal/oscal-ar-1.1.2-schema.json
validate() { "$PY" "$REPO_ROOT/tests/evidence/oscal/validate.py" "$SCHEMA" "$@"; }
jqe() { jq -e "$@" >/dev/null; }
new_work
jq '.controls = {"kafka-semantics": ["si-7"], "key-authority": ["sc-12", "sc-28"],
                 "semantics.round-trip": ["si-7", "au-10"], "semantics.transactions": ["au-10"]}' \
  "$WORK/short.json" >"$WORK/mapped.json"
"$KPROOF" keygen --out "$WORK/k.pem" >/dev/null 2>&1
"$KPROOF" run "$WORK/mapped.json" --target "$REPO_ROOT/targets/embedded.json" --out "$WORK/r" -q \
  --sign-key "$WORK/k.pem" >"$WORK/r.log" 2>&1
require "run with a control mapping exits 0 ($(tail -1 "$WORK/r.log"))" test $? = 0
OS=$WORK/r/assessment-results.json
EV=$WORK/r/evidence.json
require "assessment-results.json is written" test -s "$OS"
validate "$OS" >"$WORK/val.txt" 2>&1
check "it validates against the official OSCAL 1.1.2 assessment-results schema ($(head -c 300 "$WORK/val.txt"))" \
  grep -q ': valid$' "$WORK/val.txt"
jq '.["assessment-results"].results[0].observations[0].methods = ["TEST", 7]
    | .["assessment-results"].results[0].findings[0].target.status.state = "maybe"' "$OS" >"$WORK/broken.json"
validate "$WORK/broken.json" >"$WORK/val2.txt" 2>&1
check "a broken copy does not validate (the validator really checks)" test $? = 1
check "... naming both errors" bash -c "grep -q 'methods' '$WORK/val2.txt' && grep -q 'state' '$WORK/val2.txt'"

R='.["assessment-results"].results[0]'
check "one result" jqe '.["assessment-results"].results | length == 1' "$OS"
check "oscal-version 1.1.2, kproof version and both digests in the metadata" jqe --slurpfile ev "$EV" \
  '.["assessment-results"].metadata as $m | $m["oscal-version"] == "1.1.2"
   and ([$m.props[] | {(.name): .value}] | add) as $p
   | $p["kproof-version"] == $ev[0].run.kproof_version
   and $p["scenario-sha256"] == $ev[0].run.scenario.sha256 and $p["target-sha256"] == $ev[0].run.target.sha256' "$OS"
check "one observation per check, method TEST, collected when the check started" jqe --slurpfile ev "$EV" \
  "[$R.observations[] | {id: (.props[] | select(.name==\"check-id\") | .value), m: .methods, t: .collected}]
   == [\$ev[0].checks[] | {id, m: [\"TEST\"], t: .started_at}]" "$OS"
check "one finding per checklist row: satisfied exactly when PASS, the verdict as reason" jqe --slurpfile ev "$EV" \
  "[$R.findings[] | select(.target[\"target-id\"] as \$t | any(.props[]; .name==\"checklist-row\" and .value==\$t))
     | {id: .target[\"target-id\"], s: .target.status.state, r: .target.status.reason}]
   == [\$ev[0].rows[] | {id, s: (if .verdict == \"PASS\" then \"satisfied\" else \"not-satisfied\" end),
                          r: (.verdict | ascii_downcase | gsub(\" \"; \"-\"))}]" "$OS"
check "a NOT TESTED row is not-satisfied (reason not-tested)" jqe \
  "$R.findings[] | select(.target[\"target-id\"]==\"key-authority\") | .target.status == {state: \"not-satisfied\", reason: \"not-tested\", remarks: .target.status.remarks}" "$OS"
check "a row's finding links the observations of its checks" jqe --slurpfile ev "$EV" \
  "($R.observations | map({(.uuid): (.props[] | select(.name==\"check-id\") | .value)}) | add) as \$o
   | [$R.findings[] | select(.target[\"target-id\"]==\"kafka-semantics\") | .[\"related-observations\"][][\"observation-uuid\"] | \$o[.]]
   == [\$ev[0].rows[] | select(.id==\"kafka-semantics\") | .checks[]]" "$OS"
check "an observation's remarks list its measurements" jqe --slurpfile ev "$EV" \
  "$R.observations[0].remarks | contains(\"\\(\$ev[0].checks[0].measurements[0].name)\")" "$OS"
check "mapped controls are reviewed controls" jqe \
  "[$R[\"reviewed-controls\"][\"control-selections\"][1][\"include-controls\"][][\"control-id\"]] | sort == [\"au-10\", \"sc-12\", \"sc-28\", \"si-7\"]" "$OS"
check "control si-7 (row kafka-semantics PARTIAL + a passed check) is not-satisfied" jqe \
  "$R.findings[] | select(.target[\"target-id\"]==\"si-7\") | .target.status.state == \"not-satisfied\"" "$OS"
check "control au-10 (a pass and a skip) is not-satisfied; sc-12 (not tested) not-tested" jqe \
  "[$R.findings[] | select(.target[\"target-id\"]==\"sc-12\" or .target[\"target-id\"]==\"au-10\") | .target.status.reason] == [\"not-tested\", \"fail\"]" "$OS"
check "the row finding carries its mapped control ids" jqe \
  "[$R.findings[] | select(.target[\"target-id\"]==\"key-authority\") | .props[] | select(.name==\"control-id\") | .value] == [\"sc-12\", \"sc-28\"]" "$OS"

# Back-matter: every resource's sha256 is its file's, and every evidence link resolves.
bad=$(jq -r '.["assessment-results"]["back-matter"].resources[] | .rlinks[0] | "\(.hashes[0].value) \(.href)"' "$OS" |
  while read -r h f; do [[ $(sha256sum "$WORK/r/$f" | cut -d' ' -f1) == "$h" ]] || echo "$f"; done)
check "every back-matter sha256 matches its file${bad:+; not: $bad}" test -z "$bad"
check "back-matter names evidence.json, events.jsonl, junit.xml and report.html" jqe \
  '[.["assessment-results"]["back-matter"].resources[].rlinks[0].href] | contains(["evidence.json", "events.jsonl", "junit.xml", "report.html"])' "$OS"
missing=$(comm -23 <(run_files "$WORK/r" | grep -vxE 'assessment-results.json|statement.json|evidence.dsse.json|test-result.dsse.json|report.pdf') \
  <(jq -r '.["assessment-results"]["back-matter"].resources[].rlinks[0].href' "$OS" | LC_ALL=C sort))
check "back-matter names every run-directory file written before it${missing:+; missing: $missing}" test -z "$missing"
check "every relevant-evidence link is a back-matter resource" jqe \
  "([.[\"assessment-results\"][\"back-matter\"].resources[].uuid | \"#\" + .]) as \$u | [$R.observations[][\"relevant-evidence\"][].href] | all(. as \$h | \$u | index(\$h))" "$OS"
check "UUIDs are unique" jqe '[.. | objects | .uuid? // empty] | length == (unique | length)' "$OS"
check "the signed statement covers assessment-results.json" jqe \
  '[.subject[].name] | index("assessment-results.json")' "$WORK/r/statement.json"
check "kproof verify holds" bash -c "'$KPROOF' verify '$WORK/r' --pubkey '$WORK/k.pem.pub' >/dev/null 2>&1"

cp "$OS" "$WORK/first.json"
"$KPROOF" report "$WORK/r" --sign-key "$WORK/k.pem" >"$WORK/rep.out" 2>&1
check "kproof report exits 0" test $? = 0
check "kproof report writes assessment-results.json again" grep -q 'assessment-results.json$' "$WORK/rep.out"
check "... the same document (deterministic UUIDs)" bash -c "jq -S 'del(.. | .hashes?)' '$WORK/first.json' >'$WORK/a1' && jq -S 'del(.. | .hashes?)' '$OS' >'$WORK/a2' && cmp -s '$WORK/a1' '$WORK/a2'"
check "... still valid and signed" bash -c "validate() { '$PY' '$REPO_ROOT/tests/evidence/oscal/validate.py' '$SCHEMA' \"\$@\"; }; validate '$OS' >/dev/null && '$KPROOF' verify '$WORK/r' --pubkey '$WORK/k.pem.pub' >/dev/null 2>&1"
check "no control mapping: one finding per row only" bash -c \
  "'$KPROOF' run '$WORK/short.json' --target '$REPO_ROOT/targets/embedded.json' --out '$WORK/plain' -q --sign-key '$WORK/k.pem' >/dev/null 2>&1 &&
   jq -e '(.[\"assessment-results\"].results[0].findings | length) == ([.[\"assessment-results\"].results[0][\"reviewed-controls\"][\"control-selections\"][0][\"include-controls\"][]] | length)' '$WORK/plain/assessment-results.json' >/dev/null &&
   '$PY' '$REPO_ROOT/tests/evidence/oscal/validate.py' '$SCHEMA' '$WORK/plain/assessment-results.json' >/dev/null"

# The scenario's "controls" are validated strictly: exit 2, file and JSON path named.
bad_controls() { # bad_controls JSON EXPECTED-STDERR
  jq --argjson c "$1" '.controls = $c' "$WORK/short.json" >"$WORK/c.json"
  local got
  got=$("$KPROOF" validate "$WORK/c.json" 2>&1 >/dev/null)
  local rc=$?
  [[ $rc == 2 && $got == "kproof: $WORK/c.json: $2" ]] || { echo "# got rc $rc: $got" >&2; return 1; }
}
check "controls: an unknown row or check" bad_controls '{"nope": ["sc-12"]}' '$.controls.nope: expected a checklist row or a check id (kproof list), got "nope"'
check "controls: not an array" bad_controls '{"key-authority": "sc-12"}' '$.controls["key-authority"]: expected an array of 1 to 64 control ids, got "sc-12"'
check "controls: a bad control id" bad_controls '{"key-authority": ["sc 12"]}' "\$.controls[\"key-authority\"][0]: expected a control id (a letter, then up to 63 letters, digits, '.', '-' or '_'), got \"sc 12\""
check "controls: a control twice" bad_controls '{"semantics.acks-all": ["cp-10", "cp-10"]}' '$.controls["semantics.acks-all"][1]: control "cp-10" is listed twice'
check "controls: an empty list" bad_controls '{"key-authority": []}' '$.controls["key-authority"]: expected 1 to 64 control ids, got an empty array'
check "controls: not an object" bad_controls '["sc-12"]' '$.controls: expected an object, got an array'
finish
