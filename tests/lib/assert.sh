# shellcheck shell=bash
# tests/lib/assert.sh - the assertions of kproof's shell tests (sourced, not run).
#
# Each assertion prints one line, "ok - WHAT" or "not ok - WHAT" (details follow as "#   ..."
# lines); finish prints the time taken and "N passed, N failed" and exits 0 when nothing failed,
# 1 otherwise. A test that cannot run here (a tool or platform is missing) calls skip_all REASON:
# it prints "skipped: REASON" and exits 77, which ctest reports as skipped (SKIP_RETURN_CODE 77
# is set for every shell test in tests/CMakeLists.txt), never as passed.
#
# finish, in order: runs the test's test_cleanup function when it defines one (stop servers...);
# after finish_on_exit, counts a script that stopped before done_testing as a failure; prints the
# summary; removes the scratch directory SCRATCH when every assertion passed (unless
# KPROOF_TEST_KEEP=1), names it on stderr otherwise.

PASSED=0
FAILED=0
T0=$(date +%s)
SCRATCH=${SCRATCH:-}
ASSERT_GUARD=0     # finish_on_exit was called: finish reports a script that ended early
ASSERT_DONE=0      # done_testing was reached
ASSERT_SKIPPED=0
ASSERT_FINISHING=0

ok() { PASSED=$((PASSED + 1)); printf 'ok - %s\n' "$*"; }

# not_ok WHAT [DETAIL...]: a failed assertion; each DETAIL is printed on a "#   " line.
not_ok() {
  FAILED=$((FAILED + 1))
  printf 'not ok - %s\n' "$1"
  shift
  (($# == 0)) || printf '#   %s\n' "$@"
}

# check WHAT CMD...: CMD's success is the assertion; the test goes on either way.
check() {
  local what=$1
  shift
  if "$@"; then ok "$what"; else not_ok "$what"; fi
}

# require WHAT CMD...: like check, but a failure ends the test (what follows depends on it).
require() {
  local what=$1
  shift
  if "$@"; then ok "$what"; else not_ok "$what"; finish; fi
}

# check_that WHAT EXPR: EXPR, a shell condition (a string), is evaluated now.
check_that() {
  if eval "$2"; then ok "$1"; else not_ok "$1"; fi
}

# is GOT WANT WHAT: GOT equals WANT.
is() {
  if [[ $1 == "$2" ]]; then ok "$3"; else not_ok "$3" "got:  '$1'" "want: '$2'"; fi
}

# like GOT REGEX WHAT: GOT matches the extended regular expression REGEX.
like() {
  if [[ $1 =~ $2 ]]; then ok "$3"; else not_ok "$3" "got: '$1'" "does not match: $2"; fi
}

# skip_all REASON: the test cannot run here; exit 77 (ctest: skipped).
skip_all() {
  ASSERT_SKIPPED=1
  printf 'skipped: %s\n' "$*"
  exit 77
}

# finish_on_exit: finish runs however the script ends (an exit 1 after a fatal step, a signal);
# the script says it reached its end with done_testing.
finish_on_exit() {
  ASSERT_GUARD=1
  trap finish EXIT
  trap 'exit 130' INT TERM
}

done_testing() {
  ASSERT_DONE=1
  finish
}

finish() {
  ((ASSERT_FINISHING)) && return 0
  ASSERT_FINISHING=1
  if declare -F test_cleanup >/dev/null; then test_cleanup || true; fi
  if ((ASSERT_SKIPPED)); then
    [[ -z $SCRATCH ]] || rm -rf "$SCRATCH"
    exit 77
  fi
  ((ASSERT_GUARD == 0 || ASSERT_DONE)) || not_ok "the test script ran to its end"
  printf '# %s: %ss\n' "$(basename "$0")" "$(($(date +%s) - T0))"
  printf '%s passed, %s failed\n' "$PASSED" "$FAILED"
  if ((FAILED == 0)); then
    [[ -z $SCRATCH || ${KPROOF_TEST_KEEP:-} == 1 ]] || rm -rf "$SCRATCH"
    exit 0
  fi
  [[ -z $SCRATCH ]] || echo "# scratch kept: $SCRATCH" >&2
  exit 1
}
