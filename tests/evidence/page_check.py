#!/usr/bin/env python3
"""page_check.py - judges one headless-Chromium rendering of a page (tests/evidence helper).

usage: page_check.py NETLOG CHROMIUM_STDERR SCREENSHOT_PNG

Prints one "problem: ..." line per finding and exits 1 when there is any:
  - the page made a network request: a URL_REQUEST_START_JOB in the NetLog whose initiator is a
    document (the browser's own background requests say "not an origin") and whose scheme is not
    local (file, data, blob, about, chrome);
  - the page logged to the console (Chromium's --enable-logging prints every console message as a
    CONSOLE line; report.html has no script, so any message is an error);
  - the screenshot is blank: fewer than 1% of its pixels differ from its most common colour.
Standard library only (the PNG is decoded here with zlib).
"""
import json
import struct
import sys
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
        return [l.strip() for l in f if ":CONSOLE" in l]


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


def main():
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
