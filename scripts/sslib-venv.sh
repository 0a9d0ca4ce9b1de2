#!/usr/bin/env bash
# scripts/sslib-venv.sh - the test-only Python virtualenv holding securesystemslib (an independent
# DSSE implementation from PyPI) with which tests/evidence/test_verify_sslib.sh checks kproof's
# signatures. Idempotent: installs once into ~/.cache/kproof/securesystemslib/venv (or
# $KPROOF_CACHE/securesystemslib/venv) from tests/evidence/sslib/requirements.txt and reinstalls
# only when that file changes. Prints the venv's python on stdout.
# Exit codes: 0 ready; 77 python3 -m venv or pip is not available; 1 the install failed.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
req=$here/tests/evidence/sslib/requirements.txt
cache=${KPROOF_CACHE:-$HOME/.cache/kproof}/securesystemslib
venv=$cache/venv
marker=$venv.complete
python=${KPROOF_PYTHON:-python3}
digest=$(sha256sum "$req" | cut -d' ' -f1)

ready() { [[ -x $venv/bin/python && -f $marker && "$(cat "$marker")" == "$digest" ]]; }
if ready; then echo "$venv/bin/python"; exit 0; fi
command -v "$python" >/dev/null || { echo "sslib-venv: $python not found" >&2; exit 77; }
"$python" -c 'import venv, ensurepip' 2>/dev/null || { echo "sslib-venv: $python has no venv/ensurepip module" >&2; exit 77; }
mkdir -p "$cache"
exec {lock}>"$cache/.install.lock"
flock -w 900 "$lock" || { echo "sslib-venv: timed out waiting for another install" >&2; exit 1; }
if ready; then echo "$venv/bin/python"; exit 0; fi
rm -rf "$venv" "$marker"
"$python" -m venv "$venv" >"$cache/install.log" 2>&1 || { cat "$cache/install.log" >&2; exit 77; }
"$venv/bin/python" -m pip --version >/dev/null 2>&1 || { echo "sslib-venv: pip is not available in the venv" >&2; rm -rf "$venv"; exit 77; }
if ! timeout 900 "$venv/bin/python" -m pip install --disable-pip-version-check -q -r "$req" >>"$cache/install.log" 2>&1; then
  tail -n 20 "$cache/install.log" >&2
  rm -rf "$venv"
  echo "sslib-venv: pip install -r $req failed" >&2
  exit 1
fi
echo "$digest" >"$marker.tmp" && mv "$marker.tmp" "$marker"
echo "$venv/bin/python"
