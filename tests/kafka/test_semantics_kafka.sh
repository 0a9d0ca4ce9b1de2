#!/usr/bin/env bash
# kproof against a real Apache Kafka cluster: fixtures/kafka/with-cluster.sh starts a fresh 3-node
# cluster, `kproof run scenarios/semantics.json --target targets/kafka-local.json` runs the whole
# semantics suite on it, the cluster is stopped whatever happens. The evidence must hold at least
# 27 kafka-semantics checks, every one `pass` (among them the client-facing API checks of
# docs/api-coverage.md: LogAppendTime, CreatePartitions, DeleteRecords, commit metadata,
# OffsetDelete/DeleteGroups, the KIP-848 consumer protocol, the transaction timeout), and the exec control adapter's invocations (the
# idempotence check kills and restarts a broker) must be recorded with command, exit code,
# duration and output. On the same cluster two variants of the target whose kill_broker command
# fails (exit 3) or hangs past the control timeout must turn the idempotence check into `error`
# with that invocation as evidence. The negative control: the idempotence check with
# enable.idempotence=false and the same fault (a leader killed under load) must find duplicates
# and fail, so a pass with idempotence means something. On the embedded cluster the idempotence
# check skips with the reason. No JVM of the cluster may be left afterwards.
set -uo pipefail
# shellcheck source=tests/fixtures/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../fixtures/lib.sh"
isolate "$@"
new_cluster_dir
DIR=$KPROOF_KAFKA_DIR
KPROOF=${KPROOF:-$REPO_ROOT/build/kproof}
RUN=$DIR/run

on_exit() {
  "$KAFKA_SH" stop >/dev/null 2>&1 || true
  end_watch_cluster
  if ((FAILED == 0)); then rm -rf "$DIR"; else echo "# kept for inspection: $DIR" >&2; fi
}
trap on_exit EXIT
watch_cluster

require "kproof binary exists ($KPROOF)" test -x "$KPROOF"

# mk_target FILE TIMEOUT KILL_COMMAND: kafka-local with another kill_broker command and its own
# timeout (control.timeouts; the other operations keep the target's)
mk_target() {
  python3 - "$REPO_ROOT/targets" "$@" <<'PY'
import json, sys
tdir, out, timeout, kill = sys.argv[1:5]
t = json.load(open(tdir + "/kafka-local.json"))
t["name"] = "kafka-local-broken"
t["control"].setdefault("timeouts", {})["kill_broker"] = timeout
cmds = t["control"]["commands"]
for op in cmds:  # the file lives elsewhere: resolve {target_dir} now
    cmds[op] = cmds[op].replace("{target_dir}", "'" + tdir + "'")
cmds["kill_broker"] = kill
dep = t.get("deployment", {})
if "price_sheet" in dep:  # relative to the target file: make it absolute for the copy
    import os
    dep["price_sheet"] = os.path.normpath(os.path.join(tdir, dep["price_sheet"]))
json.dump(t, open(out, "w"), indent=2)
PY
}
mk_target "$DIR/failing.json" 60s 'echo "cannot reach broker {broker}" >&2; exit 3'
mk_target "$DIR/hanging.json" 2s 'echo "killing {broker} slowly" >&2; sleep 60'
printf '%s\n' '{"name": "idempotence-only", "suites": [{"suite": "semantics", "checks": ["semantics.idempotence"]}]}' \
  >"$DIR/idem.json"
printf '%s\n' '{"name": "idempotence-negative-control", "suites": [{"suite": "semantics", "checks": ["semantics.idempotence"], "client": {"producer": {"enable.idempotence": false}}}]}' \
  >"$DIR/idem-off.json"

"$KPROOF" keygen --out "$DIR/k.pem" >/dev/null 2>&1
# runs.sh: the three kproof runs, run by with-cluster.sh while the cluster is up
{
  echo '#!/usr/bin/env bash'
  printf '%q run %q --target %q --out %q --sign-key %q 2>%q; echo $? >%q\n' "$KPROOF" \
    "$REPO_ROOT/scenarios/semantics.json" "$REPO_ROOT/targets/kafka-local.json" "$RUN" \
    "$DIR/k.pem" "$DIR/run.err" "$DIR/run.rc"
  printf '%q run %q --target %q --out %q 2>%q; echo $? >%q\n' "$KPROOF" "$DIR/idem-off.json" \
    "$REPO_ROOT/targets/kafka-local.json" "$DIR/run-idem-off" "$DIR/idem-off.err" "$DIR/idem-off.rc"
  for v in failing hanging; do
    printf '%q run %q --target %q --out %q 2>%q; echo $? >%q\n' "$KPROOF" "$DIR/idem.json" \
      "$DIR/$v.json" "$DIR/run-$v" "$DIR/$v.err" "$DIR/$v.rc"
  done
} >"$DIR/runs.sh"

