#!/usr/bin/env bash
# tests/tools/pyvenv.sh - the test-only Python virtualenv (pinned in tests/tools/requirements.txt),
# created once in the cache and reused; idempotent and safe to run concurrently (a lock).
#
#   tests/tools/pyvenv.sh install   create it if missing or out of date (PyPI, once)
#   tests/tools/pyvenv.sh python    print its python's path (exit 1 when not installed)
#
# KPROOF_CACHE (default ~/.cache/kproof), KPROOF_PYTHON (default python3) as for the fixtures.
set -euo pipefail
DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REQUIREMENTS=$DIR/requirements.txt
DIGEST=$(sha256sum "$REQUIREMENTS" | cut -c1-12)
CACHE=${KPROOF_CACHE:-$HOME/.cache/kproof}/pytools-$DIGEST
VENV=$CACHE/venv
MARKER=$CACHE/venv.complete
PYTHON=${KPROOF_PYTHON:-python3}

die() { printf 'pyvenv.sh: error: %s\n' "$*" >&2; exit 1; }
installed() { [[ -x $VENV/bin/python && -f $MARKER ]]; }

cmd_install() {
  installed && return 0
  command -v "$PYTHON" >/dev/null || die "$PYTHON not found: set KPROOF_PYTHON"
  mkdir -p "$CACHE"
  local fd
  exec {fd}>"$CACHE/.install.lock"
  flock -w 900 "$fd" || die "install: timed out waiting for another install"
  if installed; then exec {fd}>&-; return 0; fi
  printf 'pyvenv.sh: install: %s into %s\n' "$(grep -v '^#' "$REQUIREMENTS" | xargs)" "$VENV" >&2
  rm -rf "$VENV" "$MARKER"
  "$PYTHON" -m venv "$VENV" >"$CACHE/install.log" 2>&1 || { cat "$CACHE/install.log" >&2; die "install: venv failed"; }
  if ! timeout 900 "$VENV/bin/python" -m pip install --disable-pip-version-check -q \
       -r "$REQUIREMENTS" >>"$CACHE/install.log" 2>&1; then
    tail -n 30 "$CACHE/install.log" >&2 || true
    rm -rf "$VENV"
    die "install: pip install -r $REQUIREMENTS failed"
  fi
  touch "$MARKER"
  exec {fd}>&-
}

case ${1:-} in
install) cmd_install ;;
python) installed || exit 1; printf '%s\n' "$VENV/bin/python" ;;
*) echo "usage: tests/tools/pyvenv.sh install|python" >&2; exit 2 ;;
esac
