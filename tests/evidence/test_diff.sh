#!/usr/bin/env bash
# tests/evidence/test_diff.sh - `kproof diff RUN_A RUN_B`: one real run on the embedded cluster
# (with gates), then run B made from it with jq so each kind of change is known exactly: a
# verdict that got worse or better, a gated measurement that moved the wrong or the right way
# beyond the tolerance, a gate held and then missed, an ungated measurement that moved (listed,
# never a regression), moves within the tolerance (not listed), a check gone; text and JSON;
# exit 0/1/2 and bad input named with the file and the JSON path.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
isolate "$@"
command -v jq >/dev/null || { echo "missing tool: jq (run scripts/setup.sh)" >&2; exit 1; }
new_work
jq '.suites[0].checks += ["semantics.acks-all"] | .suites[0].gates = {"max_p99_ack_ms": 60000, "min_achieved_rate": 1}' \
  "$WORK/short.json" >"$WORK/gated.json"
"$KPROOF" run "$WORK/gated.json" --target "$REPO_ROOT/targets/embedded.json" --out "$WORK/a" -q >"$WORK/a.log" 2>&1
require "run A exits 0 ($(tail -1 "$WORK/a.log"))" test $? = 0
A=$WORK/a/evidence.json
check "assessment-results.json names each gate of the check in the observation's remarks" \
  jq -e '.["assessment-results"].results[0].observations[] | select(.props[] | .value == "semantics.acks-all") | .remarks | test("`max_p99_ack_ms`: observed [0-9.]+, required <= 60000 ms: held")' "$WORK/a/assessment-results.json" >/dev/null
require "run A has the gated check and its gate measurement" \
  jq -e '.checks[] | select(.id=="semantics.acks-all") | .measurements[] | select(.name=="ack_latency_p99_ms")' "$A" >/dev/null

# mk NAME JQ: run B as a copy of A with evidence.json changed by JQ.
mk() { mkdir -p "$WORK/$1" && jq "$2" "$A" >"$WORK/$1/evidence.json"; }
jqe() { jq -e "$@" >/dev/null; }
diff_rc() { "$KPROOF" diff "$@" >"$WORK/out.txt" 2>"$WORK/err.txt"; echo $?; }
setm() { # jq: set measurement $2 of check $1 to an expression of its value (.)
  printf '(.checks[] | select(.id=="%s") | .measurements[] | select(.name=="%s") | .value) |= (%s)' "$1" "$2" "$3"
}

check "a run against itself: exit 0, no change" bash -c "[[ \$('$KPROOF' diff '$WORK/a' '$WORK/a' >'$WORK/same.txt'; echo \$?) == 0 ]] && grep -q '^0 changes, 0 regressions' '$WORK/same.txt'"

mk worse '(.checks[] | select(.id=="semantics.round-trip") | .verdict) = "fail"'
check "pass -> fail: exit 1" test "$(diff_rc "$WORK/a" "$WORK/worse")" = 1
check "pass -> fail: named as a regression" grep -Eq 'semantics.round-trip +pass -> fail +REGRESSION' "$WORK/out.txt"

mk worserow '(.checks[] | select(.id=="semantics.round-trip") | .verdict) = "fail" | (.rows[] | select(.id=="kafka-semantics") | .verdict) = "FAIL"'
check "a row verdict change is listed (PARTIAL -> FAIL)" bash -c "'$KPROOF' diff '$WORK/a' '$WORK/worserow' | grep -Eq 'kafka-semantics +PARTIAL -> FAIL\$'"
check "... and in --json" bash -c "'$KPROOF' diff '$WORK/a' '$WORK/worserow' --json | jq -e '.rows == [{\"id\":\"kafka-semantics\",\"a\":\"PARTIAL\",\"b\":\"FAIL\"}]' >/dev/null"
mk better '(.checks[] | select(.id=="semantics.transactions") | .verdict) = "pass"'
check "skip -> pass: exit 0" test "$(diff_rc "$WORK/a" "$WORK/better")" = 0
check "skip -> pass: listed, not a regression" bash -c "grep -Eq 'semantics.transactions +skip -> pass\$' '$WORK/out.txt'"
check "the reverse (pass -> skip) is a regression" test "$(diff_rc "$WORK/better" "$WORK/a")" = 1

mk gone 'del(.checks[] | select(.id=="semantics.list-offsets"))'
check "a check missing from B is a regression" test "$(diff_rc "$WORK/a" "$WORK/gone")" = 1
check "... and named missing" grep -Eq 'semantics.list-offsets +pass -> missing +REGRESSION' "$WORK/out.txt"

