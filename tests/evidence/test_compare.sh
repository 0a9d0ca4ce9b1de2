#!/usr/bin/env bash
# tests/evidence/test_compare.sh - `kproof compare`: the bake-off page over runs of one scenario on
# two targets (HTML and PDF, one column per target, every checklist row and check, best value of
# each key measurement marked and really the best), the runs' signature status (verified,
# unsigned, invalid), and the comparability guard (different scenario or kproof version: exit 2
# naming the difference; --force: the page says so on top).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
isolate "$@"
for t in jq pdftotext /usr/bin/python3 chromium; do
  command -v $t >/dev/null || { echo "missing tool: $t (run scripts/setup.sh)" >&2; exit 1; }
done
new_work
jq '.suites[0].checks += ["semantics.acks-all"]' "$WORK/short.json" >"$WORK/bake.json"
# A second platform: the embedded cluster with two brokers in two zones.
jq 'del(.deployment) | .name = "embedded-two" | .control.brokers = 2 | .control.racks = ["zone-a", "zone-b"]' \
  "$REPO_ROOT/targets/embedded.json" >"$WORK/embedded-two.json"
# Another scenario: same checks, different file (so a different digest).
jq '.name = "other" | .description = "the same checks under another name"' "$WORK/short.json" >"$WORK/other.json"
"$KPROOF" keygen --out "$WORK/k.pem" >/dev/null 2>&1
run() { # run NAME SCENARIO TARGET
  "$KPROOF" run "$WORK/$2.json" --target "$3" --out "$WORK/$1" -q --sign-key "$WORK/k.pem" >"$WORK/$1.log" 2>&1
}
run a bake "$REPO_ROOT/targets/embedded.json"
require "run on target embedded exits 0" test $? = 0
run b bake "$WORK/embedded-two.json"
require "run on target embedded-two exits 0" test $? = 0
run c other "$REPO_ROOT/targets/embedded.json"
require "run of another scenario exits 0" test $? = 0

"$KPROOF" compare "$WORK/a" "$WORK/b" --out "$WORK/cmp" --pubkey "$WORK/k.pem.pub" >"$WORK/cmp.out" 2>"$WORK/cmp.err"
check "compare of two verified runs of one scenario exits 0" test $? = 0
html=$WORK/cmp/comparison.html
check "comparison.html is written" test -s "$html"
check "comparison.pdf is written" test "$(head -c 5 "$WORK/cmp/comparison.pdf" 2>/dev/null)" = "%PDF-"
pdftotext "$WORK/cmp/comparison.pdf" "$WORK/cmp.txt"
check "one column per target (both target names in the PDF)" bash -c "grep -qx embedded '$WORK/cmp.txt' && grep -qx embedded-two '$WORK/cmp.txt'"
missing=$(jq -r '.rows[].id' "$WORK/a/evidence.json" | while read -r id; do grep -qF -- "$id" "$WORK/cmp.txt" || echo "$id"; done)
check "every checklist row is a row of the comparison${missing:+; missing: $missing}" test -z "$missing"
missing=$(jq -r '.checks[].id' "$WORK/a/evidence.json" | while read -r id; do grep -qF -- "$id" "$WORK/cmp.txt" || echo "$id"; done)
check "every check is a row of the comparison${missing:+; missing: $missing}" test -z "$missing"
check "both runs are marked verified" test "$(grep -o '<span class="badge v-verified">verified</span>' "$html" | wc -l)" = 2
check "no 'not comparable' banner for comparable runs" bash -c "! grep -q 'NOT COMPARABLE' '$html'"

# The best value of each key measurement is marked, and it is the best.
/usr/bin/python3 - "$html" >"$WORK/best.out" <<'PY'
import html.parser, sys
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(); self.rows = []; self.cur = None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tr" and "data-better" in a:
            self.cur = {"name": a["data-name"], "better": a["data-better"], "cells": []}
            self.rows.append(self.cur)
        elif tag == "tr":
            self.cur = None
        elif tag == "td" and self.cur is not None and "data-value" in a:
            self.cur["cells"].append((float(a["data-value"]), "best" in a.get("class", "").split()))
p = P(); p.feed(open(sys.argv[1], encoding="utf-8").read())
marked = bad = 0
for r in p.rows:
    vals = [v for v, _ in r["cells"]]
    if len(vals) < 2: continue
    best = min(vals) if r["better"] == "lower" else max(vals)
    for v, is_best in r["cells"]:
        if is_best: marked += 1
        if is_best != (v == best and len(set(vals)) > 1):
            bad += 1; print("wrong mark:", r["name"], r["better"], vals)