t=$(date +%s)
wrc=0
"$WITH_CLUSTER" bash "$DIR/runs.sh" >"$DIR/run.out" 2>"$DIR/with-cluster.err" || wrc=$?
echo "# with-cluster.sh + three kproof runs took $(($(date +%s) - t))s"
grep -E '\[semantics\]|checks:' "$DIR/run.err" | cut -c1-220 | sed 's/^/# /'
check "with-cluster.sh exits 0 (exit $wrc)" [ "$wrc" -eq 0 ]
rc=$(cat "$DIR/run.rc" 2>/dev/null || echo missing)
if [[ $rc != 0 ]]; then tail -n 40 "$DIR/run.err" | sed 's/^/# /' >&2; fi
check "kproof run on kafka-local exits 0 (exit $rc)" [ "$rc" = 0 ]
require "evidence.json written" test -s "$RUN/evidence.json"

# evidence_ok: >= 27 kafka-semantics checks, all pass, none skipped
evidence_ok() {
  python3 - "$RUN/evidence.json" <<'PY'
import json, sys
ev = json.load(open(sys.argv[1]))
checks = [c for c in ev["checks"] if c["row"] == "kafka-semantics"]
bad = [c for c in checks if c["verdict"] != "pass"]
for c in bad:
    print("# %s: %s: %s" % (c["id"], c["verdict"], c.get("reason", "")), file=sys.stderr)
print("# %d kafka-semantics checks, %d not pass" % (len(checks), len(bad)), file=sys.stderr)
sys.exit(0 if len(checks) >= 27 and not bad else 1)
PY
}
check "at least 27 kafka-semantics checks, every one pass" evidence_ok

# passed ID...: the listed checks exist and passed
passed() {
  python3 - "$RUN/evidence.json" "$@" <<'PY'
import json, sys
ev = json.load(open(sys.argv[1]))
v = {c["id"]: c["verdict"] for c in ev["checks"]}
missing = [i for i in sys.argv[2:] if v.get(i) != "pass"]
if missing:
    print("# not passed: %s" % ", ".join("%s=%s" % (i, v.get(i, "absent")) for i in missing), file=sys.stderr)
sys.exit(1 if missing else 0)
PY
}
check "transactions: read_committed/uncommitted, fencing, consume-transform-produce" \
  passed semantics.transactions semantics.txn-fencing semantics.txn-consume-transform-produce
zs=$(jq -r '[.checks[] | select(.id == "semantics.txn-fencing") | .measurements[] | select(.name == "zombie_records_sent" or .name == "zombie_records_refused_by_client") | .value] | "\(length) \(add)"' "$RUN/evidence.json")
check "txn-fencing measures the zombie records sent and refused, 20 in all ($zs)" [ "$zs" = "2 20" ]
check "admin: topics and configs" passed semantics.admin semantics.admin-configs
check "ListOffsets by time, offset reset, rebalance, compaction, size limit" \
  passed semantics.list-offsets-time semantics.offset-reset semantics.group-rebalance \
  semantics.compaction semantics.size-limit
check "idempotence and group resume" passed semantics.idempotence semantics.group-resume
check "client-facing APIs: LogAppendTime, CreatePartitions, DeleteRecords, commit metadata, OffsetDelete/DeleteGroups" \
  passed semantics.timestamp-log-append semantics.create-partitions semantics.delete-records \
  semantics.commit-metadata semantics.delete-groups
check "KIP-848 consumer protocol and transaction timeout" \
  passed semantics.consumer-protocol semantics.txn-timeout
