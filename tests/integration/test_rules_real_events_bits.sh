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

# An Event 27 without binary data whose text says "Result Code 2": the reason is read from the text
# (and said to be), with the event's time and count in the finding.
"$PYTHON" - "$TMP/text.evtx" <<'PY'
import os, sys
sys.path.insert(0, os.path.join(os.environ["OHC_SOURCE_DIR"], "tests", "tools"))
import evtx_writer
evtx_writer.write(sys.argv[1], [{"provider": "Outlook", "event_id": 27, "qualifiers": 16384, "level": 4,
    "time": "2026-11-25T07:%02d:00.000Z" % i, "strings": ["Downloading Offline address book files. Result Code 2"]}
    for i in range(3)])
PY
ohc collect --probes host,events --evtx "$(winpath "$TMP/text.evtx")" --out "$(winpath "$TMP/t.json")" > /dev/null 2>&1 || true
validate_report "$TMP/t.json"
expect_eq "$(json_get "$TMP/t.json" "[e['decoded']['reason_source'] for e in r['facts']['events']['outlook_oab']['events']]")" \
  "['text', 'text', 'text']" "reason from the text"
expect_eq "$(json_get "$TMP/t.json" "[f['rule_id'] for f in r['findings']]")" "['OAB-FULL-DOWNLOAD-FORCED']" "Result Code 2 in the text"
expect_contains "$(json_get "$TMP/t.json" "r['findings'][0]['message']")" \
  "3 full Offline Address Book download(s) that the user forced (Event 27, reason 2), the last at 2026-11-25T07:02:00.000Z" "count and time"

[ "$OHC_PLATFORM" = windows ] || { echo "rules on real events: ok"; exit 0; }
"$PYTHON" - "$TMP/port" <<'PY' &
import http.server, os, sys
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def do_GET(self):
        body = b"no OAB files here"
        status = 400 if self.path.startswith("/bad/") else 404
        self.send_response(status); self.send_header("Content-Length", str(len(body))); self.end_headers()
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
# The repair carries the real URL and the OAB GUID read from it, never an example server.
guid=3f2c1a9e-5b7d-4c21-9a4e-0d6f1b2c3d4e
expect_eq "$(json_get "$TMP/b.json" "[j['oab_guid'] for j in r['facts']['bits']['jobs'] if j['id'].lower()=='$job'.lower()]")" "['$guid']" "oab_guid of the real job"
cmds=$(json_get "$TMP/b.json" "[c for s in r['findings'][0]['remediation'] for c in s['commands']]")
expect_contains "$cmds" "Invoke-WebRequest -UseDefaultCredentials -Uri $url" "the failing URL to ask"
expect_contains "$cmds" "Set-OfflineAddressBook -Identity $guid -VirtualDirectories \$null -GlobalWebDistributionEnabled \$true" "the OAB by its GUID"
case "$cmds" in *SERVER.contoso.com*|*OAB-GUID*) fail "example values in the commands: $cmds";; esac

# Any other error of an OAB job (here HTTP 400, BG_E_HTTP_ERROR_400: Wine's BITS maps only some HTTP
# statuses to errors, 400 among them, 410 not) is OAB-BITS-JOB-ERROR, with the
# real job id in the bitsadmin command.
wine "$OHC_BITSJOB" cancel "$job" > /dev/null 2>&1 || true
bad_url="http://127.0.0.1:$(cat "$TMP/port")/bad/OAB/$guid/oab.xml"
job=$(wine "$OHC_BITSJOB" create "Microsoft Outlook Offline Address Book" "$bad_url" 'C:\users\Public\oab2.xml' | tr -d '\r' | head -1)
wine "$OHC_BITSJOB" wait "$job" ERROR 30 > "$TMP/wait400.txt" 2>&1 || fail "the 400 job did not reach ERROR: $(cat "$TMP/wait400.txt")"
set +e
ohc collect --probes host,bits --out "$(winpath "$TMP/g.json")" > /dev/null; rc=$?
set -e
validate_report "$TMP/g.json"
expect_eq "$(json_get "$TMP/g.json" "[f['rule_id'] for f in r['findings']]")" "['OAB-BITS-JOB-ERROR']" "another code: the generic OAB job finding"
G() { json_get "$TMP/g.json" "[f for f in r['findings'] if f['rule_id']=='OAB-BITS-JOB-ERROR'][0]$1"; }
expect_contains "$(G "['message']")" "0x80190190 BG_E_HTTP_ERROR_400" "the code"
expect_contains "$(G "['message']")" "$bad_url" "the URL"
expect_contains "$(G "['message']")" "Microsoft Outlook Offline Address Book" "the job name"
expect_eq "$(json_get "$TMP/g.json" "[c.lower() for f in r['findings'] if f['rule_id']=='OAB-BITS-JOB-ERROR' for c in f['remediation'][0]['commands']]")" \
  "['bitsadmin /info $(echo "$job" | tr A-Z a-z) /verbose']" "bitsadmin with the real id"
echo "rules on real events and BITS: ok"
