#!/usr/bin/env bash
# Bad scenario and target files: every case is rejected with exit code 2 and one line on stderr
# that names the file, the JSON path and what was expected; `kproof run` on bad input creates no
# run directory.
. "$(dirname "$0")/lib.sh"

cases=$KPROOF_SRC/tests/cli/invalid_input.tsv
n=0
cd "$T" || exit 1
while IFS=$'\t' read -r file content expected; do
	[[ -z $file || $file == \#* ]] && continue
	n=$((n + 1))
	printf '%s' "$content" >"$file"
	err=$("$KPROOF" validate "$file" 2>&1 >/dev/null)
	rc=$?
	if [[ $expected == *'*' ]]; then
		prefix=${expected%'*'}
		match=0
		[[ $err == "$prefix"* ]] && match=1
	else
		match=0
		[[ $err == "$expected" ]] && match=1
	fi
	if ((rc == 2 && match == 1)) && [[ $(printf '%s\n' "$err" | wc -l) -eq 1 ]]; then
		ok "$file rejected: $expected"
	else
		not_ok "$file: rc=$rc, stderr: $err (expected: $expected)"
	fi
done <"$cases"
check "at least 20 invalid-input cases ran ($n)" test "$n" -ge 20

# A directory or a FIFO given as a file: exit 2 at once, never blocked on the FIFO.
mkdir -p adir.json
err=$("$KPROOF" validate adir.json 2>&1 >/dev/null)
check "a directory given as a file exits 2 (got $?)" test $? -eq 2
check "... saying it is a directory" test "$err" = "kproof: adir.json: is a directory, expected a file"
mkfifo fifo.json
err=$(timeout 20 "$KPROOF" validate fifo.json 2>&1 >/dev/null)
rc=$?
check "a FIFO given as a file exits 2 without blocking (got $rc)" test "$rc" -eq 2
check "... saying it is not a regular file" test "$err" = "kproof: fifo.json: not a regular file (a FIFO, socket or device), refused"
timeout 20 "$KPROOF" run "$KPROOF_SRC/scenarios/quickstart.json" --target fifo.json --out "$T/run-fifo" >/dev/null 2>err.txt
rc=$?
check "run with a FIFO as --target exits 2 (got $rc)" test "$rc" -eq 2
# An escaped backslash before u0000 is text, not a NUL.
printf '%s' '{"name":"x","description":"a\\u0000b","suites":[{"suite":"semantics"}]}' >bs.json
"$KPROOF" validate bs.json >/dev/null 2>err.txt
check "a literal backslash-u0000 (escaped backslash) is accepted" test $? -eq 0
# Nesting at the limit is fine.
printf '{"name":"x","suites":[{"suite":"semantics"}],"description":"d"}' >flat.json
"$KPROOF" validate flat.json >/dev/null 2>&1
check "an ordinary scenario still validates" test $? -eq 0

# The migration suite's destination must be another platform than the run's target (known only
# with both files, so `kproof run`): the same file, or the same bootstrap servers, exit 2.
printf '{"name":"x","suites":[{"suite":"migration","options":{"destination":"%s"}}]}' \
	"$KPROOF_SRC/targets/kafka-local.json" >mig-same.json
"$KPROOF" run mig-same.json --target "$KPROOF_SRC/targets/kafka-local.json" --out "$T/run-mig" >/dev/null 2>err.txt
rc=$?
check "run with the source target as migration destination exits 2 (got $rc)" test "$rc" -eq 2
check "... naming file, JSON path and the reason ($(cat err.txt))" \
	grep -q "mig-same.json: \$.suites\[0\].options.destination: the destination target .*kafka-local.json is the source target itself" err.txt
check "... and writes no run directory" test ! -e "$T/run-mig"
printf '{"name":"copy","kafka":{"bootstrap.servers":"127.0.0.1:19092,127.0.0.1:29092,127.0.0.1:39092"}}' >same-boot.json
printf '{"name":"x","suites":[{"suite":"migration","options":{"destination":"same-boot.json"}}]}' >mig-boot.json
"$KPROOF" run mig-boot.json --target "$KPROOF_SRC/targets/kafka-local.json" --out "$T/run-mig2" >/dev/null 2>err.txt
rc=$?
check "run with a destination on the source's bootstrap servers exits 2 (got $rc)" test "$rc" -eq 2
check "... naming the bootstrap servers ($(cat err.txt))" \
	grep -q 'mig-boot.json: \$.suites\[0\].options.destination: the destination target same-boot.json has the source.s bootstrap.servers' err.txt

# kproof run on bad input: exit 2 and nothing written under --out.
printf '%s' '{"name":"x","suites":[{"suite":"semantics","workload":{"rate":"fast"}}]}' >bad.json
"$KPROOF" run bad.json --target "$KPROOF_SRC/targets/embedded.json" --out "$T/run-bad" >out.txt 2>err.txt
rc=$?
check "run with an invalid scenario exits 2 (got $rc)" test "$rc" -eq 2
check "run with an invalid scenario writes no run directory" test ! -e "$T/run-bad" -a ! -e "$T/run-bad.partial"
check "run with an invalid scenario names file and path" grep -q 'bad.json: \$.suites\[0\].workload.rate: expected a positive number' err.txt

# A scenario given as the target, a missing file, unknown options and commands.
"$KPROOF" run "$KPROOF_SRC/scenarios/quickstart.json" --target "$KPROOF_SRC/scenarios/quickstart.json" \
	--out "$T/run-swapped" >/dev/null 2>err.txt
rc=$?
check "a scenario passed as --target exits 2 (got $rc)" test "$rc" -eq 2
check "a scenario passed as --target is named in the error" grep -q 'quickstart.json' err.txt
"$KPROOF" validate "$T/does-not-exist.json" >/dev/null 2>err.txt
rc=$?
check "a missing file exits 2 (got $rc)" test "$rc" -eq 2
check "a missing file is named in the error" grep -q 'does-not-exist.json' err.txt
"$KPROOF" run --no-such-option >/dev/null 2>err.txt
check "an unknown option exits 2" test $? -eq 2
"$KPROOF" frobnicate >/dev/null 2>err.txt
check "an unknown command exits 2" test $? -eq 2
"$KPROOF" run "$KPROOF_SRC/scenarios/quickstart.json" >/dev/null 2>err.txt
check "run without --target exits 2" test $? -eq 2

# Unset ${env:...} variables are errors, set ones are read.
printf '%s' '{"name":"x","suites":[{"suite":"semantics","workload":{"topic":"${env:KPROOF_TEST_TOPIC}"}}]}' >env.json
KPROOF_TEST_TOPIC=kproof-env-topic "$KPROOF" validate env.json >/dev/null 2>err.txt
check "a set \${env:} variable validates" test $? -eq 0
# Suite options: the old places of the keys are read for one release, each key with a warning
# naming the file, the old JSON path and the new one; the shipped scenarios use "options" only.
printf '%s' '{"name":"x","suites":[{"suite":"failover","failover":{"final_read":false}}]}' >old-fo.json
"$KPROOF" validate old-fo.json >/dev/null 2>err.txt
check "a scenario with the old failover object still validates (got $?)" test $? -eq 0
check "... with a warning naming file, old and new path ($(cat err.txt))" \
	grep -q 'old-fo.json: \$.suites\[0\].failover.final_read is deprecated: move it to \$.suites\[0\].options.final_read' err.txt
printf '%s' '{"name":"x","suites":[{"suite":"semantics"},{"suite":"revocation","canaries":5,"timeout":"5s"}]}' >old-rev.json
"$KPROOF" validate old-rev.json >/dev/null 2>err.txt
check "a scenario with the old revocation keys still validates (got $?)" test $? -eq 0
check "... warning once per key ($(grep -c deprecated err.txt))" test "$(grep -c 'old-rev.json: \$.suites\[1\].[a-z]* is deprecated: move it to \$.suites\[1\].options.' err.txt)" -eq 2
printf '%s' '{"name":"x","suites":[{"suite":"migration","migration":{"destination":"nowhere.json"}}]}' >old-mig.json
"$KPROOF" validate old-mig.json >/dev/null 2>err.txt
check "an old-place key is checked like a new one (got $?)" test $? -eq 2
check "... by the suite's check of its options too" grep -q 'old-mig.json: \$.suites\[0\].options.destination: cannot load the destination target' err.txt
printf '%s' '{"name":"x","suites":[{"suite":"revocation","canaries":5,"options":{"canaries":6}}]}' >both.json
"$KPROOF" validate both.json >/dev/null 2>err.txt
check "a key at the old and the new place exits 2 (got $?)" test $? -eq 2
check "... naming both ($(cat err.txt))" grep -q 'both.json: \$.suites\[0\].canaries: also set at \$.suites\[0\].options.canaries' err.txt
for f in "$KPROOF_SRC"/scenarios/*.json; do
	"$KPROOF" validate "$f" >/dev/null 2>err.txt
	rc=$?
	check "shipped $(basename "$f") validates without a deprecation warning (rc $rc)" \
		test "$rc" -eq 0 -a ! -s err.txt
done
"$KPROOF" list >list.txt 2>&1
check "kproof list prints the suites' options" \
	grep -q '^  option canaries  *int 1..10000, default 20$' list.txt
"$KPROOF" list --json >list.json 2>&1
check "kproof list --json has each option's type, range, default and help" \
	jq -e '[.suites[] | select(.name == "revocation") | .options[] | select(.name == "canaries")][0] == {"name":"canaries","type":"int","required":false,"min":1,"max":10000,"default":20,"help":"records written before the revocation and read back after the restore"}' list.json
# A suite's preflight hook runs before anything starts: revoking a key not declared a fixture
# needs --allow-destructive (revocation), exit 2 naming the target and no run directory.
printf '%s' '{"name":"t","kafka":{"bootstrap.servers":"127.0.0.1:1"},"kms":{"type":"aws-kms","region":"eu-west-1","endpoint":"http://127.0.0.1:1","access_key_id":"AKIDPF0000000000","secret_access_key":"SECRETPF00000000","key":"alias/k"}}' >realkey.json
"$KPROOF" run "$KPROOF_SRC/scenarios/revocation.json" --target realkey.json --out "$T/run-pf" >/dev/null 2>err.txt
rc=$?
check "revoking a real key without --allow-destructive exits 2 (got $rc)" test "$rc" -eq 2
check "... saying which flag ($(cat err.txt))" \
	grep -q 'realkey.json: key alias/k is not declared a test fixture (kms.fixture) and would be disabled: pass --allow-destructive' err.txt
check "... and writes no run directory" test ! -e "$T/run-pf"
finish
