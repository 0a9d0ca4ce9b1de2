#!/usr/bin/env bash
# scripts/bakeoff.sh without real platforms: usage errors exit 2 before anything runs (unknown or
# repeated contestant, unreadable scenario, a used output directory); one contestant (the embedded
# cluster) with a tiny scenario runs, is recorded in summary.tsv with its exit code and run
# directory, and — one complete run being no bake-off — ends with exit 1 and no comparison.
# The bake-off over real Kafka contestants is run by hand (README, "Reports and the bake-off").
. "$(dirname "$0")/lib.sh"

B=$KPROOF_SRC/scripts/bakeoff.sh
export KPROOF
code() { "$@" >/dev/null 2>"$T/err"; echo $?; }

check "unknown contestant: exit 2" test "$(code "$B" -o "$T/a" tansu-local)" = 2
check "... naming it" grep -q "unknown contestant 'tansu-local'" "$T/err"
check "a contestant named twice: exit 2" test "$(code "$B" -o "$T/a" embedded embedded)" = 2
check "unreadable scenario: exit 2" test "$(code "$B" -o "$T/a" -s "$T/nope.json" embedded)" = 2
check "nothing was written for the refused runs" test ! -e "$T/a"

jq '.suites = [.suites[0] | .checks = ["semantics.partition-order"] | .workload.duration = "1s" | del(.gates)]' \
	"$KPROOF_SRC/scenarios/bakeoff.json" >"$T/tiny.json"
rc=$(code "$B" -o "$T/one" -s "$T/tiny.json" embedded)
check "one contestant: exit 1, no comparison (got $rc)" test "$rc" = 1
check "... says why" grep -q "fewer than two complete runs" "$T/err"
check "summary.tsv records the run" \
	bash -c 'awk -F"\t" "NR == 2 && \$1 == \"embedded\" && \$2 == 0 && \$4 == \"$1/one/runs/embedded\"" "$1/one/summary.tsv" | grep -q .' _ "$T"
check "the run is complete and signed" test -s "$T/one/runs/embedded/evidence.json" -a -s "$T/one/runs/embedded/evidence.dsse.json"
check "a used output directory is refused: exit 2" test "$(code "$B" -o "$T/one" -s "$T/tiny.json" embedded)" = 2
finish
