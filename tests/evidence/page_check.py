#!/usr/bin/env python3
"""page_check.py - judges one headless-Chromium rendering of a page (tests/evidence helper).

usage: page_check.py NETLOG CHROMIUM_STDERR SCREENSHOT_PNG
       page_check.py --page-one EVIDENCE_JSON PAGE1_TXT

Prints one "problem: ..." line per finding and exits 1 when there is any:
  - the page made a network request: a URL_REQUEST_START_JOB in the NetLog whose initiator is a
    document (the browser's own background requests say "not an origin") and whose scheme is not
    local (file, data, blob, about, chrome);
  - the page logged to the console (Chromium's --enable-logging prints every console message as a
    CONSOLE line; report.html has no script, so any message is an error);
  - the screenshot is blank: fewer than 1% of its pixels differ from its most common colour.

--page-one judges the text of report.pdf's first page (pdftotext -f 1 -l 1) against the
evidence.json it was rendered from: the executive summary must show the run verdict
(summary.verdict), every checklist row's answer (rows[].answer), every failed or errored check
(id and reason) and every missed gate (name), or the no-findings line, the signing key's
fingerprint and the `kproof verify` command, librdkafka's version and the cluster id; and the
detail (the "Evaluation checklist" table) must not start on page one. Text is compared with all
white space removed (the PDF wraps lines, and breaks long fingerprints anywhere).
Standard library only (the PNG is decoded here with zlib).
"""
import json
import re
import struct
import sys
import unicodedata
import zlib

LOCAL = ("file:", "data:", "blob:", "about:", "chrome:", "chrome-error:")


def page_requests(netlog_path):
    with open(netlog_path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    # A NetLog cut short by the browser's exit lacks its closing brackets.
    try:
        log = json.loads(text)
    except json.JSONDecodeError:
        log = json.loads(text.rstrip().rstrip(",") + "]}")
    names = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    found = []
    for ev in log.get("events", []):
        if names.get(ev.get("type")) != "URL_REQUEST_START_JOB":
            continue
        p = ev.get("params", {})
        url = p.get("url", "")
        if not url or p.get("initiator") == "not an origin" or url.startswith(LOCAL):
            continue
        found.append(url)
    return found


def console_lines(stderr_path):
    with open(stderr_path, encoding="utf-8", errors="replace") as f:
        # Chromium's own pages (source chrome://..., e.g. its "Slow network is detected" notice
        # from chrome://resources under load) log to the same stream: only the page's count.
        return [l.strip() for l in f if ":CONSOLE" in l and 'source: chrome://' not in l]


def png_pixels(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            if depth != 8 or ctype not in (2, 6):
                raise ValueError("unsupported PNG (depth %d, colour type %d)" % (depth, ctype))
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * bpp
    prev = bytearray(stride)
    counts = {}
    for y in range(h):
        ftype = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 255
            elif ftype == 2:
                line[i] = (line[i] + b) & 255
            elif ftype == 3:
                line[i] = (line[i] + ((a + b) >> 1)) & 255
            elif ftype == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pr) & 255
        for x in range(0, stride, bpp):
            px = bytes(line[x:x + 3])
            counts[px] = counts.get(px, 0) + 1
        prev = line
    return w * h, counts


def squash(text):
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def page_one(evidence_path, text_path):
    ev = json.load(open(evidence_path, encoding="utf-8"))
    with open(text_path, encoding="utf-8", errors="replace") as f:
        raw = f.read()
    page = squash(raw)
    problems = []

    def need(what, value):
        if value is None or value == "":
            problems.append("evidence.json has no %s" % what)
        elif squash(value) not in page:
            problems.append("page one lacks the %s: %s" % (what, value[:120]))

    summary = ev.get("summary", {})
    need("run verdict", summary.get("verdict"))
    if "Runverdict" not in page:
        problems.append("page one lacks the 'Run verdict' line")
    for row in ev.get("rows", []):
        if row.get("answer") is not None:
            need("answer of row %s" % row["id"], row["answer"])
    findings = 0
    for c in ev.get("checks", []):
        if c.get("verdict") in ("fail", "error"):
            findings += 1
            need("failed check id", c["id"])
            need("reason of failed check %s" % c["id"], c.get("reason"))
    for g in ev.get("gates", []):
        if g.get("passed") is False:
            findings += 1
            need("missed gate", g["name"])
    if findings == 0 and squash("None: no check failed") not in page:
        problems.append("page one lacks the no-findings line")
    facts = ev.get("run", {}).get("facts", {})
    need("signing key fingerprint", facts.get("signing_key"))
    need("verify command", "kproof verify RUN_DIR --pubkey KEY.pub")
    need("librdkafka version", facts.get("librdkafka_version"))
    need("cluster id", (ev.get("run", {}).get("platform") or {}).get("cluster_id"))
    if "Evaluation checklist" in raw:
        problems.append("the detail (Evaluation checklist) starts on page one")
    print("page one: %d characters, %d rows with an answer, %d findings"
          % (len(page), sum(1 for r in ev.get("rows", []) if r.get("answer")), findings))
    for p in problems:
        print("problem: " + p)
    return 1 if problems else 0


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--page-one":
        return page_one(sys.argv[2], sys.argv[3])
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    problems = []
    for url in page_requests(sys.argv[1]):
        problems.append("network request by the page: " + url)
    for line in console_lines(sys.argv[2]):
        problems.append("console message: " + line)
    total, counts = png_pixels(sys.argv[3])
    background = max(counts.values())
    other = total - background
    print("screenshot: %d pixels, %d colours, %.1f%% differ from the background"
          % (total, len(counts), 100.0 * other / total))
    if other < total / 100:
        problems.append("blank screenshot: only %d of %d pixels differ from the background" % (other, total))
    for p in problems:
        print("problem: " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
