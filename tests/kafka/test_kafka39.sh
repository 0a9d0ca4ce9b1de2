#!/usr/bin/env bash
# Kafka 3.9 as a second version of the fixture, for an upgrade gate: one 3.9.2 cluster
# (KPROOF_KAFKA_VERSION=3.9, fixtures/kafka/pom-3.9.xml) started by with-cluster.sh, the fixture's
# control commands exercised on it, `kproof run scenarios/semantics.json --target
# targets/kafka39-local.json` with every kafka-semantics check `pass` as on 4.1 (except the KIP-848
# consumer protocol, which 3.9 does not offer by default: skip), then the upgrade
# gate: `kproof diff` (3.9 -> 4.1) and `kproof compare` of that run against a kafka-local (4.1.2) run
# of the same scenario. The cluster is stopped whatever happens and no JVM of it may be left.
#
# One cluster start keeps the test short: the 4.1 side is a stored, signed kafka-local run of
# scenarios/semantics.json in tests/kafka/data/semantics-kafka-local (public key beside it).
# Refresh it when semantics.json or the evidence format changes (as root, in a private netns):
#   build/kproof keygen --out /tmp/rec.pem
#   unshare --net sh -c 'ip link set lo up && fixtures/kafka/with-cluster.sh build/kproof run \
#     scenarios/semantics.json --target targets/kafka-local.json \
#     --out tests/kafka/data/semantics-kafka-local --sign-key /tmp/rec.pem'
#   cp /tmp/rec.pem.pub tests/kafka/data/semantics-kafka-local.pub
# Checks added to the scenario after the stored run are reported, not counted as regressions.
set -uo pipefail
export KPROOF_KAFKA_VERSION=3.9
export KPROOF_KAFKA_HEAP_OPTS=${KPROOF_KAFKA_HEAP_OPTS:--Xms128m -Xmx384m}
# shellcheck source=tests/fixtures/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../fixtures/lib.sh"
isolate "$@"
new_cluster_dir
DIR=$KPROOF_KAFKA_DIR
KPROOF=${KPROOF:-$REPO_ROOT/build/kproof}
RUN=$DIR/run39

on_exit() {
  "$KAFKA_SH" stop >/dev/null 2>&1 || true
  end_watch_cluster
  if ((FAILED == 0)); then rm -rf "$DIR"; else echo "# kept for inspection: $DIR" >&2; fi
}
trap on_exit EXIT
watch_cluster

require "kproof binary exists ($KPROOF)" test -x "$KPROOF"
check "kafka.sh refuses a version it has no pom for (exit 2, naming the supported ones)" bash -c \
  'out=$(KPROOF_KAFKA_VERSION=3.8 "$1" dir 2>&1); rc=$?; [[ $rc == 2 && $out == *"3.8"*"not supported"*"3.9.2"* ]]' _ "$KAFKA_SH"
check "KPROOF_KAFKA_VERSION=3.9 selects 3.9.2 (usage names it)" bash -c '"$1" --help | grep -q "Kafka 3.9.2 KRaft"' _ "$KAFKA_SH"
"$KPROOF" keygen --out "$DIR/k.pem" >/dev/null 2>&1

# runs.sh, run by with-cluster.sh while the 3.9 cluster is up: fixture commands, then the scenario
cat >"$DIR/runs.sh" <<EOS
#!/usr/bin/env bash
K=$(printf '%q' "$KAFKA_SH")
\$K --version 3.9 tool org.apache.kafka.tools.TopicCommand --bootstrap-server 127.0.0.1:19092 \
  --create --topic probe --partitions 1 --replication-factor 3 >/dev/null 2>&1
cat /proc/\$(\$K status | awk '\$1 == 1 { print \$2 }')/cmdline | tr '\0' '\n' | grep -c '^-Dlog4j.configuration=file:.*log4j-broker.properties$' >$(printf '%q' "$DIR/log4j.count")
\$K leader probe 0 >$(printf '%q' "$DIR/leader.out") 2>/dev/null
\$K controller >$(printf '%q' "$DIR/controller.out") 2>/dev/null
KPROOF_KAFKA_VERSION=4.1 \$K start >/dev/null 2>$(printf '%q' "$DIR/wrong-version.err"); echo \$? >$(printf '%q' "$DIR/wrong-version.rc")
$(printf '%q run %q --target %q --out %q --sign-key %q 2>%q; echo $? >%q' "$KPROOF" \
  "$REPO_ROOT/scenarios/semantics.json" "$REPO_ROOT/targets/kafka39-local.json" "$RUN" \
  "$DIR/k.pem" "$DIR/run.err" "$DIR/run.rc")
EOS

t=$(date +%s)
wrc=0
"$WITH_CLUSTER" bash "$DIR/runs.sh" >"$DIR/run.out" 2>"$DIR/with-cluster.err" || wrc=$?
echo "# with-cluster.sh (Kafka 3.9.2) + kproof run took $(($(date +%s) - t))s"
grep -E '\[semantics\]|checks:' "$DIR/run.err" | cut -c1-220 | sed 's/^/# /'
check "with-cluster.sh exits 0 (exit $wrc)" [ "$wrc" -eq 0 ]
check "the cluster is Kafka 3.9.2 (its directory says so)" grep -qx 3.9.2 "$DIR/kafka.version"
check "3.9 nodes log through log4j 1.x properties (reload4j)" [ "$(cat "$DIR/log4j.count" 2>/dev/null)" = 1 ]
check "leader and controller answer on 3.9" bash -c \
  '[[ $(cat "$1") =~ ^[123]$ && $(cat "$2") =~ ^[123]$ ]]' _ "$DIR/leader.out" "$DIR/controller.out"
