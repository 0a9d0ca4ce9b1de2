#!/usr/bin/env bash
# scripts/bakeoff.sh [-o DIR] [-s SCENARIO] [CONTESTANT...]
#
# A bake-off: the same scenario (default scenarios/bakeoff.json) on each contestant, each on a
# fresh platform started by the project's fixtures in a private network namespace, then
# `kproof compare` over the runs into DIR/comparison/comparison.html (and .pdf). Contestants:
#
#   kafka-local         Apache Kafka 4.1, 3 KRaft nodes, shared-nothing
#   kafka39-local       the same cluster on Apache Kafka 3.9 (an upgrade gate's other side)
#   kafka-tiered-local  Apache Kafka 4.1 with tiered storage (KIP-405, LocalTieredStorage)
#   embedded            librdkafka's mock cluster in the kproof process (no fixture; for a dry run)
#
# Default: kafka-local kafka39-local kafka-tiered-local. A contestant whose platform cannot be
# started here is reported and left out; the comparison needs two runs at least. Each run's
# directory, exit code and duration are in DIR/summary.tsv. Exit: 0 when every run ended and the
# comparison page was written (findings in the runs are what a bake-off is for), 1 when a run ended
# in an infrastructure error (exit 3) or the comparison failed, 2 on usage errors.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
KPROOF=${KPROOF:-$here/build/kproof}
out=
scenario=$here/scenarios/bakeoff.json
default_contestants=(kafka-local kafka39-local kafka-tiered-local)

usage() { sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { printf 'bakeoff.sh: %s\n' "$*" >&2; exit 2; }

while (($#)); do
	case $1 in
	-o | --out) (($# >= 2)) || die "$1 needs a directory"; out=$2; shift 2 ;;
	-s | --scenario) (($# >= 2)) || die "$1 needs a file"; scenario=$2; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	-*) die "unknown option $1 (see --help)" ;;
	*) break ;;
	esac
done
contestants=("$@")
((${#contestants[@]})) || contestants=("${default_contestants[@]}")
[[ -x $KPROOF ]] || die "no kproof binary at $KPROOF (build it: scripts/build.sh build, or set KPROOF)"
[[ -r $scenario ]] || die "cannot read scenario $scenario"
[[ -n $out ]] || out=$here/bakeoff-$(date -u +%Y%m%dT%H%M%SZ)
[[ ! -e $out/summary.tsv ]] || die "$out already holds a bake-off (summary.tsv); choose another -o"
declare -A seen=()
for c in "${contestants[@]}"; do
	case $c in
	kafka-local | kafka39-local | kafka-tiered-local | embedded) ;;
	*) die "unknown contestant '$c' (kafka-local, kafka39-local, kafka-tiered-local, embedded)" ;;
	esac
	[[ -z ${seen[$c]:-} ]] || die "contestant '$c' named twice"
	seen[$c]=1
done
"$KPROOF" validate "$scenario" >/dev/null || die "invalid scenario $scenario"
mkdir -p "$out/runs" "$out/logs" || die "cannot create $out"
out=$(cd "$out" && pwd -P)
printf 'contestant\texit\tseconds\trun\n' >"$out/summary.tsv"

# run_in_netns CMD...: a private network namespace (loopback only) when we may, so the
# contestants' fixed ports never meet another cluster on this machine.
run_in_netns() {
	if [[ $(id -u) == 0 ]] && unshare --net true 2>/dev/null; then
		unshare --net -- bash -c 'ip link set lo up && exec "$@"' _ "$@"
	else
		"$@"
	fi
}

infra=0 runs=()
for c in "${contestants[@]}"; do
	run=$out/runs/$c log=$out/logs/$c.log t0=$(date +%s)
	target=$here/targets/$c.json
	# The fixture's default cluster directory (.run/kafka, or .run/kafka-<version>): the targets'
	# storage log_dirs name it. with-cluster.sh starts each contestant on a fresh one.
	env=()
	case $c in
	kafka39-local) env+=(KPROOF_KAFKA_VERSION=3.9) ;;
	kafka-tiered-local) env+=(KPROOF_KAFKA_TIERED=1) ;;
	esac
	echo "bakeoff.sh: $c: running $(basename "$scenario") (log: $log)" >&2
	if [[ $c == embedded ]]; then
		"$KPROOF" run "$scenario" -t "$target" -o "$run" -q >"$log" 2>&1
		rc=$?
	else
		# Resolve the platform's artifacts here: the namespace has no network.
		env "${env[@]}" "$here/fixtures/kafka/kafka.sh" install >>"$log" 2>&1 ||
			{ echo "bakeoff.sh: $c: kafka.sh install failed (see $log); left out" >&2; infra=1; continue; }
		run_in_netns env "${env[@]}" "$here/fixtures/kafka/with-cluster.sh" \
			"$KPROOF" run "$scenario" -t "$target" -o "$run" -q >"$log" 2>&1
		rc=$?
	fi
	secs=$(($(date +%s) - t0))
	printf '%s\t%s\t%s\t%s\n' "$c" "$rc" "$secs" "$run" >>"$out/summary.tsv"
	if [[ -f $run/evidence.json ]]; then
		runs+=("$run")
		echo "bakeoff.sh: $c: exit $rc after ${secs}s: $(jq -r '.summary.verdict // "?"' "$run/evidence.json" 2>/dev/null)" >&2
	else
		echo "bakeoff.sh: $c: no complete run (exit $rc, see $log); left out" >&2
		infra=1
	fi
	((rc == 3)) && infra=1
done

if ((${#runs[@]} < 2)); then
	echo "bakeoff.sh: fewer than two complete runs: no comparison" >&2
	exit 1
fi
"$KPROOF" compare "${runs[@]}" --out "$out/comparison" >"$out/logs/compare.log" 2>&1
crc=$?
if ((crc != 0 && crc != 1)); then
	echo "bakeoff.sh: kproof compare failed (exit $crc, see $out/logs/compare.log)" >&2
	exit 1
fi
echo "bakeoff.sh: comparison: $out/comparison/comparison.html" >&2
echo "$out"
((infra)) && exit 1
exit 0
