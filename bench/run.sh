#!/usr/bin/env bash
# bench/run.sh - kproof's benchmark: the tracked workload engine against a bare librdkafka client,
# Kafka's ProducerPerformance and ConsumerPerformance, ledger memory, the history checker, report
# time. Prints a table of medians and each goal (observed, threshold, met / not met; a goal not
# met does not change the exit status: this measures, it does not gate) and writes every run's
# figures (results.jsonl) and the medians (bench.json) to the output dir.
#
# usage: bench/run.sh [--quick] [--embedded-only] [--runs N] [--out DIR]
#
#   --quick          small record counts, 2 runs, embedded only (the ctest smoke test uses it)
#   --embedded-only  skip kafka-local (no Java, no Maven Central)
#   --runs N         runs per measurement (default 3); the table shows medians
#   --out DIR        output directory (default out/bench-<utc time>)
#
# kafka-local is the 3-node Apache Kafka cluster of fixtures/kafka/kafka.sh. It runs in a private
# network namespace (unshare --net, loopback only) when run.sh runs as root, so its ports never meet
# another cluster on the machine; its jars are resolved from Maven Central before that.
# Environment: KPBENCH_BUILD (build directory, default <repo>/build; configured and built when
# kpbench is missing), KPBENCH_KAFKA_LOCK (a file to hold flock on while kafka-local runs) and
# KPBENCH_RECORDS_* to change record counts (see below).
set -euo pipefail

SELF=$(readlink -f "${BASH_SOURCE[0]}")
REPO=$(cd "$(dirname "$SELF")/.." && pwd -P)
BUILD=${KPBENCH_BUILD:-$REPO/build}
KAFKA_SH=$REPO/fixtures/kafka/kafka.sh

QUICK=0
EMBEDDED_ONLY=0
RUNS=3
OUT=
PHASE=all
while (($#)); do
  case $1 in
    --quick) QUICK=1; EMBEDDED_ONLY=1; RUNS=2 ;;
    --embedded-only) EMBEDDED_ONLY=1 ;;
    --runs) RUNS=$2; shift ;;
    --out) OUT=$2; shift ;;
    --phase) PHASE=$2; shift ;; # internal: kafka-local, re-run inside the network namespace
    -h | --help) sed -n '2,20p' "$SELF" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --runs must be a positive integer" >&2; exit 2; }

log() { printf 'bench: %s\n' "$*" >&2; }

# Record counts per run. Embedded consumption is bounded by the mock cluster's in-memory log
# (a few MiB per partition), hence 64 partitions and fewer records there.
if ((QUICK)); then
  : "${KPBENCH_RECORDS_PRODUCE_100:=50000}" "${KPBENCH_RECORDS_PRODUCE_1K:=20000}"
  : "${KPBENCH_RECORDS_CONSUME_100:=30000}" "${KPBENCH_RECORDS_CONSUME_1K:=10000}"
  : "${KPBENCH_RECORDS_LEDGER:=1000000}" "${KPBENCH_RECORDS_REPORT:=50000}"
  : "${KPBENCH_RECORDS_CHECKER:=200000}"
  : "${KPBENCH_RECORDS_LOCAL_100:=50000}" "${KPBENCH_RECORDS_LOCAL_1K:=20000}"
else
  : "${KPBENCH_RECORDS_PRODUCE_100:=2000000}" "${KPBENCH_RECORDS_PRODUCE_1K:=500000}"
  : "${KPBENCH_RECORDS_CONSUME_100:=300000}" "${KPBENCH_RECORDS_CONSUME_1K:=60000}"
  : "${KPBENCH_RECORDS_LEDGER:=10000000}" "${KPBENCH_RECORDS_REPORT:=10000000}"
  : "${KPBENCH_RECORDS_CHECKER:=10000000}"
  : "${KPBENCH_RECORDS_LOCAL_100:=2000000}" "${KPBENCH_RECORDS_LOCAL_1K:=500000}"
fi

KPBENCH=$BUILD/bench/kpbench

if [[ $PHASE == all ]]; then
  if [[ ! -x $KPBENCH ]]; then
    log "building kpbench in $BUILD"
    cmake -S "$REPO" -B "$BUILD" -G Ninja >/dev/null
    cmake --build "$BUILD" --target kpbench >/dev/null
  fi
  OUT=${OUT:-$REPO/out/bench-$(date -u +%Y%m%dT%H%M%SZ)}
  mkdir -p "$OUT"
  OUT=$(cd "$OUT" && pwd -P)
  : >"$OUT/results.jsonl"
  {
    echo "date_utc: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "commit: $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "cpus: $(nproc)"
    echo "cpu_model: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
    echo "loadavg_before: $(cut -d' ' -f1-3 /proc/loadavg)"
    # the library kproof runs with (not the system's -dev package): kproof --version names it
    echo "librdkafka: $("$BUILD/kproof" --version 2>/dev/null | sed -n 's/.*librdkafka \([^)]*\)).*/\1/p' | grep . || echo unknown)"
    echo "runs: $RUNS"
  } >"$OUT/machine.txt"
fi
RESULTS=$OUT/results.jsonl

# bench NAME ARGS...: one kpbench command; its JSON lines go to results.jsonl, its stderr to a log.
bench() {
  local name=$1
  shift
  log "$name"
  if ! "$KPBENCH" "$@" >>"$RESULTS" 2>>"$OUT/kpbench.log"; then
    log "$name: kpbench failed (see $OUT/kpbench.log)"
    FAILURES=$((FAILURES + 1))
  fi
}
FAILURES=0

