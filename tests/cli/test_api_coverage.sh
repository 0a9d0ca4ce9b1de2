#!/usr/bin/env bash
# docs/api-coverage.md cannot drift from the code or from Kafka: its API-key table has one row per
# key of Kafka 4.1 with the key's name as in the request schemas of kafka-clients-4.1.2.jar
# (skipped, exit 77, when the jar is not installed); every semantics check of `kproof list` is
# named on the page; every check id the page names exists; every row has a known status and an
# out-of-scope or uncovered row says why; and the summary lines count what the tables hold.
set -uo pipefail
: "${KPROOF:?}" "${KPROOF_SRC:?}" "${KPROOF_TEST_TMP:?}"

WORK=$(mktemp -d "$KPROOF_TEST_TMP/api-coverage.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
JAR=${KPROOF_KAFKA_CLIENTS_JAR:-$HOME/.cache/kproof/kafka-4.1.2/libs/kafka-clients-4.1.2.jar}
# shellcheck source=tests/lib/assert.sh
source "$KPROOF_SRC/tests/lib/assert.sh"
[[ -r $JAR ]] || skip_all "$JAR not installed (scripts/setup.sh --fixtures installs Kafka 4.1)"
"$KPROOF" list --json >"$WORK/list.json" || { echo "not ok - kproof list --json"; exit 1; }
python3 - "$KPROOF_SRC/docs/api-coverage.md" "$WORK/list.json" "$JAR" <<'PY'
import json, re, sys, zipfile
doc, lst, jar = sys.argv[1:4]
text = open(doc).read()
failed = 0
def check(desc, ok, detail=""):
    global failed
    print(("ok - " if ok else "not ok - ") + desc + ("" if ok else ": " + str(detail)[:600]))
    failed += not ok

# the API keys of Kafka 4.1 from the jar's request schemas
keys = {}
with zipfile.ZipFile(jar) as z:
    for n in z.namelist():
        if n.startswith("common/message/") and n.endswith("Request.json"):
            src = re.sub(r"^\s*//.*$", "", z.read(n).decode(), flags=re.M)
            d = json.loads(src)
            keys[d["apiKey"]] = d["name"][: -len("Request")]
check("kafka-clients jar holds the API keys 0..%d" % (len(keys) - 1), sorted(keys) == list(range(len(keys))))

api = text.split("## API keys")[1].split("\n## ")[0]
rows = [[c.strip() for c in l.strip().strip("|").split("|")] for l in api.splitlines() if re.match(r"\|\s*\d+\s*\|", l)]
doc_keys = {int(r[0]): r for r in rows}
check("one row per API key, in order", [int(r[0]) for r in rows] == sorted(keys), [r[0] for r in rows])
wrong = [(k, doc_keys[k][1], keys[k]) for k in keys if k in doc_keys and doc_keys[k][1] != keys[k]]
check("each row names its key as Kafka 4.1 does", not wrong, wrong)

beh = text.split("## Client behaviours")[1].split("\n## ")[0]
brows = [[c.strip() for c in l.strip().strip("|").split("|")] for l in beh.splitlines()
         if l.startswith("|") and not l.startswith("| behaviour") and not l.startswith("|---")]
statuses = {"checked", "exercised", "out of scope", "uncovered"}
bad = [r for r in rows if r[2] not in statuses] + [r for r in brows if r[1] not in statuses]
check("every row has a known status", not bad, bad)
silent = [r for r in rows if r[2] in ("out of scope", "uncovered") and not r[3]]
silent += [r for r in brows if r[1] == "out of scope" and not r[2]]
check("every out-of-scope key says why", not silent, silent)
unjudged = [r for r in rows if r[2] == "checked" and "`" not in r[3]]
unjudged += [r for r in brows if r[1] == "checked" and "`" not in r[2]]
check("every checked row names its check", not unjudged, unjudged)

def count(col, rs):
    out = {}
    for r in rs:
        out[r[col]] = out.get(r[col], 0) + 1
    return out
m = re.search(r"^(\d+) keys: (\d+) checked, (\d+) exercised, (\d+) out of scope, (\d+) uncovered", text, re.M)
c = count(2, rows)
got = m and tuple(int(x) for x in m.groups())
want = (len(rows), c.get("checked", 0), c.get("exercised", 0), c.get("out of scope", 0), c.get("uncovered", 0))
check("the API-key summary counts the table %s" % (want,), got == want, got)
m = re.search(r"^(\d+) behaviours: (\d+) checked, (\d+) uncovered, (\d+) out of scope", text, re.M)
c = count(1, brows)
got = m and tuple(int(x) for x in m.groups())
want = (len(brows), c.get("checked", 0), c.get("uncovered", 0), c.get("out of scope", 0))
check("the behaviour summary counts the table %s" % (want,), got == want, got)

ids = {c["id"] for s in json.load(open(lst))["suites"] for c in s["checks"]}
named = set(re.findall(r"`([a-z]+\.[a-z0-9*-]+)`", text))
def exists(n):
    if n.endswith("*"):
        return any(i.startswith(n[:-1]) for i in ids)
    return n in ids
unknown = sorted(n for n in named if n.split(".")[0] in {"semantics", "failover", "scaling", "location", "revocation", "cost"} and not exists(n))
check("every check the page names exists", not unknown, unknown)
def mentioned(i):
    return i in named or any(n.endswith("*") and i.startswith(n[:-1]) for n in named)
missing = sorted(i for i in ids if i.startswith("semantics.") and not mentioned(i))
check("every semantics check is on the page", not missing, missing)
sys.exit(1 if failed else 0)
PY
