"""An Exchange OAB virtual directory for the OAB check tests: HTTPS on one address.

    oab_server.py --addr 127.0.0.2 --port P --cert C --key K --guid GUID --seq N
                  [--mode files|404|nolzx|auth|bad:<kind>] [--record FILE] [--ready FILE]

Serves /OAB/<GUID>/oab.xml (a manifest of the documented shape, [MS-OXWOAB]:
one OAL with a Full, a Template and Diffs, sequence N) and the files it names
(.lzx with the documented 16-byte header). Modes:
  files   everything there (200; HEAD too)
  404     the OAB folder is missing on this server: every /OAB/ path answers 404
  nolzx   oab.xml is there, the .lzx files are not (404)
  auth    401 with WWW-Authenticate: Negotiate, NTLM, Basic unless Basic
          credentials come (test:test); the only scheme a loopback test can
          check end to end (no Kerberos/NTLM server here)
  bad:<kind>  oab.xml is hostile: elements (10^6), attr (a 1 MB attribute),
          entity (a billion-laughs DOCTYPE), utf16, latin1, truncated
Every request is appended to --record as one JSON line {method, path, auth}
("auth" is the scheme only, never the credentials). Sends Content-Length
always (Wine's Schannel path needs it)."""
import argparse
import json
import ssl
import struct
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

OAL_ID = "5b1c0e3a-7d42-4c39-9f0e-2a6d81c4b7e5"
lock = threading.Lock()


def manifest(seq):
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<OAB>
  <OAL id='{OAL_ID}' dn='/' name='\\Default Global Address List'>
    <Full seq='{seq}' ver='32' size='64' uncompressedsize='96' SHA='3f786850e387550fdab836ed7e6dc881de23001b'>
      {OAL_ID}-data-{seq}.lzx</Full>
    <Template seq='{seq}' ver='7' size='64' uncompressedsize='25620' SHA='89e6c98d92887913cadf06b2adb97f26cde4849b' langid='0409' type='windows'>
      {OAL_ID}-lng0409-{seq}.lzx</Template>
    <Diff seq='{seq}' ver='32' size='28' uncompressedsize='96' SHA='a94a8fe5ccb19ba61c4c0873d391e987982fbbd3'>
      {OAL_ID}-binpatch-{seq}.lzx</Diff>
  </OAL>
</OAB>
""".encode()


def hostile(kind):
    # Past the reader's limits (20000 elements, 1024-byte values) and no more: a
    # 4 MB body once took longer than the check's 5 s per request on a loaded machine.
    if kind == "elements":
        return b"<?xml version='1.0'?><OAB>" + b"<x/>" * 30000 + b"</OAB>"
    if kind == "attr":
        return b"<OAB><OAL id='" + b"a" * 20000 + b"'/></OAB>"
    if kind == "entity":
        lol = b"<!DOCTYPE OAB [<!ENTITY a 'lol'>" + b"".join(
            b"<!ENTITY %c '%s'>" % (ord("b") + i, (b"&" + bytes([ord("a") + i]) + b";") * 10) for i in range(9)) + b"]>"
        return b"<?xml version='1.0'?>" + lol + b"<OAB><OAL id='&j;'/></OAB>"
    if kind == "utf16":
        return manifest(1).decode().replace("UTF-8", "UTF-16").encode("utf-16")
    if kind == "latin1":
        return "<?xml version='1.0' encoding='ISO-8859-1'?><OAB><OAL name='Adressbuch M\u00fcnchen'/></OAB>".encode("latin-1")
    if kind == "truncated":
        return manifest(1)[:200]
    raise SystemExit("unknown bad kind " + kind)


def lzx(seq):
    # Full .lzx header: ulVersionHi=3, ulVersionLo=1, ulBlockMax, ulTargetSize; one stored block.
    data = b"\0" * 32
    return struct.pack("<IIII", 3, 1, 32768, len(data)) + struct.pack("<IIII", 0, len(data), len(data), 0) + data


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--addr", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--guid", required=True)
    ap.add_argument("--seq", type=int, default=118)
    ap.add_argument("--mode", default="files")
    ap.add_argument("--record")
    ap.add_argument("--ready")
    a = ap.parse_args()
    rec = open(a.record, "a") if a.record else None
    prefix = f"/OAB/{a.guid}/"
    body_xml = hostile(a.mode[4:]) if a.mode.startswith("bad:") else manifest(a.seq)

    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def answer(self, status, body=b"", headers=()):
            self.send_response(status)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def handle_any(self):
            authz = self.headers.get("Authorization", "")
            if rec:
                with lock:
                    rec.write(json.dumps({"method": self.command, "path": self.path, "addr": a.addr,
                                          "auth": authz.split(" ")[0] if authz else None}) + "\n")
                    rec.flush()
            if a.mode == "auth" and authz != "Basic dGVzdDp0ZXN0":
                return self.answer(401, b"unauthorized", [("WWW-Authenticate", "Negotiate"),
                                                          ("WWW-Authenticate", "NTLM"),
                                                          ("WWW-Authenticate", 'Basic realm="oab"')])
            if a.mode == "404" or not self.path.startswith(prefix):
                return self.answer(404, b"not found")
            name = self.path[len(prefix):]
            if name == "oab.xml":
                return self.answer(200, body_xml, [("Content-Type", "text/xml")])
            if a.mode == "nolzx":
                return self.answer(404, b"not found")
            if name.endswith(f"-{a.seq}.lzx") and name.startswith(OAL_ID):
                return self.answer(200, lzx(a.seq), [("Content-Type", "application/octet-stream")])
            return self.answer(404, b"not found")

        do_GET = handle_any
        do_HEAD = handle_any

    srv = ThreadingHTTPServer((a.addr, a.port), H)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    if a.ready:
        open(a.ready, "w").write("ready\n")
    srv.serve_forever()


if __name__ == "__main__":
    main()
