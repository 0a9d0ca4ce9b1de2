#!/usr/bin/env bash
# kproof against a real Apache Kafka cluster: fixtures/kafka/with-cluster.sh starts a fresh 3-node
# cluster, `kproof run scenarios/semantics.json --target targets/kafka-local.json` runs the whole
# semantics suite on it, the cluster is stopped whatever happens. The evidence must hold at least
# 15 kafka-semantics checks, every one `pass`, and the exec control adapter's invocations (the
# idempotence check kills and restarts a broker) must be recorded with command, exit code,
# duration and output. No JVM of the cluster may be left afterwards.
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
  if ((FAILED == 0)); then rm -rf "$DIR"; else echo "# kept for inspection: $DIR" >&2; fi
}
trap on_exit EXIT

require "kproof binary exists ($KPROOF)" test -x "$KPROOF"
t=$(date +%s)
rc=0
"$WITH_CLUSTER" "$KPROOF" run "$REPO_ROOT/scenarios/semantics.json" \
  --target "$REPO_ROOT/targets/kafka-local.json" --out "$RUN" >"$DIR/run.out" 2>"$DIR/run.err" || rc=$?
echo "# with-cluster.sh + kproof run took $(($(date +%s) - t))s"
grep -E '\[semantics\]|checks:' "$DIR/run.err" | cut -c1-220 | sed 's/^/# /'
if ((rc != 0)); then tail -n 40 "$DIR/run.err" | sed 's/^/# /' >&2; fi
check "kproof run on kafka-local exits 0 (exit $rc)" [ "$rc" -eq 0 ]
require "evidence.json written" test -s "$RUN/evidence.json"

# evidence_ok: >= 15 kafka-semantics checks, all pass, none skipped
evidence_ok() {
  python3 - "$RUN/evidence.json" <<'PY'
import json, sys
ev = json.load(open(sys.argv[1]))
checks = [c for c in ev["checks"] if c["row"] == "kafka-semantics"]
bad = [c for c in checks if c["verdict"] != "pass"]
for c in bad:
    print("# %s: %s: %s" % (c["id"], c["verdict"], c.get("reason", "")), file=sys.stderr)
print("# %d kafka-semantics checks, %d not pass" % (len(checks), len(bad)), file=sys.stderr)
sys.exit(0 if len(checks) >= 15 and not bad else 1)
PY
}
check "at least 15 kafka-semantics checks, every one pass" evidence_ok

# the listed checks exist and passed
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
check "admin: topics and configs" passed semantics.admin semantics.admin-configs
check "ListOffsets by time, offset reset, rebalance, compaction, size limit" \
  passed semantics.list-offsets-time semantics.offset-reset semantics.group-rebalance \
  semantics.compaction semantics.size-limit
check "idempotence and group resume" passed semantics.idempotence semantics.group-resume

# exec adapter evidence: kill_broker and start_broker recorded on the idempotence check
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
check "no java process of the cluster left after the run" no_jvm_left "$DIR"
finish
