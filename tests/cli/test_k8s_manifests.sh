#!/usr/bin/env bash
# The Kubernetes manifests of distributed load (docker/k8s, README "Distributed load on
# Kubernetes") checked offline:
#  1. every manifest validates strictly (unknown keys rejected) against the Kubernetes 1.33 JSON
#     schemas bundled in the pinned kubernetes-validate (tests/tools/requirements.txt);
#  2. the check is real: a misspelled key and a wrongly typed value are rejected;
#  3. what the schema cannot say: the workers Job is Indexed with completions = parallelism = the
#     scenario's workload.workers, its pods run `kproof worker` against the scenario's shard store
#     with launcher "external", the coordinator runs `kproof run`; the ConfigMap's scenario and
#     target pass `kproof validate`.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

K8S_VERSION=1.33.0
M=$KPROOF_SRC/docker/k8s
if ! "$KPROOF_SRC/tests/tools/pyvenv.sh" install >"$T/pyvenv.log" 2>&1; then
	not_ok "the test virtualenv (tests/tools/pyvenv.sh install): $(tail -n 1 "$T/pyvenv.log")"
	finish
fi
PY=$("$KPROOF_SRC/tests/tools/pyvenv.sh" python)
KV=$(dirname "$PY")/kubernetes-validate

for f in "$M"/*.yaml; do
	out=$("$KV" -k "$K8S_VERSION" --strict --quiet "$f" 2>&1)
	check "$(basename "$f") validates against Kubernetes $K8S_VERSION ($out)" test $? -eq 0
done

sed 's/^  parallelism: /  paralellism: /' "$M/workers-job.yaml" >"$T/typo.yaml"
out=$("$KV" -k "$K8S_VERSION" --strict --quiet "$T/typo.yaml" 2>&1)
check "a misspelled key is rejected" bash -c "[[ \$1 != 0 ]] && grep -q paralellism <<<\"\$2\"" _ $? "$out"
sed 's/^  completions: .*/  completions: four/' "$M/workers-job.yaml" >"$T/type.yaml"
"$KV" -k "$K8S_VERSION" --strict --quiet "$T/type.yaml" >/dev/null 2>&1
check "a wrongly typed value is rejected" test $? -ne 0

"$PY" - "$M" "$T" >"$T/sem.txt" 2>&1 <<'PYEOF'
import json, os, sys, yaml
m, t = sys.argv[1], sys.argv[2]
def load(n):
    with open(os.path.join(m, n)) as f:
        return yaml.safe_load(f)
cm, job, coord = load("configmap.yaml"), load("workers-job.yaml"), load("coordinator-job.yaml")
scn = json.loads(cm["data"]["scenario.json"])
for name in ("scenario.json", "target.json"):
    with open(os.path.join(t, name), "w") as f:
        f.write(cm["data"][name])
w = scn["suites"][0]["workload"]
spec = job["spec"]
c = spec["template"]["spec"]["containers"][0]
args = c["args"]
def ok(cond, what):
    print(("ok" if cond else "not ok") + " - " + what)
ok(spec.get("completionMode") == "Indexed", "the workers Job is Indexed")
ok(spec["completions"] == spec["parallelism"] == w["workers"],
   "completions = parallelism = workload.workers (%s, %s, %s)" % (spec["completions"], spec["parallelism"], w["workers"]))
ok(spec["template"]["spec"]["restartPolicy"] == "Never" and spec.get("backoffLimit") == 0,
   "a failed worker is not retried (its shard would start late)")
ok(args[0] == "worker" and "--index" not in args, "pods run kproof worker, index from JOB_COMPLETION_INDEX")
ok(args[args.index("--store") + 1] == w["shard_store"], "--store is the scenario's shard_store")
ok(w.get("launcher") == "external", "the scenario's launcher is external")
ok(coord["spec"]["template"]["spec"]["containers"][0]["args"][0] == "run", "the coordinator runs kproof run")
vols = {v["name"]: v for v in spec["template"]["spec"]["volumes"]}
ok(vols["config"]["configMap"]["name"] == cm["metadata"]["name"], "the workers mount the ConfigMap")
PYEOF
while read -r line; do
	case $line in
	"ok - "*) ok "${line#ok - }" ;;
	*) not_ok "${line#not ok - }" ;;
	esac
done <"$T/sem.txt"
out=$("$KPROOF" validate "$T/scenario.json" "$T/target.json" 2>&1)
check "the ConfigMap's scenario and target pass kproof validate ($out)" test $? -eq 0
finish
