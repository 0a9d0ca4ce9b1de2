#!/usr/bin/env bash
# tests/cli/test_ci_recipes.sh - the CI recipes of docs/ci.md (docs/ci/*.yml): each parses as YAML,
# has the expected shape (GitHub Actions: a job whose steps set up, build, validate, run and
# upload out/ always; GitLab CI: a job with script, artifacts when always, junit report), every
# script it calls exists in the repository and is executable, its scenario and target validate,
# every shell step is valid bash, and the kproof run line is not made to succeed on failure.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
PY=/usr/bin/python3
$PY -c 'import yaml' 2>/dev/null || { echo "missing python3-yaml (run scripts/setup.sh)" >&2; exit 1; }
cd "$KPROOF_SRC" || exit 1

# extract FILE: prints "kind<TAB>value" lines: shell commands (cmd), env vars (var NAME=VALUE),
# artifact paths (artifact), junit report (junit), and "ok-shape" when the structure is right.
extract() {
	$PY - "$1" <<'PY'
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
out = []
def emit(kind, value):
    for line in str(value).splitlines():
        print(f"{kind}\t{line}")
if "jobs" in doc:  # GitHub Actions
    on = doc.get(True, doc.get("on"))  # YAML 1.1 reads a bare `on` key as True
    assert on and "pull_request" in on, "not triggered on pull requests"
    job = doc["jobs"]["kproof"]
    assert job["container"].startswith("debian:"), "not in a Debian image"
    for k, v in job.get("env", {}).items():
        emit("var", f"{k}={v}")
    steps = job["steps"]
    uploads = [s for s in steps if str(s.get("uses", "")).startswith("actions/upload-artifact@")]
    assert uploads and uploads[0].get("if") == "always()", "artifacts not uploaded always"
    emit("artifact", uploads[0]["with"]["path"])
    for s in steps:
        if "run" in s:
            print(f"step\t{s.get('name', '?')}")
            emit("cmd", s["run"])
else:  # GitLab CI
    job = doc["kproof"]
    assert job["image"].startswith("debian:"), "not in a Debian image"
    for k, v in job.get("variables", {}).items():
        emit("var", f"{k}={v}")
    art = job["artifacts"]
    assert art["when"] == "always", "artifacts not kept always"
    for p in art["paths"]:
        emit("artifact", p)
    emit("junit", art["reports"]["junit"])
    print("step\tscript")
    for c in job["script"]:
        emit("cmd", c)
print("ok-shape\t1")
PY
}

for f in docs/ci/github-actions.yml docs/ci/gitlab-ci.yml; do
	x=$(extract "$f" 2>"$T/err")
	check "$f parses as YAML and has the CI gate's shape$( [[ -s $T/err ]] && printf '; %s' "$(tail -1 "$T/err")")" \
		grep -q '^ok-shape' <<<"$x"
	cmds=$(grep $'^cmd\t' <<<"$x" | cut -f2-)
	scen=$(grep $'^var\tSCENARIO=' <<<"$x" | cut -d= -f2-)
	targ=$(grep $'^var\tTARGET=' <<<"$x" | cut -d= -f2-)
	check "$f: runs scripts/setup.sh and scripts/build.sh build" \
		bash -c 'grep -qx "scripts/setup.sh" <<<"$1" && grep -qx "scripts/build.sh build" <<<"$1"' _ "$cmds"
	check "$f: the scripts it calls exist and are executable" \
		bash -c 'for s in $(grep -o "scripts/[a-z_.-]*\.sh" <<<"$1"); do [[ -x $s ]] || { echo "# missing: $s" >&2; exit 1; }; done' _ "$cmds"
	check "$f: runs build/kproof run \$SCENARIO --target \$TARGET --out out/run" \
		grep -q 'build/kproof run "$SCENARIO" --target "$TARGET" --out out/run$' <<<"$cmds"
	check "$f: the kproof run's exit code is not masked" bash -c '! grep "build/kproof run" <<<"$1" | grep -Eq "\|\| *true|; *true|set \+e"' _ "$cmds"
	check "$f: its scenario and target exist and validate ($scen, $targ)" \
		bash -c '"$KPROOF" validate "$1" "$2" >/dev/null' _ "$scen" "$targ"
	check "$f: every shell step is valid bash" bash -n <<<"$cmds"
	check "$f: publishes out/ (the run directory, also when .partial)" grep -qE $'^artifact\tout/?$' <<<"$x"
	check "$f: the options it passes exist in kproof run --help" \
		bash -c '"$KPROOF" run --help | grep -q -- "--target" && "$KPROOF" run --help | grep -q -- "--out"'
done
x=$(extract docs/ci/gitlab-ci.yml 2>/dev/null)
check "gitlab-ci.yml: junit.xml of the run is the job's JUnit report" grep -qx $'junit\tout/run/junit.xml' <<<"$x"
check "docs/ci.md links both recipes" bash -c 'grep -q "ci/github-actions.yml" docs/ci.md && grep -q "ci/gitlab-ci.yml" docs/ci.md'
finish