# measured_ok ID NAME LO HI: the check measured NAME within [LO, HI]
measured_ok() {
  python3 - "$RUN/evidence.json" "$@" <<'PY'
import json, sys
ev = json.load(open(sys.argv[1]))
cid, name, lo, hi = sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5])
c = next(c for c in ev["checks"] if c["id"] == cid)
v = [m["value"] for m in c["measurements"] if m["name"] == name]
print("# %s %s = %s" % (cid, name, v), file=sys.stderr)
sys.exit(0 if len(v) == 1 and lo <= v[0] <= hi else 1)
PY
}
check "delete-records: the listed low watermark is 6" measured_ok semantics.delete-records low_watermark_listed 6 6
check "txn-timeout: no record of the open transaction reached read_committed" \
  measured_ok semantics.txn-timeout read_committed_open_records 0 0
check "txn-timeout: the 3 records committed after it did" \
  measured_ok semantics.txn-timeout read_committed_committed_records 3 3
check "consumer-protocol: member 1 read records of its partitions only, some" \
  measured_ok semantics.consumer-protocol records_member_1 1 39
check "consumer-protocol: member 2 too" measured_ok semantics.consumer-protocol records_member_2 1 39

# actions_ok: kill_broker and start_broker recorded on the idempotence check
actions_ok() {
  python3 - "$RUN/evidence.json" <<'PY'
import json, sys
ev = json.load(open(sys.argv[1]))
c = next(c for c in ev["checks"] if c["id"] == "semantics.idempotence")
ops = {a["operation"]: a for a in c["actions"]}
ok = True
for op, word in (("kill_broker", "kafka.sh kill "), ("start_broker", "kafka.sh start-broker ")):
    a = ops.get(op)
    if not a:
        print("# no %s action recorded" % op, file=sys.stderr); ok = False; continue
    if not (a.get("ok") and a.get("exit_code") == 0 and word in a.get("command", "")
            and a.get("duration_ms", -1) >= 0 and "[stderr]" in a.get("output_tail", "")):
        print("# incomplete %s evidence: %s" % (op, json.dumps(a)), file=sys.stderr); ok = False
sys.exit(0 if ok else 1)
PY
}
check "exec control invocations recorded (command, exit code, duration, output tail)" actions_ok
check "events.jsonl journals the control actions" grep -q '"control.end"' "$RUN/events.jsonl"

# failing_ok RUNDIR WANT EXIT: idempotence is `error`; its reason and the failed kill_broker action
# carry WANT, the action's exit code is EXIT, and the broker restart was still attempted
failing_ok() {
  python3 - "$1/evidence.json" "$2" "$3" <<'PY'
import json, sys
ev = json.load(open(sys.argv[1]))
want, code = sys.argv[2], int(sys.argv[3])
c = next(c for c in ev["checks"] if c["id"] == "semantics.idempotence")
kill = [a for a in c["actions"] if a["operation"] == "kill_broker"]
start = [a for a in c["actions"] if a["operation"] == "start_broker"]
ok = (c["verdict"] == "error" and want in c["reason"] and len(kill) == 1 and not kill[0]["ok"]
      and want in kill[0].get("error", "") and kill[0].get("exit_code") == code
      and "[stderr]" in kill[0].get("output_tail", "") and "duration_ms" in kill[0]
      and len(start) == 1 and start[0]["ok"])
if not ok:
    print("# %s: %s; actions %s" % (c["verdict"], c["reason"], json.dumps(c["actions"])), file=sys.stderr)
sys.exit(0 if ok else 1)
PY
}
frc=$(cat "$DIR/failing.rc" 2>/dev/null || echo missing)
check "a failing kill_broker command: kproof exits 3 (exit $frc)" [ "$frc" = 3 ]
check "... the check is error with the command's exit status and stderr as evidence" \
  failing_ok "$DIR/run-failing" "command exited with status 3: cannot reach broker" 3
hrc=$(cat "$DIR/hanging.rc" 2>/dev/null || echo missing)
check "a kill_broker command past the 2 s timeout: kproof exits 3 (exit $hrc)" [ "$hrc" = 3 ]
check "... the check is error naming the timeout, with the output as evidence" \
  failing_ok "$DIR/run-hanging" "command timed out after 2 s and was killed: killing" -1
