#!/usr/bin/env bash
# The scaling and cost suites on the embedded cluster: what the mock can express runs (leader moves,
# the priced workload), what it cannot (adding brokers, reassignment, storage) is skipped with the
# reason; a target without a deployment skips the cost check (and a run of only that check verified
# nothing: exit 1); a price sheet without a date makes the target invalid (exit 2); a missed
# max_monthly_cost gate fails the run (exit 1); a price sheet of another provider/region than the
# deployment fails cost.model unless the scenario allows a proxy; leader-move is judged by the
# failover suite's history checker.
set -uo pipefail
KPROOF=${KPROOF:-$(cd "$(dirname "$0")/../.." && pwd)/build/kproof}
SRC=${KPROOF_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
WORK=$(mktemp -d "${KPROOF_TEST_TMP:-/tmp}/kproof-scaling-cost-emb.XXXXXX")
# shellcheck source=tests/lib/assert.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/assert.sh"
SCRATCH=$WORK
m() {
  jq -r --arg n "$1" --arg c "$2" \
    '[.checks[] | select(.id == $c) | .measurements[] | select(.name == $n and ((.labels // {}) | length == 0)) | .value][0] // "none"' "$3"
}
jqe() { jq -e "$@" >/dev/null; }
verdict() { jq -r --arg c "$1" '.checks[] | select(.id == $c) | .verdict' "$2"; }
reason() { jq -r --arg c "$1" '.checks[] | select(.id == $c) | .reason' "$2"; }

cat >"$WORK/target.json" <<JSON
{"name": "embedded-priced",
 "control": {"type": "embedded", "brokers": 3, "racks": ["zone-a", "zone-b", "zone-c"]},
 "kafka": {"socket.timeout.ms": 10000, "fetch.wait.max.ms": 20},
 "deployment": {"architecture": "shared-nothing", "provider": "aws", "region": "us-east-1",
   "zones": ["zone-a", "zone-b", "zone-c"], "instance_type": "m5.large", "instance_count": 3,
   "retention": "168h", "price_sheet": "$SRC/fixtures/prices/aws-us-east-1.json"}}
JSON
scenario() {   # scenario FILE MAX_MONTHLY_COST
  cat >"$1" <<JSON
{"name": "scaling-cost-embedded",
 "suites": [
  {"suite": "scaling", "workload": {"partitions": 3, "message_bytes": 200, "rate": 500, "duration": "6s", "drain_timeout": "20s"},
   "options": {"warmup": "2s"}, "gates": {"max_leader_move_p99_ms": 5000}},
  {"suite": "cost", "workload": {"partitions": 3, "message_bytes": 200, "rate": 1000, "duration": "3s", "drain_timeout": "20s"},
   "options": {"client_zone": "zone-a"}, "gates": {"max_monthly_cost": $2}}]}
JSON
}
scenario "$WORK/scenario.json" 100000

"$KPROOF" run "$WORK/scenario.json" -t "$WORK/target.json" -o "$WORK/run" >"$WORK/run.out" 2>"$WORK/run.err"
rc=$?
E=$WORK/run/evidence.json
check "the run exits 0 (exit $rc)" [ "$rc" = 0 ]
check "scaling.scale-out is skipped" [ "$(verdict scaling.scale-out "$E")" = skip ]
check "... naming add_broker, rebalance and storage_bytes as what the mock lacks" bash -c \
  'grep -q "add_broker: " <<<"$1" && grep -q "rebalance: " <<<"$1" && grep -q "storage_bytes: " <<<"$1"' _ "$(reason scaling.scale-out "$E")"
check "scaling.leader-move passes on the mock" [ "$(verdict scaling.leader-move "$E")" = pass ]
check "... with a metadata-only verdict" grep -q '^metadata-only: ' <<<"$(reason scaling.leader-move "$E")"
check "... its time to traffic is measured" bash -c '[ "$1" != none ]' _ "$(m time_to_traffic_s scaling.leader-move "$E")"
check "... and zero lost records" [ "$(m lost_acked scaling.leader-move "$E")" = 0 ]
check "... judged by the history checker: every anomaly kind measured" bash -c \
  'for k in lost_write unseen duplicate inconsistent_offsets nonmonotonic_send nonmonotonic_poll poll_skip aborted_read; do
     [ "$(jq -r --arg n "anomalies_$k" "[.checks[] | select(.id == \"scaling.leader-move\") | .measurements[] | select(.name == \$n) | .value][0]" "$1")" = 0 ] || exit 1
   done' _ "$E"
check "... acknowledgements without an offset counted apart ($(m acked_without_offset scaling.leader-move "$E"))" \
  bash -c '[ "$1" != none ]' _ "$(m acked_without_offset scaling.leader-move "$E")"
check "cost.model passes" [ "$(verdict cost.model "$E")" = pass ]
check "compute is 3 x 730 h x 0.096 USD = 210.24" [ "$(m cost_compute_usd_month cost.model "$E")" = 210.24 ]
total=$(m monthly_cost_usd cost.model "$E")
sum=$(jq '[.checks[] | select(.id == "cost.model") | .measurements[] | select(.name | test("^cost_.*_usd_month$")) | .value] | add' "$E")
check "the total ($total) is the sum of the seven drivers ($sum)" \
  awk -v a="$total" -v b="$sum" 'BEGIN { d = a - b; exit !(a > 210 && d < 1e-6 && d > -1e-6) }'
check "the compression ratio is stated as assumed (the mock reports no storage)" \
  jqe '.checks[] | select(.id == "cost.model") | .measurements[] | select(.name == "compression_ratio" and .labels.input == "assumed")' "$E"
check "cross-zone replication comes from the mock's racks (2 followers elsewhere)" \
  jqe '.checks[] | select(.id == "cost.model") | .measurements[] | select(.name == "cross_zone_replicas_per_byte" and .labels.input == "measured" and .value == 2)' "$E"
check "the projections cover 1 MB/s to 1 GB/s and 1 to 30 days for three architectures" bash -c \
  'test "$(grep -vc "^#" "$1/plots/cost-projection-throughput.tsv")" = 7 && test "$(grep -vc "^#" "$1/plots/cost-projection-retention.tsv")" = 6 &&
   awk -F"\t" "!/^#/ && NF != 5 { bad = 1 } END { exit bad }" "$1/plots/cost-projection-throughput.tsv"' _ "$WORK/run"
check "report.html has the cost breakdown and inlined projection plots" bash -c \
  'grep -q "Monthly cost by driver" "$1" && grep -q "Monthly cost projection over retention" "$1"' _ "$WORK/run/report.html"
check "the max_monthly_cost gate was evaluated" \
  jqe '.gates[] | select(.name == "max_monthly_cost" and .passed == true)' "$E"

# A target that declares no deployment: nothing to price.
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d.pop("deployment",None); d["name"]="embedded-nodeploy"; json.dump(d,open(sys.argv[2],"w"))' \
	"$SRC/targets/embedded.json" "$WORK/nodeploy.json"
"$KPROOF" run "$WORK/scenario.json" -t "$WORK/nodeploy.json" -s cost -o "$WORK/run2" >/dev/null 2>"$WORK/run2.err"
rc=$?
check "without a deployment nothing was verified: the run exits 1 (exit $rc)" [ "$rc" = 1 ]
check "... and cost.model is skipped naming the missing fields" bash -c \
  'grep -q "declares no deployment price_sheet, architecture, instance_type, instance_count, retention" <<<"$1"' _ \
  "$(reason cost.model "$WORK/run2/evidence.json")"

# A gate below the measured cost fails the run.
scenario "$WORK/scenario-gate.json" 100
"$KPROOF" run "$WORK/scenario-gate.json" -t "$WORK/target.json" -s cost -o "$WORK/run3" >/dev/null 2>"$WORK/run3.err"
rc=$?
check "max_monthly_cost 100 USD below the cost fails the run (exit $rc)" [ "$rc" = 1 ]

# A deployment in another provider/region than the price sheet: fail, unless the scenario allows a
# proxy price sheet explicitly.
jq '.deployment.provider = "gcp" | .deployment.region = "europe-west1"' "$WORK/target.json" >"$WORK/target-gcp.json"
"$KPROOF" run "$WORK/scenario.json" -t "$WORK/target-gcp.json" -s cost -o "$WORK/run4" >/dev/null 2>&1
check "a price sheet of another provider/region fails cost.model ($(reason cost.model "$WORK/run4/evidence.json"))" \
  [ "$(verdict cost.model "$WORK/run4/evidence.json")" = fail ]
check "... naming both and the option" bash -c '[[ $1 == "priced with the aws us-east-1 price sheet although the deployment declares provider gcp region europe-west1"*allow_proxy_price_sheet* ]]' _ \
  "$(reason cost.model "$WORK/run4/evidence.json")"
jq '.suites[1].options.allow_proxy_price_sheet = true' "$WORK/scenario.json" >"$WORK/scenario-proxy.json"
"$KPROOF" run "$WORK/scenario-proxy.json" -t "$WORK/target-gcp.json" -s cost -o "$WORK/run5" >/dev/null 2>&1
check "allowed explicitly, the proxy sheet passes and says so ($(reason cost.model "$WORK/run5/evidence.json"))" \
  bash -c '[[ $1 == pass && $2 == "proxy price sheet (allowed): "* ]]' _ \
  "$(verdict cost.model "$WORK/run5/evidence.json")" "$(reason cost.model "$WORK/run5/evidence.json")"

# A price sheet without a date is invalid input: exit 2 naming the sheet and the JSON path.
jq 'del(.prices.kms_key_month.date)' "$SRC/fixtures/prices/aws-us-east-1.json" >"$WORK/nodate.json"
jq --arg p "$WORK/nodate.json" '.deployment.price_sheet = $p' "$WORK/target.json" >"$WORK/target-nodate.json"
out=$("$KPROOF" validate "$WORK/target-nodate.json" 2>&1)
rc=$?
check "a price sheet without a date makes the target invalid (exit $rc)" [ "$rc" = 2 ]
check "... naming the sheet and the JSON path ($out)" grep -qF "$WORK/nodate.json: \$.prices.kms_key_month.date: required field is missing" <<<"$out"

finish
