#!/usr/bin/env bash
# Honest verdicts end to end on the embedded cluster (issue 11): a crash inside a check (also in
# another thread) ends that check `error`, never keeps the verdict it set before, leaves the run
# incomplete (.partial, exit 3) and signed; an all-skip run is not success (exit 1, "nothing was
# verified") unless the scenario allows it; a gate the scenario set on a check that cannot run on
# the target is "not evaluated", keeps the check's own verdict and reason, and exits 1.
. "$(dirname "$0")/lib.sh"

TARGET=$KPROOF_SRC/targets/embedded.json
# Under AddressSanitizer the crash must still be a signal, as in a release build.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}handle_segv=0:handle_abort=0

cat >"$T/two.json" <<'JSON'
{ "name": "two", "suites": [ { "suite": "semantics",
    "checks": ["semantics.round-trip", "semantics.partition-order"],
    "workload": { "partitions": 1, "rate": 500, "duration": "1s", "drain_timeout": "10s" } } ] }
JSON

for mode in "" ":thread"; do
	name=crash${mode#:}
	KPROOF_TEST_CRASH=semantics.round-trip$mode "$KPROOF" run "$T/two.json" --target "$TARGET" \
		--out "$T/$name" >"$T/$name.out" 2>"$T/$name.err"
	rc=$?
	check "a crash in a check${mode:+ (in a thread)} exits 3 (got $rc)" test "$rc" -eq 3
	check "the crashed run is not presented as complete" test ! -e "$T/$name"
	check "the crashed run stays .partial" test -d "$T/$name.partial"
	check "stdout names the .partial directory" test "$(tail -n 1 "$T/$name.out")" = "$T/$name.partial"
	check "evidence: complete false, the check crashed, the next one not run" python3 -c '
import json,sys
d=json.load(open(sys.argv[1]))
assert d["run"]["complete"] is False, d["run"]
assert "crashed: SIGSEGV in semantics.round-trip" in d["run"]["incomplete_reason"], d["run"]
c={x["id"]: x for x in d["checks"]}
rt=c["semantics.round-trip"]
assert rt["verdict"] == "error" and rt["reason"] == "crashed: SIGSEGV in semantics.round-trip", rt
assert not rt["measurements"], rt   # nothing from before the crash is kept
po=c["semantics.partition-order"]
assert po["verdict"] == "error" and po["reason"].startswith("not run: kproof crashed"), po
assert d["summary"]["exit_code"] == 3 and d["summary"]["pass"] == 0, d["summary"]
rows={r["id"]: r["verdict"] for r in d["rows"]}
assert rows["kafka-semantics"] == "ERROR", rows' "$T/$name.partial/evidence.json"
	check "the timeline records the crash" grep -q '"type":"run.crash"' "$T/$name.partial/events.jsonl"
	check "the crashed run is signed" test -s "$T/$name.partial/evidence.dsse.json"
	check "report.html says the run is incomplete" grep -q 'This run is incomplete: crashed: SIGSEGV' \
		"$T/$name.partial/report.html"
done

# The hook is honoured only on the embedded target and only for the named check.
KPROOF_TEST_CRASH=semantics.no-such-check "$KPROOF" run "$T/two.json" --target "$TARGET" \
	--out "$T/nocrash" >/dev/null 2>&1
rc=$?
check "a crash hook naming another check changes nothing (exit $rc)" test "$rc" -eq 0

# An all-skip run: transactions skip on the embedded cluster (no transaction markers).
cat >"$T/skip.json" <<'JSON'
{ "name": "skip", "suites": [ { "suite": "semantics", "checks": ["semantics.transactions"] } ] }
JSON
"$KPROOF" run "$T/skip.json" --target "$TARGET" --out "$T/skip" >/dev/null 2>"$T/skip.err"
rc=$?
check "an all-skip run exits 1 (got $rc)" test "$rc" -eq 1
check "an all-skip run is complete" test -d "$T/skip"
check "its report says nothing was verified" grep -q 'Nothing was verified' "$T/skip/report.html"
check "its row is SKIPPED, not PASS or NOT TESTED" python3 -c '
import json,sys
d=json.load(open(sys.argv[1]))
rows={r["id"]: r["verdict"] for r in d["rows"]}
assert rows["kafka-semantics"] == "SKIPPED", rows
assert d["summary"]["nothing_verified"] is True, d["summary"]' "$T/skip/evidence.json"
python3 -c '
import json,sys; d=json.load(open(sys.argv[1])); d["allow_all_skipped"]=True; json.dump(d,open(sys.argv[2],"w"))' \
	"$T/skip.json" "$T/skip-ok.json"
"$KPROOF" run "$T/skip-ok.json" --target "$TARGET" --out "$T/skip-ok" >/dev/null 2>&1
rc=$?
check "with \"allow_all_skipped\": true an all-skip run exits 0 (got $rc)" test "$rc" -eq 0
check "the allowed all-skip report still says nothing was verified" grep -q 'Nothing was verified' \
	"$T/skip-ok/report.html"
# A CI gate pointed at a target where its check cannot run: scaling.scale-out skips on the mock.
cat >"$T/gate.json" <<'JSON'
{ "name": "gate", "suites": [ { "suite": "scaling",
    "checks": ["scaling.scale-out", "scaling.leader-move"],
    "workload": { "partitions": 3, "message_bytes": 200, "rate": 300, "duration": "4s",
                  "drain_timeout": "20s" },
    "options": { "warmup": "1s" }, "gates": { "max_lost_acked": 0 } } ] }
JSON
"$KPROOF" run "$T/gate.json" --target "$TARGET" --out "$T/gate" >/dev/null 2>"$T/gate.err"
rc=$?
check "a gate that could not be evaluated exits 1 (got $rc)" test "$rc" -eq 1
check "the gate is not evaluated and the check keeps its own skip and reason" python3 -c '
import json,sys
d=json.load(open(sys.argv[1]))
g=[g for g in d["gates"] if g["name"] == "max_lost_acked"][0]
assert g["passed"] is None and g["blocking"] is True and "skipped" in g["note"], g
c=[c for c in d["checks"] if c["id"] == "scaling.scale-out"][0]
assert c["verdict"] == "skip" and "gate" not in c["reason"], c
assert d["summary"]["gates_not_evaluated_blocking"] == 1, d["summary"]' "$T/gate/evidence.json"
check "the report says a gate could not be evaluated" grep -q 'could not be evaluated' "$T/gate/report.html"
finish
