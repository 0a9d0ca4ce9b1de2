# shellcheck shell=bash
# Helpers shared by the tests in tests/evidence/ (sourced, not run): signed run directories,
# verification, report.pdf, the HTML check in headless Chromium and kproof compare.
#
# Every test runs in a private network namespace when it runs as root (`unshare --net`, loopback
# only): the embedded cluster's listeners never meet another developer's ports, and Chromium
# provably renders offline. KPROOF_TEST_NETNS=off stays in the current namespace. Each test works
# in its own scratch directory and its own config directory (XDG_CONFIG_HOME), so the user's
# default signing key is never touched. Output: "ok - ..." / "not ok - ..." lines, then
# "N passed, N failed"; exit 1 on any failure.

EV_TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$(cd "$EV_TESTS_DIR/../.." && pwd -P)
KPROOF=${KPROOF:-$REPO_ROOT/build/kproof}
# ok, not_ok, check, require, finish...: tests/lib/assert.sh; new_work's $WORK is the scratch
# shellcheck source=tests/lib/assert.sh
source "$REPO_ROOT/tests/lib/assert.sh"

isolate() {
  if [[ ${KPROOF_TEST_IN_NETNS:-} == 1 ]]; then
    ip link set lo up || { echo "cannot bring up lo in the private network namespace" >&2; exit 1; }
    return 0
  fi
  if [[ ${KPROOF_TEST_NETNS:-auto} != off && $(id -u) == 0 ]] && command -v ip >/dev/null &&
     unshare --net true 2>/dev/null; then
    exec unshare --net -- env KPROOF_TEST_IN_NETNS=1 bash "$0" "$@"
  fi
  echo "# note: running in the current network namespace" >&2
}

# new_work: a scratch directory with its own config dir and a short scenario on the embedded
# cluster (four checks: pass, pass, pass and a skip with a reason; about 3 s).
new_work() {
  local base=${KPROOF_TEST_TMP:-/tmp}
  mkdir -p "$base"
  WORK=$(mktemp -d "$base/kproof-evidence.XXXXXX")
  SCRATCH=$WORK
  export XDG_CONFIG_HOME=$WORK/config
  unset KPROOF_SIGN_KEY KPROOF_CHROMIUM
  cat >"$WORK/short.json" <<'JSON'
{
  "name": "short",
  "description": "A few fast semantics checks on the embedded cluster, for the evidence tests.",
  "suites": [
    {
      "suite": "semantics",
      "checks": ["semantics.round-trip", "semantics.partition-order", "semantics.list-offsets",
                 "semantics.transactions"],
      "workload": {"partitions": 2, "message_bytes": 100, "rate": 500, "duration": "1s",
                   "drain_timeout": "10s"}
    }
  ]
}
JSON
}

# run_short OUT_DIR [kproof run options...]: runs the short scenario on the embedded target;
# stdout+stderr go to OUT_DIR.log; returns kproof's exit code.
run_short() {
  local out=$1
  shift
  "$KPROOF" run "$WORK/short.json" --target "$REPO_ROOT/targets/embedded.json" --out "$out" -q \
    "$@" >"$out.log" 2>&1
}

# flip_byte FILE OFFSET: replaces the byte at OFFSET with another printable byte.
flip_byte() {
  local f=$1 off=$2 old new
  old=$(dd if="$f" bs=1 skip="$off" count=1 2>/dev/null | od -An -tu1 | tr -d ' ')
  if [[ $old == 65 ]]; then new='B'; else new='A'; fi
  printf '%s' "$new" | dd of="$f" bs=1 seek="$off" count=1 conv=notrunc 2>/dev/null
}

# run_files DIR: every regular file of DIR, relative, sorted.
run_files() {
  (cd "$1" && find . -type f | cut -c3- | LC_ALL=C sort)
}
