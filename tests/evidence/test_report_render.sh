#!/usr/bin/env bash
# tests/evidence/test_report_render.sh - report.pdf and report.html as a reader gets them.
#  - report.pdf exists after `kproof run`, its text (pdftotext) has the checklist first, every
#    checklist row id, every check id with its verdict, reason, measurements and plot, and every
#    page renders to a non-blank image (pdftoppm); `kproof report` renders it again.
#  - a run whose PDF cannot be rendered says so: exit 3, an error line, the reason in the signed
#    statement, and `kproof verify` prints it.
#  - page one is the executive summary (page_check.py --page-one): the run verdict, every row's
#    answer, the findings, the signing key and `kproof verify`, librdkafka's version and the
#    cluster id, and the detail only from page two; a run with a failed check and a missed gate
#    lists both on page one.
#  - report.html in headless Chromium renders (non-blank screenshot), makes no network request
#    and logs nothing on the console; the same checker flags pages that do (negative controls).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
isolate "$@"
for t in jq pdftotext pdftoppm pdfinfo /usr/bin/python3 chromium; do
  command -v $t >/dev/null || { echo "missing tool: $t (run scripts/setup.sh)" >&2; exit 1; }
done
new_work
# The short scenario plus a tracked workload check, which draws a plot.
jq '.suites[0].checks += ["semantics.acks-all"]' "$WORK/short.json" >"$WORK/plot.json"
"$KPROOF" keygen --out "$WORK/k.pem" >/dev/null 2>&1
"$KPROOF" run "$WORK/plot.json" --target "$REPO_ROOT/targets/embedded.json" --out "$WORK/r" -q \
  --sign-key "$WORK/k.pem" >"$WORK/r.log" 2>&1
require "kproof run exits 0" test $? = 0
pdf=$WORK/r/report.pdf
require "report.pdf exists and is a PDF" test "$(head -c 5 "$pdf" 2>/dev/null)" = "%PDF-"
pdftotext "$pdf" "$WORK/r.txt"
tr -s ' \n' '  ' <"$WORK/r.txt" >"$WORK/r.flat"
ev=$WORK/r/evidence.json

missing=$(jq -r '.rows[].id' "$ev" | while read -r id; do grep -qF -- "$id" "$WORK/r.txt" || echo "$id"; done)
check "the PDF text has every checklist row id ($(jq '.rows | length' "$ev") rows)${missing:+; missing: $missing}" test -z "$missing"
missing=$(jq -r '.checks[].id' "$ev" | while read -r id; do grep -qF -- "$id —" "$WORK/r.flat" || echo "$id"; done)
check "the PDF has a section for every check ($(jq '.checks | length' "$ev"))${missing:+; missing: $missing}" test -z "$missing"
first_check=$(grep -n -m1 ' — ' "$WORK/r.txt" | cut -d: -f1)
checklist=$(grep -n -m1 'Evaluation checklist' "$WORK/r.txt" | cut -d: -f1)
check "the checklist table comes first (line $checklist, first check at line $first_check)" test "${checklist:-999999}" -lt "${first_check:-0}"
missing=$(jq -r '.checks[] | .reason | split(" ")[0:4] | join(" ")' "$ev" | while read -r r; do grep -qF -- "$r" "$WORK/r.flat" || echo "$r"; done)
check "the PDF has every check's reason${missing:+; missing: $missing}" test -z "$missing"
missing=$(jq -r '[.checks[].measurements[].name] | unique[]' "$ev" | while read -r m; do grep -qF -- "$m" "$WORK/r.txt" || echo "$m"; done)
check "the PDF has every measurement name${missing:+; missing: $missing}" test -z "$missing"
check "the PDF has the verdicts (pass and skip badges)" bash -c "grep -qx pass '$WORK/r.txt' && grep -qx skip '$WORK/r.txt'"
check "the PDF has the acks-all plot (its title and axes)" \
  bash -c "grep -qF 'throughput and p99 latency' '$WORK/r.flat' && grep -qF 'p99 ack ms' '$WORK/r.flat'"

