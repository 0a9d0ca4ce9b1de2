#!/usr/bin/env bash
# The README's main job: the quickstart scenario on the embedded cluster. Checks the run directory
# it writes: evidence.json (every check, verdicts with reasons, gates with measured values, rows,
# summary), events.jsonl, junit.xml, report.html, assessment-results.json (OSCAL) and plots, and
# that page one of report.pdf is the executive summary.
. "$(dirname "$0")/lib.sh"

run=$T/quickstart
"$KPROOF" run "$KPROOF_SRC/scenarios/quickstart.json" --target "$KPROOF_SRC/targets/embedded.json" \
	--out "$run" >"$T/stdout" 2>"$T/stderr"
rc=$?
check "quickstart exits 0 (got $rc)" test "$rc" -eq 0
check "the last line of stdout is the run directory" test "$(tail -n 1 "$T/stdout")" = "$run"
check "no .partial directory is left" test ! -e "$run.partial"
for f in evidence.json events.jsonl junit.xml report.html; do
	check "$f written" test -s "$run/$f"
done
ev=$run/evidence.json
# assessment-results.json (OSCAL) of the quickstart run validates against the official schema
# (Python jsonschema in the test-only virtualenv, created once from PyPI).
check "assessment-results.json written" test -s "$run/assessment-results.json"
if "$KPROOF_SRC/tests/tools/pyvenv.sh" install >"$T/pyvenv.log" 2>&1; then
	check "assessment-results.json validates against the official OSCAL 1.1.2 schema" \
		"$("$KPROOF_SRC/tests/tools/pyvenv.sh" python)" "$KPROOF_SRC/tests/evidence/oscal/validate.py" \
		"$KPROOF_SRC/tests/evidence/oscal/oscal-ar-1.1.2-schema.json" "$run/assessment-results.json"
else
	not_ok "the test virtualenv (tests/tools/pyvenv.sh install): $(tail -n 1 "$T/pyvenv.log")"
fi

python3 - "$ev" <<'PY' && ok "evidence.json holds every semantics check with a verdict and a reason" || not_ok "evidence.json content"
import json, sys
d = json.load(open(sys.argv[1]))
checks = {c["id"]: c for c in d["checks"]}
want = ["round-trip", "partition-order", "acks-all", "idempotence", "group-resume",
        "compression-gzip", "compression-snappy", "compression-lz4", "compression-zstd",
        "list-offsets", "transactions", "admin", "txn-fencing", "txn-consume-transform-produce",
        "admin-configs", "list-offsets-time", "offset-reset", "group-rebalance", "compaction",
        "size-limit"]
for w in want:
    c = checks["semantics." + w]
    assert c["row"] == "kafka-semantics", c
    assert c["verdict"] in ("pass", "skip"), (w, c["verdict"], c.get("reason"))
    assert c.get("reason"), c
    if c["verdict"] == "pass" and w not in ("round-trip", "partition-order", "list-offsets"):
        assert c.get("measurements"), w
# the mock cannot do transactions and admin: skipped with a reason, never passed
for w in ("transactions", "admin", "txn-fencing", "admin-configs", "compaction"):
    assert checks["semantics." + w]["verdict"] == "skip", w
# the mock cannot judge the idempotent producer (no resend after an append; no deduplication)
assert checks["semantics.idempotence"]["verdict"] == "skip", checks["semantics.idempotence"]
assert "cannot judge" in checks["semantics.idempotence"]["reason"], checks["semantics.idempotence"]
assert len([c for c in checks if c.startswith("semantics.")]) >= 8
assert checks["failover.faults"]["row"] == "recovery-behavior"
assert checks["failover.faults"]["verdict"] == "pass", checks["failover.faults"]["reason"]
PY

python3 - "$ev" <<'PY' && ok "acks-all measured the tracked workload and lost nothing" || not_ok "acks-all measurements"
import json, sys
d = json.load(open(sys.argv[1]))
c = [c for c in d["checks"] if c["id"] == "semantics.acks-all"][0]
m = {x["name"]: x["value"] for x in c["measurements"]}
assert m["records_acked"] > 1000, m
assert m["lost_acked"] == 0, m
assert m["records_acked"] <= m["records_sent"], m
assert 0 < m["ack_latency_p99_ms"] < 5000, m
PY

python3 - "$ev" <<'PY' && ok "gates evaluated against measured values and held" || not_ok "gates"
import json, sys
d = json.load(open(sys.argv[1]))
g = {x["name"]: x for x in d["gates"]}
gs = d["gates"]
for x in gs:
    assert x["passed"] is True, x
    assert isinstance(x["observed"], (int, float)), x
sem = {x["name"]: x for x in gs if x["check"] == "semantics.acks-all"}
assert set(sem) >= {"max_lost_acked", "max_p99_ack_ms"}, sem
assert sem["max_lost_acked"]["threshold"] == 0
assert sem["max_p99_ack_ms"]["threshold"] == 500
fo = {x["name"]: x for x in gs if x["check"] == "failover.faults"}
assert fo["max_lost_acked"]["observed"] == 0 and fo["max_duplicates"]["observed"] == 0, fo
PY

