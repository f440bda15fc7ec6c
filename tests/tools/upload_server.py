"""A report collection endpoint for the upload tests and the benchmark.

    upload_server.py --record FILE [--mode MODE] [--tls CERT KEY] [--port-file F]

Listens on 127.0.0.1 on a free port (written to --port-file, and printed),
accepts POST /... with a JSON report (gzip or not), and appends one JSON line
per request to --record: {"id", "key", "auth", "ua", "encoding", "wire",
"json", "status", "time", "dup"} so tests can check what arrived by report id.
Never stores the Authorization value itself in clear: "auth" is the token's
SHA-256 prefix, so a test can compare without the record holding the secret.

Modes (also switched at run time by GET /_mode/<mode>):
  ok            200
  500 / 400 / 413   that status for every request
  503-retry     503 with Retry-After: 1 the first time an id is seen, then 200
  500-once      500 the first time an id is seen, then 200
  slow          sleeps 5 s before answering (past the client's timeout)
  reset         closes the connection without an answer (RST)
  redirect      307 to /elsewhere (which answers 200 but must not be followed)
  third         a third of requests at random fail (500, 503, reset), else 200
  delay         20 ms before each 200 (the kill -9 run)
"""
import argparse
import gzip
import hashlib
import json
import random
import socket
import ssl
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 64 << 20
state = {"mode": "ok", "seen": set(), "lock": threading.Lock(), "record": None}


def record(entry):
    with state["lock"]:
        state["record"].write(json.dumps(entry) + "\n")
        state["record"].flush()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are separate writes: no 40 ms delayed-ACK stall

    def log_message(self, fmt, *args):
        pass

    def answer(self, status, body=b"", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        # Wine's Schannel path needs Content-Length (see toolchain notes)
        self.send_header("Content-Length", str(len(body)))
        if not any(k == "Content-Type" for k, _ in headers):
            self.send_header("Content-Type", "text/plain")
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (the "slow" mode's timeout)

    def do_GET(self):
        if self.path.startswith("/_mode/"):
            state["mode"] = self.path[len("/_mode/"):]
            self.answer(200, b"ok")
        elif self.path.startswith("/pac/"):
            # a PAC file sending every URL through the proxy host:port named in the path
            pac = 'function FindProxyForURL(url, host) { return "PROXY %s"; }\n' % self.path[5:]
            record({"id": None, "pac": self.path[5:], "status": 200, "time": time.time()})
            self.answer(200, pac.encode(), [("Content-Type", "application/x-ns-proxy-autoconfig")])
        else:
            self.answer(404, b"no")

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        if n < 0 or n > MAX_BODY:
            self.answer(413, b"too large")
            return
        wire = self.rfile.read(n)
        mode = state["mode"]
        enc = self.headers.get("Content-Encoding", "")
        try:
            body = gzip.decompress(wire) if enc == "gzip" else wire
            report = json.loads(body)
            rid = report.get("report_id")
        except Exception as e:  # a broken body is the client's bug: 400 and recorded
            record({"id": None, "error": str(e), "status": 400, "time": time.time()})
            self.answer(400, b"bad body")
            return
        key = self.headers.get("Idempotency-Key")
        auth = self.headers.get("Authorization")
        auth_h = None
        if auth:
            scheme, _, tok = auth.partition(" ")
            auth_h = scheme + " sha256:" + hashlib.sha256(tok.encode()).hexdigest()[:16]
        with state["lock"]:
            first = rid not in state["seen"]
        status, headers, answer = 200, [], b"stored"
        if self.path == "/elsewhere":
            status = 200
        elif mode in ("500", "400", "413"):
            status, answer = int(mode), ("server says %s for %s" % (mode, rid)).encode()
        elif mode == "503-retry" and first:
            status, headers, answer = 503, [("Retry-After", "1")], b"busy"
        elif mode == "500-once" and first:
            status, answer = 500, b"oops"
        elif mode == "slow":
            time.sleep(5)
        elif mode == "redirect":
            status, headers, answer = 307, [("Location", "/elsewhere")], b"moved"
        elif mode == "delay":
            time.sleep(0.02)
        elif mode in ("reset", "third"):
            pick = "reset" if mode == "reset" else random.choice(["ok", "ok", "500", "503", "reset", "ok"])
            if pick == "reset":
                record({"id": rid, "key": key, "status": "reset", "time": time.time(), "path": self.path})
                with state["lock"]:
                    state["seen"].add(rid)
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True
                self.connection.close()
                return
            if pick != "ok":
                status = int(pick)
                headers = [("Retry-After", "0")] if pick == "503" else []
        dup = False
        with state["lock"]:
            if status == 200:
                dup = rid in state.get("delivered", set())
                state.setdefault("delivered", set()).add(rid)
            state["seen"].add(rid)
        record({"id": rid, "key": key, "auth": auth_h, "ua": self.headers.get("User-Agent"), "encoding": enc,
                "wire": len(wire), "json": len(body), "status": status, "time": time.time(), "dup": dup,
                "path": self.path, "ctype": self.headers.get("Content-Type"),
                "hdr": len(self.requestline) + 2 + len(self.headers.as_bytes())})
        self.answer(status, answer, headers)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--record", required=True)
    ap.add_argument("--mode", default="ok")
    ap.add_argument("--tls", nargs=2)
    ap.add_argument("--port-file")
    a = ap.parse_args()
    state["mode"] = a.mode
    state["record"] = open(a.record, "a")
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    if a.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.tls[0], a.tls[1])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    port = srv.server_address[1]
    if a.port_file:
        with open(a.port_file + ".tmp", "w") as f:
            f.write(str(port))
        import os
        os.rename(a.port_file + ".tmp", a.port_file)
    print(port, flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
