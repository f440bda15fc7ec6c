#!/usr/bin/env bash
# End to end under Wine: a BITS job for an OAB URL fails with HTTP 404 (real
# BITS, bitsjob.exe, a loopback server); the MSI built by wixl is installed
# with msiexec /qn and UPLOADURL pointing at a loopback collection server,
# policy values make the service collect at once; the report it uploads
# arrives (gzip, Bearer token, Idempotency-Key) and holds the failing OAB job
# and the rules' OAB-HTTP-404 finding;
# a stop ends the service within 5 s as the service manager measures it; with the server failing, reports wait
# in the spool; installing the higher version keeps the configuration and that
# spool, which is delivered once the server answers again; msiexec /x removes
# the service, the program files and the event source (and keeps configuration
# and ProgramData, as the README says).
. "$(dirname "$0")/lib.sh"
[ "$OHC_PLATFORM" = windows ] || exit 77

MSI="$OHC_BUILD_DIR/installer/ohc.msi"
UPG="$OHC_BUILD_DIR/installer/ohc-upgrade.msi"
[ -f "$MSI" ] && [ -f "$UPG" ] || fail "the MSIs were not built ($MSI)"
[ -n "${OHC_BITSJOB:-}" ] && [ -f "$OHC_BITSJOB" ] || fail "bitsjob.exe is not in the test environment"
P='HKLM\SOFTWARE\Policies\OutlookHealthCollector'
L='HKLM\SOFTWARE\OutlookHealthCollector'
STATE="$WINEPREFIX/drive_c/ProgramData/OutlookHealthCollector"
PF="$WINEPREFIX/drive_c/Program Files/OutlookHealthCollector"
OAB_JOB=
cp "$MSI" "$TMP/ohc.msi"; cp "$UPG" "$TMP/ohc-upgrade.msi"
cleanup() {
  wine msiexec /x "$(winpath "$TMP/ohc-upgrade.msi")" /qn >/dev/null 2>&1 || true
  wine msiexec /x "$(winpath "$TMP/ohc.msi")" /qn >/dev/null 2>&1 || true
  [ -z "$OAB_JOB" ] || wine "$OHC_BITSJOB" cancel "$OAB_JOB" >/dev/null 2>&1 || true
  wine reg delete "$P" /f >/dev/null 2>&1 || true
  wine reg delete "$L" /f >/dev/null 2>&1 || true
  rm -rf "$STATE"
}
at_exit cleanup   # the server is a background job: the harness ends it
at_failure "tail -n 30 '$STATE/logs/ohc.log'"

