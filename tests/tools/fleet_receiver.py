"""A loopback receiver for the fleet upload formats (tests of UploadFormat otlp and splunk-hec).

    fleet_receiver.py --record FILE --bodies DIR [--mode MODE] [--port-file F] [--host 127.0.0.1]

Answers POST .../v1/logs as an OTLP/HTTP collector and POST .../services/collector/event
as a Splunk HTTP Event Collector. Each request body is un-gzipped (Content-Encoding: gzip)
and saved as DIR/<n>.json, and one JSON line is appended to --record: {"n", "kind" (otlp,
hec or other), "path", "status", "auth" (scheme + SHA-256 prefix of the credential, never
the credential), "headers" (other non-standard headers, the same way), "encoding", "ctype",
"wire", "json", "reports" (the report ids the body carries), "findings" (rule ids)}.
The record says what arrived; the tests check the saved bodies against the formats.

Modes (also switched at run time by GET /_mode/<mode>):
  ok          200 ({} for OTLP, {"text":"Success","code":0} for HEC)
  400 / 413 / 500   that status for every request
  429-once    429 with Retry-After: 1 the first time a body's first report id is seen, then 200
  503-once    503 with Retry-After: 1 the same way
  third       every third request fails, in turn with 429 (Retry-After: 0), 502, 503 (Retry-After: 0) and a
              reset connection: deterministic, as the client sends one request at a time
  delay       30 ms before each 200 (the kill -9 run)
"""
import argparse
import gzip
import hashlib
import json
import os
import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 64 << 20
STANDARD = {"host", "content-length", "content-type", "content-encoding", "user-agent", "accept", "authorization",
            "expect", "idempotency-key", "connection", "accept-encoding"}
state = {"mode": "ok", "seen": set(), "lock": threading.Lock(), "record": None, "bodies": None, "n": 0}


def hashed(v):
    return "sha256:" + hashlib.sha256(v.encode()).hexdigest()[:16]


def hec_envelopes(text):
    """The envelopes of a HEC batch: JSON objects one after the other (blanks between)."""
    dec = json.JSONDecoder()
    i, out = 0, []
    while True:
        while i < len(text) and text[i] in " \t\r\n":
            i += 1
        if i >= len(text):
            return out
        obj, i = dec.raw_decode(text, i)
        out.append(obj)


def otlp_ids(req):
    reports, rules = [], []
    for rl in req.get("resourceLogs", []):
        for sl in rl.get("scopeLogs", []):
            for rec in sl.get("logRecords", []):
                attrs = {a["key"]: a.get("value", {}) for a in rec.get("attributes", [])}
                rid = attrs.get("report.id", {}).get("stringValue")
                if rid is not None and rid not in reports:
                    reports.append(rid)
                if "rule.id" in attrs:
                    rules.append(attrs["rule.id"].get("stringValue"))
    return reports, rules


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):
        pass

    def answer(self, status, body=b"", headers=(), ctype="application/json"):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))  # Wine's Schannel path needs it
        self.send_header("Content-Type", ctype)
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_GET(self):
        if self.path.startswith("/_mode/"):
            state["mode"] = self.path[len("/_mode/"):]
            self.answer(200, b"ok", ctype="text/plain")
        else:
            self.answer(404, b"no", ctype="text/plain")

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        if n < 0 or n > MAX_BODY:
            self.answer(413, b"{}")
            return
        wire = self.rfile.read(n)
        path = self.path.split("?")[0]
        kind = "otlp" if path.endswith("/v1/logs") else "hec" if path.endswith("/services/collector/event") else "other"
        enc = self.headers.get("Content-Encoding", "")
        with state["lock"]:
            state["n"] += 1
            num = state["n"]
        entry = {"n": num, "kind": kind, "path": path, "encoding": enc, "ctype": self.headers.get("Content-Type"),
                 "wire": len(wire), "time": time.time()}
        auth = self.headers.get("Authorization")
        if auth:
            scheme, _, cred = auth.partition(" ")
            entry["auth"] = scheme + " " + hashed(cred)
        entry["headers"] = {k.lower(): hashed(v) for k, v in self.headers.items() if k.lower() not in STANDARD}
        entry["idempotency_key"] = self.headers.get("Idempotency-Key")
        try:
            body = gzip.decompress(wire) if enc == "gzip" else wire
            text = body.decode("utf-8")
            with open(os.path.join(state["bodies"], "%d.json" % num), "w") as f:
                f.write(text)
            entry["json"] = len(body)
            if kind == "otlp":
                entry["reports"], entry["findings"] = otlp_ids(json.loads(text))
            elif kind == "hec":
                envs = hec_envelopes(text)
                entry["envelopes"] = len(envs)
                entry["reports"] = []
                entry["findings"] = []
                for e in envs:
                    ev = e.get("event", {})
                    rid = ev.get("report_id") if isinstance(ev, dict) else None
                    if rid is not None and rid not in entry["reports"]:
                        entry["reports"].append(rid)
                    if e.get("sourcetype") == "ohc:finding":
                        entry["findings"].append(ev.get("rule_id"))
            else:
                entry["reports"], entry["findings"] = [], []
        except Exception as e:  # a body that does not decode is the client's bug: 400, recorded
            entry.update({"status": 400, "error": str(e)})
            self.record(entry)
            self.answer(400, json.dumps({"text": "Invalid data format", "code": 6}).encode())
            return
        mode = state["mode"]
        first_key = (kind, entry["reports"][0] if entry["reports"] else None, num if not entry["reports"] else 0)
        with state["lock"]:
            first = first_key not in state["seen"]
            state["seen"].add(first_key)
        ok_body = b"{}" if kind == "otlp" else json.dumps({"text": "Success", "code": 0}).encode()
        status, headers, answer = 200, [], ok_body
        if mode in ("400", "413", "500"):
            status, answer = int(mode), json.dumps({"code": 3, "message": "receiver says " + mode}).encode()
        elif mode in ("429-once", "503-once") and first:
            status, headers, answer = int(mode[:3]), [("Retry-After", "1")], b'{"text":"Server is busy","code":9}'
        elif mode == "delay":
            time.sleep(0.03)
        elif mode == "third":
            pick = ["429", "502", "503", "reset"][(num // 3) % 4] if num % 3 == 0 else "ok"
            if pick == "reset":
                entry["status"] = "reset"
                self.record(entry)
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True
                self.connection.close()
                return
            if pick != "ok":
                status, answer = int(pick), b'{"code":14}'
                headers = [("Retry-After", "0")] if pick in ("429", "503") else []
        entry["status"] = status
        self.record(entry)
        self.answer(status, answer, headers)

    def record(self, entry):
        with state["lock"]:
            state["record"].write(json.dumps(entry) + "\n")
            state["record"].flush()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--record", required=True)
    ap.add_argument("--bodies", required=True)
    ap.add_argument("--mode", default="ok")
    ap.add_argument("--port-file")
    ap.add_argument("--host", default="127.0.0.1")
    a = ap.parse_args()
    state["mode"] = a.mode
    state["record"] = open(a.record, "a")
    state["bodies"] = a.bodies
    os.makedirs(a.bodies, exist_ok=True)
    srv = ThreadingHTTPServer((a.host, 0), Handler)
    srv.daemon_threads = True
    port = srv.server_address[1]
    if a.port_file:
        with open(a.port_file + ".tmp", "w") as f:
            f.write(str(port))
        os.rename(a.port_file + ".tmp", a.port_file)
    print(port, flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
