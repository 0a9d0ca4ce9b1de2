#!/usr/bin/env bash
# Every check names the file holding its body (`source` in `kproof list --json`), and that file is
# suites/<suite>/<check name>.c: it exists in the repository, its name is the check id after the
# suite prefix, no two checks share it, and it defines the check's function (the `.fn` of the
# check's entry in suites/<suite>/suite.c, defined there and in no other file under suites/).
set -uo pipefail
: "${KPROOF:?}" "${KPROOF_SRC:?}" "${KPROOF_TEST_TMP:?}"

WORK=$(mktemp -d "$KPROOF_TEST_TMP/check-sources.XXXXXX")
"$KPROOF" list --json >"$WORK/list.json"
if python3 - "$WORK/list.json" "$KPROOF_SRC" <<'EOF'; then rc=0; else rc=1; fi
import glob, json, os, re, sys

listing, src = sys.argv[1], sys.argv[2]
passed = failed = 0


def check(desc, ok):
    global passed, failed
    if ok:
        passed += 1
        print("ok - " + desc)
    else:
        failed += 1
        print("not ok - " + desc)


def fn_of(suite, check_id):
    """The .fn of check_id's entry in suites/<suite>/suite.c, or None."""
    path = os.path.join(src, "suites", suite, "suite.c")
    if not os.path.isfile(path):
        return None
    text = open(path, encoding="utf-8").read()
    m = re.search(r'\.id\s*=\s*"' + re.escape(check_id) + r'"(.*?)(?:\{\s*\.id\s*=|\Z)', text, re.S)
    f = m and re.search(r"\.fn\s*=\s*(\w+)", m.group(1))
    return f.group(1) if f else None


def defines(path, fn):
    text = open(path, encoding="utf-8").read()
    return re.search(r"^void\s+" + re.escape(fn) + r"\s*\(\s*kp_ctx_t\s*\*", text, re.M) is not None


suite_files = sorted(glob.glob(os.path.join(src, "suites", "**", "*.c"), recursive=True))
owners = {}
n = 0
for s in json.load(open(listing))["suites"]:
    for c in s["checks"]:
        n += 1
        cid, source = c["id"], c.get("source")
        name = cid.split(".", 1)[1] if cid.startswith(s["name"] + ".") else None
        check(f"{cid}: has a source ({source})", bool(source))
        if not source:
            continue
        owners.setdefault(source, []).append(cid)
        check(f"{cid}: its id is <suite>.<name> ({cid})", name is not None)
        want = f"suites/{s['name']}/{name}.c"
        check(f"{cid}: source is {want}", source == want)
        path = os.path.join(src, source)
        check(f"{cid}: {source} exists", os.path.isfile(path))
        if not os.path.isfile(path):
            continue
        fn = fn_of(s["name"], cid)
        check(f"{cid}: suites/{s['name']}/suite.c names its function ({fn})", fn is not None)
        if fn is None:
            continue
        check(f"{cid}: {source} defines {fn}()", defines(path, fn))
        elsewhere = [os.path.relpath(p, src) for p in suite_files
                     if os.path.abspath(p) != os.path.abspath(path) and defines(p, fn)]
        check(f"{cid}: no other file under suites/ defines {fn}() {elsewhere or ''}", not elsewhere)

check(f"kproof list --json lists checks ({n})", n > 20)
shared = {f: ids for f, ids in owners.items() if len(ids) > 1}
check(f"no two checks share a source file {shared or ''}", not shared)
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
EOF
if ((rc == 0)); then rm -rf "$WORK"; fi
exit "$rc"