# Page one: the executive summary, from evidence.json.
pdftotext -f 1 -l 1 "$pdf" "$WORK/p1.txt"
/usr/bin/python3 "$EV_TESTS_DIR/page_check.py" --page-one "$ev" "$WORK/p1.txt" >"$WORK/p1.check" 2>&1
check "page one: verdict, row answers, findings, fingerprint, librdkafka, cluster id ($(head -1 "$WORK/p1.check"))" test $? = 0
sed -n 's/^problem/# problem/p' "$WORK/p1.check"
check "... the rows' answers come from the checks (acks-all's answer is on page one)" \
  grep -qF "all $(jq '.checks[] | select(.id == "semantics.acks-all") | .measurements[] | select(.name == "records_acked") | .value' "$ev") acknowledged records consumed intact" "$WORK/p1.txt"
check "... the platform's ApiVersions answer is on page one" grep -q 'APIs (v[03] answer); Produce v' "$WORK/p1.txt"
check "... and evidence.json records it per broker" \
  test "$(jq '[.run.platform.brokers[] | select(.api_versions.apis | length > 10)] | length' "$ev")" = "$(jq '.run.platform.broker_count' "$ev")"
# negative control: page two is not the summary
pdftotext -f 2 -l 2 "$pdf" "$WORK/p2.txt"
/usr/bin/python3 "$EV_TESTS_DIR/page_check.py" --page-one "$ev" "$WORK/p2.txt" >/dev/null 2>&1
check "negative control: the page-one checker rejects page two" test $? = 1

# A run with a failed check and a missed gate lists both on page one.
jq '.suites[0].checks = ["semantics.round-trip", "semantics.acks-all"] | .suites[0].gates = {"max_p99_ack_ms": 0.001}' \
  "$WORK/short.json" >"$WORK/fail.json"
"$KPROOF" run "$WORK/fail.json" --target "$REPO_ROOT/targets/embedded.json" --out "$WORK/f" -q \
  --sign-key "$WORK/k.pem" >"$WORK/f.log" 2>&1
check "a run whose gate is missed exits 1" test $? = 1
pdftotext -f 1 -l 1 "$WORK/f/report.pdf" "$WORK/f1.txt"
/usr/bin/python3 "$EV_TESTS_DIR/page_check.py" --page-one "$WORK/f/evidence.json" "$WORK/f1.txt" >"$WORK/f1.check" 2>&1
check "... its page one passes the page-one check ($(head -1 "$WORK/f1.check"))" test $? = 0
sed -n 's/^problem/# problem/p' "$WORK/f1.check"
tr -s ' \n' '  ' <"$WORK/f1.txt" >"$WORK/f1.flat"
check "... shows the FAIL verdict, the failed check and the missed gate" \
  bash -c "grep -q 'Run verdict FAIL' '$WORK/f1.flat' && grep -qF 'semantics.acks-all: gate max_p99_ack_ms missed' '$WORK/f1.flat' && grep -qF 'missed gate max_p99_ack_ms of semantics.acks-all' '$WORK/f1.flat'"
check "... and no 'None' findings line" bash -c "! grep -q 'None: no check failed' '$WORK/f1.flat'"

# Pages as images: every page renders and shows something; the first one plenty.
pages=$(pdfinfo "$pdf" | awk '/^Pages:/ { print $2 }')
pdftoppm -r 30 -gray "$pdf" "$WORK/page"
dark_share() { # percent of pixels darker than mid-grey in a binary PGM from pdftoppm
  local hdr
  hdr=$(head -c 64 "$1" | head -3 | wc -c)
  tail -c +$((hdr + 1)) "$1" | od -An -v -tu1 | awk '{ for (i = 1; i <= NF; i++) { n++; if ($i < 160) d++ } } END { printf "%d", n ? 1000 * d / n : 0 }'
}
n_img=0 blank=""
for img in "$WORK"/page-*.pgm; do
  n_img=$((n_img + 1))
  (($(dark_share "$img") >= 1)) || blank="$blank $(basename "$img")"
done
check "pdftoppm renders all $pages pages" test "$n_img" = "$pages"
check "no page image is blank${blank:+ (blank:$blank)}" test -z "$blank"
first=$(ls "$WORK"/page-*.pgm | head -1)
check "the first page is well filled ($(dark_share "$first")/1000 dark)" test "$(dark_share "$first")" -ge 10

