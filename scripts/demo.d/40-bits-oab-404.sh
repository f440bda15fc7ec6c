# demo: Outlook's OAB download failing in BITS: an /OAB/<guid>/oab.xml job answered 404 (0x80190194)
# A loopback server that answers 404 to every request stands for the Exchange
# server that never received the OAB files; bitsjob.exe (tests/win32/bitsjob.c)
# creates the job through the real BITS API, as Outlook does, and waits until
# BITS puts it in ERROR. Sourced by scripts/demo (WINEPREFIX set, BITS running).
_oab_dir=$(mktemp -d "${TMPDIR:-/tmp}/ohc-demo-oab.XXXXXX")
/usr/bin/python3 - "$_oab_dir/port" > /dev/null 2>&1 <<'PY' &
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def do_GET(self):
        body = b"The OAB files are not on this server."
        self.send_response(404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    do_HEAD = do_GET
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1] + ".tmp", "w").write(str(s.server_address[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
s.serve_forever()
PY
DEMO_PIDS+=($!)
for _ in $(seq 50); do [ -s "$_oab_dir/port" ] && break; sleep 0.1; done
_oab_url="http://127.0.0.1:$(cat "$_oab_dir/port")/OAB/3f2c1a9e-5b7d-4c21-9a4e-0d6f1b2c3d4e/oab.xml"
_oab_job=$(wine "$ROOT/build/mingw/tests/bitsjob.exe" create "Microsoft Outlook Offline Address Book" \
  "$_oab_url" 'C:\users\Public\oab.xml' | tr -d '\r' | head -1)
wine "$ROOT/build/mingw/tests/bitsjob.exe" wait "$_oab_job" ERROR 30 > /dev/null \
  || echo "demo: the OAB job did not reach ERROR (see the report)" >&2
rm -rf "$_oab_dir"
