#!/usr/bin/env bash
# The command line: help of every subcommand, list, validate of every shipped file, suite
# selection, the default run directory name, and an interrupted run that stays marked incomplete.
. "$(dirname "$0")/lib.sh"

for cmd in run validate list report; do
	out=$("$KPROOF" "$cmd" --help 2>&1)
	rc=$?
	check "kproof $cmd --help exits 0" test "$rc" -eq 0
	check "kproof $cmd --help shows usage" grep -q "usage: kproof $cmd" <<<"$out"
done
check "kproof --help lists the commands" bash -c "'$KPROOF' --help | grep -q 'validate'"
check "kproof --version names the commit" bash -c "'$KPROOF' --version | grep -Eq '^kproof [0-9.]+ \(commit [0-9a-f]+'"
"$KPROOF" >/dev/null 2>&1
check "kproof without a command exits 2" test $? -eq 2

list=$("$KPROOF" list)
for id in semantics.round-trip semantics.acks-all semantics.idempotence semantics.transactions; do
	check "kproof list shows $id" grep -q "$id" <<<"$list"
done
check "kproof list shows the checklist row of each check" grep -q "kafka-semantics" <<<"$list"
"$KPROOF" list --json >"$T/list.json"
check "kproof list --json: every check has an id, a row and a title" python3 -c '
import json,sys; d=json.load(open(sys.argv[1]))
checks=[c for s in d["suites"] for c in s["checks"]]
assert len(checks) >= 12, len(checks)
rows={r["id"] for r in d["rows"]}
for c in checks: assert c["id"] and c["title"] and c["row"] in rows, c' "$T/list.json"

# Every scenario and target shipped in the repository validates (secrets given dummy values).
export KPROOF_KAFKA_BOOTSTRAP=${KPROOF_KAFKA_BOOTSTRAP:-127.0.0.1:19092}
for f in "$KPROOF_SRC"/scenarios/*.json "$KPROOF_SRC"/targets/*.json; do
	# shellcheck disable=SC2046
	out=$(env $(grep -o '\${env:[A-Za-z_][A-Za-z0-9_]*}' "$f" | sed 's/^\${env:\(.*\)}$/\1=kproof-test-value/' | sort -u) \
		"$KPROOF" validate "$f" 2>&1)
	rc=$?
	check "shipped $(basename "$(dirname "$f")")/$(basename "$f") validates (rc $rc)" test "$rc" -eq 0
done
"$KPROOF" validate "$KPROOF_SRC/scenarios/quickstart.json" "$KPROOF_SRC/targets/embedded.json" >/dev/null 2>&1
check "validate takes several files" test $? -eq 0

# --suite selects suites; an unknown one is a usage error.
"$KPROOF" run "$KPROOF_SRC/scenarios/quickstart.json" --target "$KPROOF_SRC/targets/embedded.json" \
	--suite nosuch --out "$T/r0" >/dev/null 2>"$T/err"
check "--suite with a suite not in the scenario exits 2" test $? -eq 2

# Default run directory: out/<scenario>-<target>-<utc time>/ under the working directory.
cat >"$T/short.json" <<'JSON'
{ "name": "short", "suites": [ { "suite": "semantics", "checks": ["semantics.round-trip"] } ] }
JSON
(cd "$T" && "$KPROOF" run short.json --target "$KPROOF_SRC/targets/embedded.json" >stdout 2>stderr)
rc=$?
last=$(tail -n 1 "$T/stdout")
check "a one-check run exits 0 (got $rc)" test "$rc" -eq 0
check "default run directory is out/short-embedded-<utc time> ($last)" \
	bash -c "[[ '$last' =~ out/short-embedded-[0-9]{8}T[0-9]{6}Z$ ]] && test -d '$T/$last' -o -d '$last'"

# An interrupted run: exit 3, the directory stays <dir>.partial and says it is incomplete.
cat >"$T/long.json" <<'JSON'
{ "name": "long", "suites": [ { "suite": "semantics", "checks": ["semantics.acks-all"],
    "workload": { "rate": 500, "duration": "60s" } } ] }
JSON
"$KPROOF" run "$T/long.json" --target "$KPROOF_SRC/targets/embedded.json" --out "$T/int" \
	>"$T/int.out" 2>"$T/int.err" &
pid=$!
for _ in $(seq 1 100); do
	grep -q 'semantics.acks-all' "$T/int.err" 2>/dev/null && break
	sleep 0.1
done
sleep 2
kill -INT "$pid"
wait "$pid"
rc=$?
check "an interrupted run exits 3 (got $rc)" test "$rc" -eq 3
check "an interrupted run is not presented as complete" test ! -e "$T/int"
check "an interrupted run stays .partial" test -d "$T/int.partial"
check "its evidence says incomplete" python3 -c '
import json,sys; d=json.load(open(sys.argv[1])); assert d["run"]["complete"] is False, d["run"]' \
	"$T/int.partial/evidence.json"
check "stdout names the .partial directory" test "$(tail -n 1 "$T/int.out")" = "$T/int.partial"
finish
