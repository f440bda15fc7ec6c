# The pack on facts the events and bits probes really produce: a .evtx with
# Outlook Event 27 reasons 8 and 2 (written by the test-only writer, read by
# `ohc collect --evtx`), and under Wine a real BITS job of an /OAB/ URL that a
# loopback server answers with 404 (bitsjob.exe drives the real BITS API).
. "$(dirname "$0")/lib.sh"

"$PYTHON" - "$TMP/app.evtx" <<'PY'
import os, sys
sys.path.insert(0, os.path.join(os.environ["OHC_SOURCE_DIR"], "tests", "tools"))
import evtx_writer
def oab_binary(reason, name="\\Global Address List"):
    b = bytearray(0x90); b[0:4] = reason.to_bytes(4, "little"); b += name.encode("utf-16-le") + b"\0\0"
    return b.hex()
evtx_writer.write(sys.argv[1], [{"provider": "Outlook", "event_id": 27, "qualifiers": 16384, "level": 4,
    "time": "2026-11-24T08:%02d:00.250Z" % i, "strings": ["Microsoft Exchange offline address book", "Full download"],
    "binary_hex": oab_binary(r)} for i, r in enumerate([8, 2])])
PY
ohc collect --probes host,events --evtx "$(winpath "$TMP/app.evtx")" --out "$(winpath "$TMP/e.json")" > /dev/null || true
validate_report "$TMP/e.json"
expect_eq "$(json_get "$TMP/e.json" "sorted(f['rule_id'] for f in r['findings'])")" \
  "['OAB-FULL-DOWNLOAD-FORCED', 'OAB-NAME-GUID-MISMATCH']" "Event 27 reasons 8 and 2"

[ "$OHC_PLATFORM" = windows ] || { echo "rules on real events: ok"; exit 0; }
"$PYTHON" - "$TMP/port" <<'PY' &
import http.server, os, sys
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def do_GET(self):
        body = b"no OAB files here"
        self.send_response(404); self.send_header("Content-Length", str(len(body))); self.end_headers()
        self.wfile.write(body)
    do_HEAD = do_GET
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1] + ".tmp", "w").write(str(s.server_address[1])); os.rename(sys.argv[1] + ".tmp", sys.argv[1])
s.serve_forever()  # BITS may ask more than once; the harness ends the server with the test
PY
port=$(wait_port_file 60 "$TMP/port" $! "the OAB server")
: "${OHC_BITSJOB:?}"
job=""
at_exit '[ -z "$job" ] || wine "$OHC_BITSJOB" cancel "$job"'
url="http://127.0.0.1:$port/OAB/3f2c1a9e-5b7d-4c21-9a4e-0d6f1b2c3d4e/oab.xml"
job=$(wine "$OHC_BITSJOB" create "Microsoft Outlook Offline Address Book" "$url" 'C:\users\Public\oab.xml' | tr -d '\r' | head -1)
[ -n "$job" ] || fail "bitsjob create gave no job id"
wine "$OHC_BITSJOB" wait "$job" ERROR 90 > /dev/null || fail "the job did not reach ERROR within 90 s"
set +e
ohc collect --probes host,bits --out "$(winpath "$TMP/b.json")" > /dev/null; rc=$?
set -e
validate_report "$TMP/b.json"
expect_eq "$rc" 2 "exit code"
expect_eq "$(json_get "$TMP/b.json" "[f['rule_id'] for f in r['findings']]")" "['OAB-HTTP-404']" "OAB 404 from the real BITS job"
expect_contains "$(json_get "$TMP/b.json" "r['findings'][0]['message']")" "$url" "failing URL in the message"
echo "rules on real events and BITS: ok"
