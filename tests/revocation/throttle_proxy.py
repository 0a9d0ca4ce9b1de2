"""A throttling front for local-kms, for kproof's retry tests.

Answers the first N requests of every KMS operation with HTTP 400
{"__type": "com.amazonaws.kms#ThrottlingException"} (N = -1: all of them) and forwards the
others to the real local-kms. Every request is logged as "OP throttled|forwarded" to LOG.

usage: python3 throttle_proxy.py PORT UPSTREAM_URL N LOG
"""
import http.server
import sys
import urllib.error
import urllib.request

PORT, UPSTREAM, N, LOG = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
seen = {}


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        op = self.headers.get("X-Amz-Target", "?").split(".")[-1]
        seen[op] = seen.get(op, 0) + 1
        throttle = N < 0 or seen[op] <= N
        with open(LOG, "a") as f:
            f.write("%s %s\n" % (op, "throttled" if throttle else "forwarded"))
        if throttle:
            out = b'{"__type":"com.amazonaws.kms#ThrottlingException","message":"Rate exceeded"}'
            self.send_response(400)
            self.send_header("Content-Type", "application/x-amz-json-1.1")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)
            return
        req = urllib.request.Request(UPSTREAM, data=body, method="POST")
        for h in ("Content-Type", "X-Amz-Target", "Authorization", "X-Amz-Date"):
            if self.headers.get(h):
                req.add_header(h, self.headers[h])
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                status, out = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, out = e.code, e.read()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)


http.server.HTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