# kproof report renders the PDF again, elsewhere or in place (then the directory verifies).
"$KPROOF" report "$WORK/r" --out "$WORK/again" >/dev/null 2>&1
check "kproof report --out DIR writes report.pdf there" test "$(head -c 5 "$WORK/again/report.pdf" 2>/dev/null)" = "%PDF-"
check "... with every checklist row id" \
  bash -c "pdftotext '$WORK/again/report.pdf' - | grep -q data-plane-location && pdftotext '$WORK/again/report.pdf' - | grep -q migration-rollback"
old=$(sha256sum "$pdf" | cut -c1-64)
"$KPROOF" report "$WORK/r" --sign-key "$WORK/k.pem" >/dev/null 2>&1
check "kproof report RUN_DIR renders report.pdf again in place" test "$(sha256sum "$pdf" | cut -c1-64)" != "$old"
"$KPROOF" verify "$WORK/r" --pubkey "$WORK/k.pem.pub" >/dev/null
check "... and the run directory still verifies" test $? = 0

# A run whose PDF cannot be rendered is reported, not silent.
KPROOF_CHROMIUM=/bin/false run_short "$WORK/nopdf" --sign-key "$WORK/k.pem"
check "PDF rendering failed: kproof run exits 3" test $? = 3
check "... says report.pdf was not rendered and why" grep -q 'report.pdf NOT rendered: /bin/false could not print' "$WORK/nopdf.log"
check "... leaves no report.pdf" test ! -e "$WORK/nopdf/report.pdf"
check "... records it in the signed statement" \
  test "$(jq -r '.predicate.reports[] | select(.name == "report.pdf") | .status' "$WORK/nopdf/statement.json")" = missing
out=$("$KPROOF" verify "$WORK/nopdf" --pubkey "$WORK/k.pem.pub")
check "... the directory still verifies (exit 0)" test $? = 0
check "... and verify points out the missing report.pdf" grep -q '^note: report.pdf was not rendered' <<<"$out"
KPROOF_CHROMIUM=$WORK/no-such-browser "$KPROOF" report "$WORK/r" --out "$WORK/nob" >/dev/null 2>"$WORK/nob.err"
check "kproof report without a browser exits 3 naming the problem" \
  bash -c "[[ $? == 3 ]] && grep -q 'no-such-browser: not an executable' '$WORK/nob.err'"

# report.html in headless Chromium.
shoot() { # shoot NAME URL: screenshot, NetLog and console log of one page
  rm -rf "$WORK/prof"
  HOME=$WORK timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
    --no-first-run --disable-extensions --user-data-dir="$WORK/prof" --enable-logging=stderr --v=0 \
    --log-net-log="$WORK/$1.netlog" --window-size=1000,800 --screenshot="$WORK/$1.png" "$2" \
    >"$WORK/$1.stderr" 2>&1
}
check_page() { /usr/bin/python3 "$EV_TESTS_DIR/page_check.py" "$WORK/$1.netlog" "$WORK/$1.stderr" "$WORK/$1.png" >"$WORK/$1.check" 2>&1; }
shoot report "file://$WORK/r/report.html"
require "Chromium renders report.html to a screenshot" test -s "$WORK/report.png"
check_page report
check "report.html: not blank, no network request, no console message ($(head -1 "$WORK/report.check"))" test $? = 0
[[ -s $WORK/report.check ]] && sed 's/^/# /' "$WORK/report.check"

printf '%s\n' '<!DOCTYPE html><html><body><h1>A page that phones home</h1><p>text</p>' \
  '<img src="http://example.com/pixel.png"><script>console.error("broken on purpose")</script></body></html>' >"$WORK/bad.html"
shoot bad "file://$WORK/bad.html"
check_page bad
check "negative control: the checker flags a page that requests a URL" grep -q 'network request by the page: http://example.com/pixel.png' "$WORK/bad.check"
check "negative control: the checker flags a console error" grep -q 'console message: .*broken on purpose' "$WORK/bad.check"
printf '%s\n' '<!DOCTYPE html><html><body></body></html>' >"$WORK/blank.html"
shoot blank "file://$WORK/blank.html"
check_page blank
check "negative control: the checker flags a blank page" grep -q 'blank screenshot' "$WORK/blank.check"
finish
