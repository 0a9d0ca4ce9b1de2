#!/usr/bin/env python3
"""canary_search.py NAMES PATH...: prints every place where the value of one of the environment
variables NAMES (space-separated) appears in the files under PATH... (directories walked, the DSSE
envelope's payload decoded too) in any form: raw, JSON-escaped (UTF-8 and ASCII), HTML- and
XML-escaped, URL-encoded, hex, base64 at each of the three alignments, or as any 12-byte piece.
Prints nothing when no secret leaked. Shared by the canary tests of tests/cli and tests/kafka."""
import base64, html, json, os, sys, urllib.parse
names, paths = sys.argv[1].split(), sys.argv[2:]
def forms(s):
    b = s.encode()
    out = {"raw": b, "json": json.dumps(s, ensure_ascii=False)[1:-1].encode(),
           "json-ascii": json.dumps(s)[1:-1].encode(), "html": html.escape(s, quote=True).encode(),
           "xml": s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;").replace("'", "&apos;").encode(),
           "url": urllib.parse.quote(s, safe="").encode(), "url+": urllib.parse.quote_plus(s).encode(),
           "hex": b.hex().encode(), "HEX": b.hex().upper().encode()}
    for a in range(3):  # base64 of the secret at each alignment, edge characters dropped
        e = base64.b64encode(b"\0" * a + b)
        out["base64/%d" % a] = e[4:-4]
    for n in range(0, len(b) - 12, 3):  # any 12-byte piece, raw
        out["piece@%d" % n] = b[n:n + 12]
    return out
blobs = []
for p in paths:
    if os.path.isdir(p):
        for root, _, files in os.walk(p):
            for f in files:
                blobs.append((os.path.join(root, f), open(os.path.join(root, f), "rb").read()))
    elif os.path.exists(p):
        blobs.append((p, open(p, "rb").read()))
# The signed statements inside the envelopes (evidence and test-result), decoded.
for name, data in list(blobs):
    if name.endswith(".dsse.json"):
        blobs.append((name + ":payload", base64.b64decode(json.loads(data)["payload"])))
for n in names:
    for form, needle in forms(os.environ[n]).items():
        for name, data in blobs:
            if needle in data:
                print(f"{n} ({form}) in {name}")
print(f"# searched {len(blobs)} outputs", file=sys.stderr)
