#!/usr/bin/env bash
# The main job: set up, build, and run the quickstart scenario on the embedded cluster.
# The run directory's path is the last line of stdout.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$here/scripts/setup.sh" >&2
"$here/scripts/build.sh" build >&2
cd "$here"
exec ./build/kproof run scenarios/quickstart.json --target targets/embedded.json "$@"