kafka_local_phase() {
  local dir boot
  if [[ -n ${KPBENCH_IN_NETNS:-} ]]; then
    ip link set lo up
  fi
  dir=$(mktemp -d /tmp/kproof-bench-kafka.XXXXXX)
  export KPROOF_KAFKA_DIR=$dir
  # shellcheck disable=SC2317  # reached through the trap
  stop_cluster() { "$KAFKA_SH" stop >/dev/null 2>&1 || true; rm -rf "$dir"; }
  trap stop_cluster EXIT
  trap 'exit 130' INT TERM
  log "kafka-local: starting the fixture cluster in $dir"
  "$KAFKA_SH" start >/dev/null
  boot=$("$KAFKA_SH" bootstrap)
  local common=(--bootstrap "$boot" --label kafka-local --runs "$RUNS" --partitions 6 --rf 1)
  bench "kafka-local produce 100 B" produce "${common[@]}" --size 100 --records "$KPBENCH_RECORDS_LOCAL_100"
  bench "kafka-local produce 1 KiB" produce "${common[@]}" --size 1024 --records "$KPBENCH_RECORDS_LOCAL_1K"
  # consume also runs Kafka's ConsumerPerformance on each filled topic (same cluster, same run).
  bench "kafka-local consume 100 B (+ ConsumerPerformance)" consume "${common[@]}" --kafka-sh "$KAFKA_SH" \
    --size 100 --records "$KPBENCH_RECORDS_LOCAL_100"
  bench "kafka-local consume 1 KiB (+ ConsumerPerformance)" consume "${common[@]}" --kafka-sh "$KAFKA_SH" \
    --size 1024 --records "$KPBENCH_RECORDS_LOCAL_1K"
  bench "kafka-local ProducerPerformance vs kproof 100 B" ppt "${common[@]}" --kafka-sh "$KAFKA_SH" \
    --size 100 --records "$KPBENCH_RECORDS_LOCAL_100"
  bench "kafka-local ProducerPerformance vs kproof 1 KiB" ppt "${common[@]}" --kafka-sh "$KAFKA_SH" \
    --size 1024 --records "$KPBENCH_RECORDS_LOCAL_1K"
  log "kafka-local: stopping the cluster"
  stop_cluster
  trap - EXIT
  return $((FAILURES > 0))
}

if [[ $PHASE == kafka-local ]]; then
  kafka_local_phase
  exit $?
fi

# ---- embedded: librdkafka's in-process mock cluster
EMB=(--target "$REPO/targets/embedded.json" --label embedded --runs "$RUNS")
bench "embedded produce 100 B" produce "${EMB[@]}" --size 100 --records "$KPBENCH_RECORDS_PRODUCE_100"
bench "embedded produce 1 KiB" produce "${EMB[@]}" --size 1024 --records "$KPBENCH_RECORDS_PRODUCE_1K"
bench "embedded consume 100 B" consume "${EMB[@]}" --partitions 64 --size 100 \
  --records "$KPBENCH_RECORDS_CONSUME_100"
bench "embedded consume 1 KiB" consume "${EMB[@]}" --partitions 64 --size 1024 \
  --records "$KPBENCH_RECORDS_CONSUME_1K"
bench "ledger, tracking and checker costs" ledger --label - --runs "$RUNS" --records "$KPBENCH_RECORDS_LEDGER"
bench "history checker" checker --label - --runs "$RUNS" --partitions 6 --records "$KPBENCH_RECORDS_CHECKER"
bench "transactional history checker" checker-txn --label - --runs "$RUNS" --partitions 6 --producers 4 \
  --consumers 2 --records "$KPBENCH_RECORDS_CHECKER"
bench "report generation" report "${EMB[@]}" --partitions 64 --size 100 \
  --records "$KPBENCH_RECORDS_REPORT" --out "$OUT/report"

# ---- kafka-local: the real Apache Kafka cluster
if ((!EMBEDDED_ONLY)); then
  log "kafka-local: resolving the Kafka jars (Maven Central, cached)"
  "$KAFKA_SH" install >/dev/null
  args=(--phase kafka-local --runs "$RUNS" --out "$OUT")
  env_keep=(KPBENCH_BUILD="$BUILD" KPBENCH_RECORDS_LOCAL_100="$KPBENCH_RECORDS_LOCAL_100"
    KPBENCH_RECORDS_LOCAL_1K="$KPBENCH_RECORDS_LOCAL_1K")
  # KPBENCH_KAFKA_LOCK=FILE: hold flock(FILE) while the cluster runs (a machine shared with
  # other heavy work); the embedded measurements above run without it.
  lock=()
  if [[ -n ${KPBENCH_KAFKA_LOCK:-} ]]; then
    log "kafka-local: waiting for the lock $KPBENCH_KAFKA_LOCK"
    lock=(flock "$KPBENCH_KAFKA_LOCK")
  fi
  if [[ $(id -u) == 0 ]] && command -v ip >/dev/null && unshare --net true 2>/dev/null; then
    "${lock[@]}" unshare --net -- env KPBENCH_IN_NETNS=1 "${env_keep[@]}" bash "$SELF" "${args[@]}" ||
      FAILURES=$((FAILURES + 1))
  else
    log "note: not root, kafka-local runs in the current network namespace (ports N9092 must be free)"
    "${lock[@]}" env "${env_keep[@]}" bash "$SELF" "${args[@]}" || FAILURES=$((FAILURES + 1))
  fi
fi

echo "loadavg_after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/machine.txt"
"$KPBENCH" summarize "$RESULTS" --json "$OUT/bench.json" | tee "$OUT/table.txt"
echo
cat "$OUT/machine.txt"
echo "output: $OUT"
if ((FAILURES)); then
  log "$FAILURES measurement(s) failed; see $OUT/kpbench.log"
  exit 1
fi