# One loopback server: GET answers 404 (the Exchange server without the OAB
# files), POST is the collection endpoint recording each report (gunzipped) by
# its Idempotency-Key, or answering 503 while the file "fail" exists.
mkdir -p "$TMP/received"
"$PYTHON" - "$TMP/port" "$TMP/received" "$TMP/fail" <<'PY' &
import gzip, http.server, os, sys
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def answer(self, code, body):
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
    def do_GET(self):
        self.answer(404, b"The OAB files are not on this server.")
    do_HEAD = do_GET
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(min(n, 64 << 20))
        if os.path.exists(sys.argv[3]):
            return self.answer(503, b"try later")
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        key = self.headers.get("Idempotency-Key", "none").replace("/", "_")
        with open(os.path.join(sys.argv[2], key + ".json"), "wb") as f:
            f.write(body)
        with open(os.path.join(sys.argv[2], key + ".auth"), "w") as f:
            f.write(self.headers.get("Authorization", ""))
        out = b'{"status":"stored"}'
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1] + ".tmp", "w").write(str(s.server_address[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
s.serve_forever()
PY
BASE="http://127.0.0.1:$(wait_port_file 60 "$TMP/port" $! "the loopback server")"
URL="$BASE/reports"

# Outlook's OAB download as a BITS job that the server answers with 404.
OAB_JOB=$(wine "$OHC_BITSJOB" create "Microsoft Outlook Offline Address Book" \
  "$BASE/OAB/3f2c1a9e-5b7d-4c21-9a4e-0d6f1b2c3d4e/oab.xml" 'C:\users\Public\ohc-e2e-oab.xml' | tr -d '\r' | head -1)
[ -n "$OAB_JOB" ] || fail "bitsjob create gave no job id"
wine "$OHC_BITSJOB" wait "$OAB_JOB" ERROR 60 >/dev/null || fail "the OAB job did not reach ERROR"

# Policy (GPO) values: collect at once, every minute.
wine reg add "$P" /v StartupDelayMinutes /t REG_DWORD /d 0 /f >/dev/null
wine reg add "$P" /v IntervalMinutes /t REG_DWORD /d 1 /f >/dev/null

wine msiexec /i "$(winpath "$TMP/ohc.msi")" /qn /l*v "$(winpath "$TMP/install.log")" \
  UPLOADURL="$URL" UPLOADTOKEN=e2e-secret-token ALLOWINSECUREHTTP=1 LOGLEVEL=debug \
  EVENTQUERIES="name=from_msi;channel=Application;ids=1000" \
  UPLOADFORMAT=report UPLOADHEADERS=X-Fleet=msi-header-secret UPLOADBATCHKB=64 HECINDEX=ohc_fleet \
  OABPROBEHOSTS="contoso.test;*.fabrikam.test" OABPROBESERVICE=1 OABPROBEDAILYLIMIT=2 > "$TMP/msiexec.out" 2>&1 \
  || { cat "$TMP/msiexec.out"; fail "msiexec /i failed"; }
[ -f "$PF/ohc.exe" ] || fail "ohc.exe not installed in Program Files"
sc_wait ohc RUNNING 90   # msiexec's ServiceControl starts it; under load RUNNING may come after msiexec ends
reg_value() { wine reg query "$1" /v "$2" 2>/dev/null | tr -d '\r' | awk -v n="$2" '$1 == n {print $3}'; }
expect_eq "$(reg_value "$L" UploadUrl)" "$URL" "UPLOADURL written"
expect_eq "$(reg_value "$L" AllowInsecureHttp)" "0x1" "ALLOWINSECUREHTTP written"
expect_eq "$(reg_value "$L" LogLevel)" "debug" "LOGLEVEL written"
expect_eq "$(wine reg query "$L" /v EventQueries 2>/dev/null | tr -d '\r' | awk '$1 == "EventQueries" {print $2, $3}')" \
  "REG_MULTI_SZ name=from_msi;channel=Application;ids=1000" "EVENTQUERIES written as REG_MULTI_SZ"
expect_eq "$(reg_value "$L" UploadFormat)" "report" "UPLOADFORMAT written"
expect_eq "$(reg_value "$L" UploadHeaders)" "X-Fleet=msi-header-secret" "UPLOADHEADERS written"
expect_eq "$(reg_value "$L" UploadBatchKB)" "0x40" "UPLOADBATCHKB written"
expect_eq "$(reg_value "$L" HecIndex)" "ohc_fleet" "HECINDEX written"
expect_eq "$(reg_value "$L" OabProbeHosts)" "contoso.test;*.fabrikam.test" "OABPROBEHOSTS written"
expect_eq "$(reg_value "$L" OabProbeService)" "0x1" "OABPROBESERVICE written"
expect_eq "$(reg_value "$L" OabProbeDailyLimit)" "0x2" "OABPROBEDAILYLIMIT written"
[ -z "$(reg_value "$L" IntervalMinutes)" ] || fail "an empty property was written"
# UPLOADTOKEN went in through `ohc config set`: the key is SYSTEM and Administrators only.
expect_eq "$(regacl check 'SOFTWARE\OutlookHealthCollector')" "ok: D:P(A;CI;KA;;;SY)(A;CI;KA;;;BA)" "configuration key DACL after install"
expect_eq "$(regacl read-unelevated 'SOFTWARE\OutlookHealthCollector' UploadToken)" "denied" "UPLOADTOKEN readable by a non-elevated process"
wine reg query 'HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application\OutlookHealthCollector' /v EventMessageFile \
  | grep -qi 'OutlookHealthCollector\\ohc.exe' || fail "event source not registered"
if grep -q e2e-secret-token "$TMP/msiexec.out"; then fail "token printed by the install"; fi
# Wine's msiexec writes every property, MsiHiddenProperties ones too, into the /l*v log (the token
# as well): only Windows Installer hides them there, so only msiexec's own output is checked here.
if grep -aq msi-header-secret "$TMP/msiexec.out"; then fail "UPLOADHEADERS printed by the install"; fi

# The service's first collection (delay 0) arrives at the server.
received() { ls "$TMP/received" | sed -n 's/\.json$//p'; }
have_received() { [ -n "$(received)" ]; }
wait_for 180 "the service's first report at the server" have_received
report_id=$(received | head -1)
cp "$TMP/received/$report_id.json" "$TMP/report.json"
validate_report "$TMP/report.json"
expect_eq "$(json_get "$TMP/report.json" 'r["report_id"]')" "$report_id" "Idempotency-Key is the report id"
expect_eq "$(cat "$TMP/received/$report_id.auth")" "Bearer e2e-secret-token" "token sent as Bearer"
expect_eq "$(json_get "$TMP/report.json" 'r["host"]["run_as"]["mode"]')" "service" "report made by the service"
expect_eq "$(json_get "$TMP/report.json" '[j["error"]["hr_hex"] for j in r["facts"]["bits"]["jobs"] if j.get("oab") and j.get("error")]')" \
  "['0x80190194']" "the failing OAB job in the uploaded report"
expect_contains "$(json_get "$TMP/report.json" '[(f["rule_id"], f["severity"]) for f in r["findings"]]')" \
  "('OAB-HTTP-404', 'error')" "the OAB 404 finding in the uploaded report"
expect_eq "$(json_get "$TMP/report.json" '[(q, v["channel"], v["ids"]) for q, v in r["facts"]["events"]["queries"].items() if q == "from_msi"]')" \
  "[('from_msi', 'Application', [1000])]" "the EVENTQUERIES query ran in the service"
log=$(cat "$STATE/logs/ohc.log")
expect_contains "$log" "first collection in 0 s; then every 1 minutes" "policy interval applied"
expect_contains "$log" "upload: 1 delivered" "upload logged"
case "$log" in *e2e-secret-token*|*msi-header-secret*) fail "token or header in the service log";; esac
# The service's attempts are in the upload log beside its spool, like `ohc upload`'s.
ulog=$(cat "$STATE/spool/upload.log" 2>/dev/null || true)
expect_contains "$ulog" "upload $report_id attempt=1" "the service's attempt in spool\\upload.log"
expect_contains "$ulog" "result=delivered" "its result in spool\\upload.log"
case "$ulog" in *e2e-secret-token*|*msi-header-secret*) fail "token or header in the upload log";; esac

# A stop ends the service within 5 s, measured from ControlService(STOP) to STOPPED by the
# installed ohc.exe (the service manager's view). Not by polling `sc query`: each poll starts a
# Wine process, which under load takes seconds that are not the service's.
out=$(wine "$PF/ohc.exe" service stop | tr -d '\r')
ms=$(printf '%s' "$out" | sed -n 's/.*stopped in \([0-9]*\) ms.*/\1/p')
echo "stop -> STOPPED after ${ms:-?} ms (ControlService to STOPPED)"
[ -n "$ms" ] || fail "no 'stopped in N ms' in: $out"
[ "$ms" -lt 5000 ] || fail "service not stopped within 5 s ($ms ms)"

# The server fails: the next collection's report waits in the spool.
touch "$TMP/fail"
# Right after STOPPED the old ohc.exe may still be exiting, and Wine's service manager then
# refuses a start: sc_start retries that, saying so.
sc_start ohc
# (the first collection's line says "0 kept for a retry" too: wait for one that kept a report)
wait_for 180 "an upload failure in the service log while the server fails" \
  grep -Eq "upload: [0-9]+ delivered, [1-9][0-9]* kept for a retry" "$STATE/logs/ohc.log"
# The upgrade must not start while the old service is still stopping.
sc_stop ohc
spool_before=$(ls "$STATE/spool" | grep '\.json$' | sort || true)
[ -n "$spool_before" ] || fail "nothing in the spool while the server fails"

# Upgrade: the higher version, no properties; configuration and spool stay.
wine msiexec /i "$(winpath "$TMP/ohc-upgrade.msi")" /qn > "$TMP/upgrade.out" 2>&1 \
  || { cat "$TMP/upgrade.out"; fail "upgrade failed"; }
wine reg query 'HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall' /s > "$TMP/uninstall.txt" 2>&1 || true
grep -q "DisplayVersion.*0\.1\.1" "$TMP/uninstall.txt" || fail "upgrade did not register the higher version"
[ "$(grep -c "Outlook Health Collector" "$TMP/uninstall.txt")" = 1 ] || fail "both versions registered"
expect_eq "$(reg_value "$L" UploadUrl)" "$URL" "UploadUrl kept by the upgrade"
expect_eq "$(reg_value "$L" LogLevel)" "debug" "LogLevel kept by the upgrade"
for f in $spool_before; do [ -f "$STATE/spool/$f" ] || fail "spool file $f lost by the upgrade"; done
sc_wait ohc RUNNING 90

# The server answers again: the spool kept across the upgrade is delivered.
rm -f "$TMP/fail"
wine "$PF/ohc.exe" service collect-now --wait 120 >/dev/null
for f in $spool_before; do
  id=${f#*-}; id=${id%.json}
  wait_for 120 "the spooled report $id at the server after the upgrade" test -f "$TMP/received/$id.json"
done

# Uninstall: service, program files and event source go; configuration and ProgramData stay.
wine msiexec /x "$(winpath "$TMP/ohc-upgrade.msi")" /qn > "$TMP/remove.out" 2>&1 \
  || { cat "$TMP/remove.out"; fail "msiexec /x failed"; }
if wine sc query ohc >/dev/null 2>&1; then fail "service still registered after msiexec /x"; fi
[ ! -e "$PF" ] || fail "program files left behind: $(ls "$PF")"
if wine reg query 'HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application\OutlookHealthCollector' >/dev/null 2>&1; then
  fail "event source left behind"
fi
[ -d "$STATE/spool" ] || fail "ProgramData state removed (the README says it is kept)"
expect_eq "$(reg_value "$L" UploadUrl)" "$URL" "configuration kept after uninstall"
echo ok