orc=$(cat "$DIR/idem-off.rc" 2>/dev/null || echo missing)
ov=$(jq -r '.checks[] | select(.id == "semantics.idempotence") | "\(.verdict): \(.reason)"' "$DIR/run-idem-off/evidence.json" 2>/dev/null)
od=$(jq -r '[.checks[] | select(.id == "semantics.idempotence") | .measurements[] | select(.name == "duplicates") | .value][0]' "$DIR/run-idem-off/evidence.json" 2>/dev/null)
echo "# negative control (enable.idempotence=false): exit $orc, $od duplicates: $ov"
check "negative control: without idempotence the same fault leaves duplicates and the check fails ($ov)" \
  bash -c '[[ $1 == "fail: negative control: "* ]] && awk -v d="$2" "BEGIN { exit !(d > 0) }"' _ "$ov" "$od"
check "no java process of the cluster left after the run" no_jvm_left "$DIR"

# The same scenario on the embedded cluster: only pass or skip with a reason; then the bake-off
# page over both runs (same scenario digest, same kproof, both signed with one key).
"$KPROOF" run "$REPO_ROOT/scenarios/semantics.json" --target "$REPO_ROOT/targets/embedded.json" \
  --out "$DIR/run-embedded" --sign-key "$DIR/k.pem" >/dev/null 2>"$DIR/embedded.err"
erc=$?
check "semantics.json on the embedded cluster exits 0 (exit $erc)" [ "$erc" = 0 ]
check "... idempotence skips there: the mock cannot judge it" bash -c \
  '[[ $(jq -r ".checks[] | select(.id == \"semantics.idempotence\") | .verdict + \": \" + .reason" "$1") == "skip: the embedded mock cluster cannot judge"* ]]' \
  _ "$DIR/run-embedded/evidence.json"
check "... with only pass, or skip with a reason" python3 - "$DIR/run-embedded/evidence.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
bad = [(c["id"], c["verdict"]) for c in d["checks"]
       if not (c["verdict"] == "pass" or (c["verdict"] == "skip" and c.get("reason")))]
assert not bad and len(d["checks"]) >= 27, bad
PY
# embedded_ok ID VERDICT REASON_PREFIX: the check's verdict on the embedded cluster
embedded_ok() {
  python3 - "$DIR/run-embedded/evidence.json" "$@" <<'PY'
import json, sys
ev = json.load(open(sys.argv[1]))
cid, verdict, prefix = sys.argv[2:5]
c = next((c for c in ev["checks"] if c["id"] == cid), {"verdict": "absent", "reason": ""})
ok = c["verdict"] == verdict and c.get("reason", "").startswith(prefix)
if not ok:
    print("# %s: %s: %s" % (cid, c["verdict"], c.get("reason", "")), file=sys.stderr)
sys.exit(0 if ok else 1)
PY
}
for id in semantics.create-partitions semantics.delete-records semantics.delete-groups; do
  check "... $id skips there: the mock has no admin API" \
    embedded_ok "$id" skip "librdkafka's mock cluster (embedded) implements no admin API"
done
check "... semantics.timestamp-log-append skips there: no topic configs" \
  embedded_ok semantics.timestamp-log-append skip "the embedded mock cluster creates topics without configs"
check "... semantics.txn-timeout skips there: no transaction markers" \
  embedded_ok semantics.txn-timeout skip "the embedded mock cluster writes no transaction markers"
check "... semantics.commit-metadata passes there" embedded_ok semantics.commit-metadata pass ""
check "... semantics.consumer-protocol (KIP-848) passes there" \
  embedded_ok semantics.consumer-protocol pass ""
"$KPROOF" compare "$RUN" "$DIR/run-embedded" --out "$DIR/cmp" --pubkey "$DIR/k.pem.pub" \
  >"$DIR/cmp.out" 2>"$DIR/cmp.err"
crc=$?
check "kproof compare of the kafka-local and the embedded run exits 0 (exit $crc)" [ "$crc" = 0 ]
check "... writes comparison.html and comparison.pdf naming both targets" bash -c \
  "grep -q kafka-local '$DIR/cmp/comparison.html' && grep -q embedded '$DIR/cmp/comparison.html' \
   && test \"\$(head -c 5 '$DIR/cmp/comparison.pdf')\" = %PDF-"
check "... and shows the transactions check passed on one and skipped on the other" python3 - \
  "$DIR/cmp/comparison.html" <<'PY'
import re, sys
h = open(sys.argv[1]).read()
i = h.find("semantics.transactions")
assert i >= 0
row = h[i:h.find("</tr>", i)]
assert "pass" in row and "skip" in row, row[:400]
PY
finish