mk slower "$(setm semantics.acks-all ack_latency_p99_ms '. * 1.5 + 1')"
check "gated latency +50% (gate <=): exit 1" test "$(diff_rc "$WORK/a" "$WORK/slower")" = 1
check "... named with its gate" grep -q 'ack_latency_p99_ms: .*REGRESSION (gate max_p99_ack_ms)' "$WORK/out.txt"
check "... within --tolerance 1000: exit 0" test "$(diff_rc "$WORK/a" "$WORK/slower" --tolerance 1000)" = 0
check "faster is better, not a regression: exit 0" test "$(diff_rc "$WORK/slower" "$WORK/a")" = 0
check "... and said so" grep -q 'ack_latency_p99_ms: .*better (gate max_p99_ack_ms)' "$WORK/out.txt"

mk lowrate "$(setm semantics.acks-all achieved_rate '. * 0.5')"
check "gated rate -50% (gate >=): exit 1" test "$(diff_rc "$WORK/a" "$WORK/lowrate")" = 1
mk highrate "$(setm semantics.acks-all achieved_rate '. * 2')"
check "gated rate x2 (gate >=): exit 0" test "$(diff_rc "$WORK/a" "$WORK/highrate")" = 0

mk ungated "$(setm semantics.round-trip records_read '. * 3')"
check "an ungated measurement x3: exit 0" test "$(diff_rc "$WORK/a" "$WORK/ungated")" = 0
check "... listed with its delta (+200.0%) and no verdict on it" bash -c "grep -q 'records_read: 7 -> 21 records (+200.0%)\$' '$WORK/out.txt'"
mk small "$(setm semantics.round-trip records_read '. * 1.05')"
check "a 5% move is not listed at the default 10%" bash -c "[[ \$('$KPROOF' diff '$WORK/a' '$WORK/small' >'$WORK/s.txt'; echo \$?) == 0 ]] && ! grep -q records_read '$WORK/s.txt'"
check "... but is at --tolerance 1" bash -c "'$KPROOF' diff '$WORK/a' '$WORK/small' --tolerance 1 | grep -q 'records_read'"

mk missed '(.gates[] | select(.name=="max_p99_ack_ms") | .passed) = false'
check "a gate held in A and missed in B: exit 1" test "$(diff_rc "$WORK/a" "$WORK/missed")" = 1
check "... listed under gates" grep -q 'max_p99_ack_ms <= 60000: .*REGRESSION' "$WORK/out.txt"

"$KPROOF" diff "$WORK/a" "$WORK/slower" --json >"$WORK/d.json"
check "--json: exit 1 with a regression" test $? = 1
check "--json: the gated measurement with direction, delta and change" \
  jqe '.measurements[] | select(.name=="ack_latency_p99_ms" and .gate=="max_p99_ack_ms" and .better=="lower" and .change=="regression" and .delta > 0)' "$WORK/d.json"
check "--json: counts and exit code" jqe '.regressions == 1 and .exit_code == 1 and .tolerance_pct == 10' "$WORK/d.json"
"$KPROOF" diff "$WORK/a" "$WORK/worse" --json >"$WORK/v.json"
check "--json: the verdict change" jqe '.checks == [{"id":"semantics.round-trip","a":"pass","b":"fail","change":"regression","reason_b":.checks[0].reason_b}]' "$WORK/v.json"

# Bad input: exit 2, naming the file and the JSON path.
check "a directory without evidence.json: exit 2" test "$(diff_rc "$WORK/a" "$WORK/nowhere")" = 2
check "... named" grep -q "nowhere: no such file" "$WORK/err.txt"
mk badverdict '.checks[2].verdict = "maybe"'
check "an unknown verdict: exit 2" test "$(diff_rc "$WORK/a" "$WORK/badverdict")" = 2
check "... named with its JSON path" grep -q 'badverdict/evidence.json: \$.checks\[2\].verdict: expected one of pass, fail, skip, error' "$WORK/err.txt"
mkdir -p "$WORK/broken" && printf '{"run": {}, "checks": [' >"$WORK/broken/evidence.json"
check "invalid JSON: exit 2" test "$(diff_rc "$WORK/a" "$WORK/broken")" = 2
check "... naming the file and where" grep -q 'broken/evidence.json: line 1, column [0-9]*: invalid JSON' "$WORK/err.txt"
check "a missing argument: exit 2" test "$(diff_rc "$WORK/a")" = 2
check "a bad tolerance: exit 2" test "$(diff_rc "$WORK/a" "$WORK/a" --tolerance -3)" = 2
check "--help lists the options" bash -c "'$KPROOF' diff --help | grep -q -- '--tolerance PCT'"
finish