python3 - "$ev" <<'PY' && ok "summary and checklist rows agree with the checks" || not_ok "summary/rows"
import json, sys
d = json.load(open(sys.argv[1]))
s = d["summary"]
n = len(d["checks"])
assert s["checks"] == n and s["pass"] + s["skip"] == n and s["fail"] == 0 and s["error"] == 0, s
assert s["exit_code"] == 0, s
rows = {r["id"]: r for r in d["rows"]}
assert len(rows) == 8, rows.keys()
assert rows["kafka-semantics"]["verdict"] in ("PASS", "PARTIAL"), rows["kafka-semantics"]
assert rows["key-authority"]["verdict"] == "NOT TESTED", rows["key-authority"]
assert rows["data-plane-location"]["verdict"] == "PASS", rows["data-plane-location"]
for c in ("broker-endpoints", "client-paths", "zones"):
    assert {x["id"]: x for x in d["checks"]}["location." + c]["verdict"] == "pass", c
assert d["run"]["complete"] is True
assert d["run"]["scenario"]["name"] == "quickstart" and d["run"]["target"]["name"] == "embedded"
PY

python3 - "$run/events.jsonl" <<'PY' && ok "events.jsonl is one JSON object per line with check events" || not_ok "events.jsonl"
import json, sys
kinds = set()
for line in open(sys.argv[1]):
    e = json.loads(line)
    assert "ts" in e and "type" in e, e
    kinds.add(e["type"])
assert "check.start" in kinds and "check.end" in kinds, kinds
PY

python3 - "$run/junit.xml" "$ev" <<'PY' && ok "junit.xml parses: one test case per check, skips mapped, 0 failures" || not_ok "junit.xml"
import json, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
d = json.load(open(sys.argv[2]))
cases = root.findall(".//testcase")
assert len(cases) == len(d["checks"]), (len(cases), len(d["checks"]))
assert len(root.findall(".//testcase/skipped")) == d["summary"]["skip"]
assert not root.findall(".//testcase/failure") and not root.findall(".//testcase/error")
PY

html=$run/report.html
check "report.html starts with the summary, then the checklist, then the checks" python3 -c '
import sys; h=open(sys.argv[1]).read(); s=h.find("id=\"summary\""); i=h.find("Evaluation checklist")
j=h.find("id=\"check-semantics.round-trip\"")
assert 0 <= s < i < j, (s, i, j)' "$html"
for id in round-trip acks-all idempotence transactions; do
	check "report.html shows semantics.$id" grep -q "semantics.$id" "$html"
done
check "report.html is self-contained (no external scripts or styles)" \
	bash -c "! grep -Eq '<script[^>]+src=|<link[^>]+href=\"http' '$html'"
check "plots were drawn as SVG and embedded" bash -c "ls '$run'/plots/*.svg >/dev/null && grep -q '<svg' '$html'"

python3 - "$ev" <<'PY' && ok "cost.model priced the workload by driver with dated prices" || not_ok "cost.model"
import json, sys
d = json.load(open(sys.argv[1]))
c = [c for c in d["checks"] if c["id"] == "cost.model"][0]
assert c["row"] == "cost-model" and c["verdict"] == "pass", c["verdict"]
m = {x["name"]: x["value"] for x in c["measurements"]}
drivers = [k for k in m if k.startswith("cost_") and k.endswith("_usd_month")]
assert len(drivers) >= 5, drivers
assert abs(sum(m[k] for k in drivers) - m["monthly_cost_usd"]) < 0.05, m
assert m["monthly_cost_usd"] > 0
assert c["tables"], "no breakdown table"
PY
check "report.html has the cost breakdown and the projection plot" \
	bash -c "grep -q 'cost.model' '$html' && grep -qi 'projection' '$html'"

# Page one of report.pdf is the executive summary (tests/evidence/page_check.py --page-one):
# the run verdict, each row's answer, findings, fingerprint, librdkafka's version, cluster id.
if pdftotext -f 1 -l 1 "$run/report.pdf" "$T/page1.txt" 2>"$T/page1.err"; then
	python3 "$KPROOF_SRC/tests/evidence/page_check.py" --page-one "$ev" "$T/page1.txt" >"$T/page1.check" 2>&1
	check "report.pdf page one is the summary ($(head -1 "$T/page1.check"))" test $? = 0
	sed -n 's/^problem/# problem/p' "$T/page1.check"
	check "... with an answer for each row the quickstart tests (4: location, semantics, failover, cost)" \
		test "$(jq '[.rows[] | select(.answer != null)] | length' "$ev")" = 4
	check "... and the embedded cluster's id and ApiVersions answer" \
		bash -c "grep -q 'mockCluster' '$T/page1.txt' && grep -q 'APIs (v0 answer)' '$T/page1.txt'"
else
	not_ok "pdftotext report.pdf: $(cat "$T/page1.err")"
fi

# kproof report renders the same run again from evidence.json alone.
"$KPROOF" report "$run" --out "$T/rerender" >/dev/null 2>&1
check "kproof report re-renders report.html and junit.xml from evidence.json" \
	test -s "$T/rerender/report.html" -a -s "$T/rerender/junit.xml"
check "the re-rendered JUnit XML equals the original" cmp -s "$run/junit.xml" "$T/rerender/junit.xml"
check "the run directory is signed" test -s "$run/statement.json" -a -s "$run/evidence.dsse.json"
finish
