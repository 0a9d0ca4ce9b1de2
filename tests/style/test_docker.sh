#!/usr/bin/env bash
# The docker/ files are for users (no Docker engine here): the compose file must parse and name a
# build that exists, and the Dockerfile must use the project's set-up script and build.
set -uo pipefail
src=${KPROOF_SRC:?}
fail=0
python3 - "$src/docker/compose.yaml" "$src" <<'PY' || fail=1
import os, sys
try:
    import yaml
except ImportError:
    yaml = None
path, src = sys.argv[1], sys.argv[2]
text = open(path).read()
if yaml:
    d = yaml.safe_load(text)
    b = d["services"]["kproof"]["build"]
    df = os.path.normpath(os.path.join(os.path.dirname(path), b["context"], b["dockerfile"]))
    assert os.path.isfile(df), df
    print("ok - compose.yaml parses; its Dockerfile exists")
else:
    assert "services:" in text and "dockerfile: docker/Dockerfile" in text
    print("ok - compose.yaml names docker/Dockerfile (PyYAML not installed: structural check only)")
PY
for want in 'scripts/setup.sh' 'scripts/build.sh' 'ENTRYPOINT'; do
	if grep -q "$want" "$src/docker/Dockerfile"; then echo "ok - Dockerfile uses $want"; else echo "not ok - Dockerfile lacks $want"; fail=1; fi
done
exit $fail
