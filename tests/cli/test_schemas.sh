#!/usr/bin/env bash
# schemas/scenario.schema.json and schemas/target.schema.json (JSON Schema draft 2020-12, for
# editors) against the loaders: every shipped scenario and target validates and names its schema;
# every case of invalid_input.tsv is rejected by kproof validate and by the schema (the semantic
# exceptions are listed, with the reason, in schemas.py); key sets, value kinds, ranges and enums
# of the schemas are the ones kproof validate enforces, found by probing it (tests/cli/schemas.py,
# Python jsonschema in the test-only virtualenv of tests/tools/pyvenv.sh).
. "$(dirname "$0")/lib.sh"
"$KPROOF_SRC/tests/tools/pyvenv.sh" install >&2 || {
	echo "cannot create the test virtualenv (tests/tools/pyvenv.sh install)" >&2
	exit 1
}
PY=$("$KPROOF_SRC/tests/tools/pyvenv.sh" python) || exit 1
KPROOF=$KPROOF KPROOF_SRC=$KPROOF_SRC "$PY" "$KPROOF_SRC/tests/cli/schemas.py" "$T"
rc=$?
((rc == 0)) && rm -rf "$T"
exit $rc