print("rows", len(p.rows), "marked", marked, "bad", bad)
sys.exit(1 if bad or marked == 0 or not p.rows else 0)
PY
check "best values are marked, and only the best ($(tail -1 "$WORK/best.out"))" test $? = 0
check "lower-is-better for latency, stated on the page" grep -q 'data-name="ack_latency_p99_us" data-better="lower"' "$html"
check "the PDF shows the best marks" grep -q '★ best' "$WORK/cmp.txt"

# Signature status of each run is shown: unsigned and invalid runs are marked.
cp -a "$WORK/a" "$WORK/unsigned" && rm "$WORK/unsigned/evidence.dsse.json"
cp -a "$WORK/b" "$WORK/tampered" && flip_byte "$WORK/tampered/junit.xml" 10
"$KPROOF" compare "$WORK/unsigned" "$WORK/tampered" --out "$WORK/cmp2" --pubkey "$WORK/k.pem.pub" >/dev/null 2>"$WORK/cmp2.err"
check "compare with unverified runs still writes the page but exits 1" \
  bash -c "[[ $? == 1 ]] && test -s '$WORK/cmp2/comparison.html'"
check "the unsigned run is marked unsigned" grep -q '<span class="badge v-unsigned">unsigned</span>' "$WORK/cmp2/comparison.html"
check "the tampered run is marked invalid, naming the file" \
  bash -c "grep -q '<span class=\"badge v-invalid\">invalid</span>' '$WORK/cmp2/comparison.html' && grep -q 'junit.xml: modified' '$WORK/cmp2/comparison.html'"
check "the page warns on top that runs are not verified" grep -q 'id="unverified"' "$WORK/cmp2/comparison.html"
"$KPROOF" compare "$WORK/a" "$WORK/b" --out "$WORK/cmp3" >/dev/null 2>&1
check "without a trusted key, signed runs are marked 'untrusted key' (exit 1)" \
  bash -c "[[ $? == 1 ]] && grep -q 'v-untrusted-key' '$WORK/cmp3/comparison.html'"

# The comparability guard.
"$KPROOF" compare "$WORK/a" "$WORK/c" --out "$WORK/cmp4" --pubkey "$WORK/k.pem.pub" >/dev/null 2>"$WORK/cmp4.err"
check "runs of different scenarios: exit 2" test $? = 2
check "... naming the difference (scenario digest, both names)" \
  bash -c "grep -q 'scenario digest differs: .* ran short .* ran other' '$WORK/cmp4.err'"
check "... and nothing is written" test ! -e "$WORK/cmp4/comparison.html"
cp -a "$WORK/b" "$WORK/newer"
jq '.run.kproof_version = "9.9.9"' "$WORK/b/evidence.json" >"$WORK/newer/evidence.json"
"$KPROOF" compare "$WORK/a" "$WORK/newer" --out "$WORK/cmp5" --pubkey "$WORK/k.pem.pub" >/dev/null 2>"$WORK/cmp5.err"
check "runs of different kproof versions: exit 2 naming it" \
  bash -c "[[ $? == 2 ]] && grep -q 'kproof version differs: .* has 0\\..* has 9.9.9' '$WORK/cmp5.err'"
"$KPROOF" compare "$WORK/a" "$WORK/c" --out "$WORK/cmp6" --force --pubkey "$WORK/k.pem.pub" >/dev/null 2>&1
check "--force compares them anyway (exit 0)" test $? = 0
check "... and the page says so on top, before the runs table" \
  bash -c "grep -o 'NOT COMPARABLE.*id=\"runs\"' '$WORK/cmp6/comparison.html' | grep -q 'scenario digest differs'"
check "... in the PDF too" bash -c "pdftotext '$WORK/cmp6/comparison.pdf' - | head -8 | grep -q 'NOT COMPARABLE'"
"$KPROOF" compare "$WORK/a" --out "$WORK/cmp7" >/dev/null 2>&1
check "compare needs two runs (exit 2)" test $? = 2
"$KPROOF" compare "$WORK/a" "$WORK/nothing-here" --out "$WORK/cmp8" >/dev/null 2>"$WORK/cmp8.err"
check "a directory without evidence.json: exit 2 naming it" bash -c "[[ $? == 2 ]] && grep -q 'nothing-here: no evidence.json' '$WORK/cmp8.err'"

# The bake-off page in Chromium: renders, no request, no console message.
rm -rf "$WORK/prof"
HOME=$WORK timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
  --disable-extensions --user-data-dir="$WORK/prof" --enable-logging=stderr --v=0 --log-net-log="$WORK/cmp.netlog" \
  --window-size=1000,800 --screenshot="$WORK/cmp.png" "file://$html" >"$WORK/cmp.chromium" 2>&1
/usr/bin/python3 "$EV_TESTS_DIR/page_check.py" "$WORK/cmp.netlog" "$WORK/cmp.chromium" "$WORK/cmp.png" >"$WORK/cmp.check" 2>&1
check "comparison.html in Chromium: not blank, no network request, no console message" test $? = 0
finish