check "kafka.sh refuses to start 4.1 on the 3.9 cluster directory" bash -c \
  '[[ $(cat "$1") == 1 ]] && grep -q "holds a Kafka 3.9.2 cluster, this is Kafka 4.1.2" "$2"' _ \
  "$DIR/wrong-version.rc" "$DIR/wrong-version.err"
rc=$(cat "$DIR/run.rc" 2>/dev/null || echo missing)
if [[ $rc != 0 ]]; then tail -n 40 "$DIR/run.err" | sed 's/^/# /' >&2; fi
check "kproof run semantics.json on kafka39-local exits 0 (exit $rc)" [ "$rc" = 0 ]
require "evidence.json written" test -s "$RUN/evidence.json"
# Kafka 3.9 does not offer the KIP-848 consumer group protocol unless the broker enables it
# (group.coordinator.rebalance.protocols): semantics.consumer-protocol skips, naming the refusal.
check "at least 15 kafka-semantics checks on 3.9, every one pass (consumer-protocol: skip)" python3 - "$RUN/evidence.json" <<'PY'
import json, sys
ev = json.load(open(sys.argv[1]))
checks = [c for c in ev["checks"] if c["row"] == "kafka-semantics"]
def expected(c):
    if c["id"] == "semantics.consumer-protocol":
        return (c["verdict"] == "skip" and "KIP-848" in c.get("reason", "")
                and "UNSUPPORTED_VERSION" in c.get("reason", ""))
    return c["verdict"] == "pass"
bad = [c for c in checks if not expected(c)]
for c in bad:
    print("# %s: %s: %s" % (c["id"], c["verdict"], c.get("reason", "")), file=sys.stderr)
print("# %d kafka-semantics checks, %d not pass" % (len(checks), len(bad)), file=sys.stderr)
sys.exit(0 if len(checks) >= 15 and not bad else 1)
PY
check "no java process of the cluster left after the run" no_jvm_left "$DIR"

# The upgrade gate: 3.9 (A) -> 4.1 (B, the stored kafka-local run)
STORED=$REPO_ROOT/tests/kafka/data/semantics-kafka-local
require "a stored kafka-local run of semantics.json exists" test -s "$STORED/evidence.json"
drc=0
"$KPROOF" diff "$RUN" "$STORED" --json >"$DIR/diff.json" 2>"$DIR/diff.err" || drc=$?
"$KPROOF" diff "$RUN" "$STORED" 2>/dev/null | sed -n '/^verdicts:/,/^$/p' | sed 's/^/# /'
check "kproof diff 3.9 -> 4.1 answers (exit $drc: 0 or 1)" [ "$drc" -le 1 ]
check "... no regression from 3.9 to 4.1 but checks the stored run predates" python3 - \
  "$DIR/diff.json" <<'PY2'
import json, sys
d = json.load(open(sys.argv[1]))
stale = [c["id"] for c in d["checks"] if c["change"] == "regression" and c["b"] == "missing"]
real = [c for c in d["checks"] if c["change"] == "regression" and c["b"] != "missing"]
real += [g for g in d["gates"] if g.get("change") == "regression"]
real += [m for m in d["measurements"] if m.get("change") == "regression"]
if stale:
    print("# not in the stored 4.1 run (refresh it, see the header): %s" % ", ".join(stale), file=sys.stderr)
for r in real:
    print("# regression 3.9 -> 4.1: %s" % json.dumps(r), file=sys.stderr)
sys.exit(1 if real else 0)
PY2
crc=0
"$KPROOF" compare "$STORED" "$RUN" --out "$DIR/cmp" --pubkey "$DIR/k.pem.pub" \
  --pubkey "$STORED.pub" --force >"$DIR/cmp.out" 2>"$DIR/cmp.err" || crc=$?
if [[ $crc != 0 ]]; then sed 's/^/# /' "$DIR/cmp.err" >&2; fi
check "kproof compare of the kafka-local (4.1) and kafka39-local runs exits 0, both verified (exit $crc)" [ "$crc" = 0 ]
check "... comparison.html names both targets, comparison.pdf is a PDF" bash -c \
  "grep -q '>kafka-local<' '$DIR/cmp/comparison.html' && grep -q kafka39-local '$DIR/cmp/comparison.html' \
   && test \"\$(head -c 5 '$DIR/cmp/comparison.pdf')\" = %PDF-"
check "... and shows semantics.admin-configs passed on both versions" python3 - \
  "$DIR/cmp/comparison.html" <<'PY2'
import sys
h = open(sys.argv[1]).read()
i = h.find("semantics.admin-configs")
assert i >= 0
row = h[i:h.find("</tr>", i)]
assert row.count("pass") >= 2 and "fail" not in row, row[:400]
PY2
finish
