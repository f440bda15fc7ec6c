#!/usr/bin/env bash
# End to end under Wine: the MSI built by wixl is installed with msiexec /qn and
# UPLOADURL pointing at a loopback server, policy values make the service
# collect at once; the service runs under the SCM and writes its report;
# `sc stop` ends it within 5 s; installing the higher version keeps the
# configuration and the spool; msiexec /x removes the service, the program
# files and the event source (and keeps configuration and ProgramData, as the
# README says).
. "$(dirname "$0")/lib.sh"
[ "$OHC_PLATFORM" = windows ] || exit 77

MSI="$OHC_BUILD_DIR/installer/ohc.msi"
UPG="$OHC_BUILD_DIR/installer/ohc-upgrade.msi"
[ -f "$MSI" ] && [ -f "$UPG" ] || fail "the MSIs were not built ($MSI)"
P='HKLM\SOFTWARE\Policies\OutlookHealthCollector'
L='HKLM\SOFTWARE\OutlookHealthCollector'
STATE="$WINEPREFIX/drive_c/ProgramData/OutlookHealthCollector"
PF="$WINEPREFIX/drive_c/Program Files/OutlookHealthCollector"
SERVER_PID=
cp "$MSI" "$TMP/ohc.msi"; cp "$UPG" "$TMP/ohc-upgrade.msi"
cleanup() {
  wine msiexec /x "$(winpath "$TMP/ohc-upgrade.msi")" /qn >/dev/null 2>&1 || true
  wine msiexec /x "$(winpath "$TMP/ohc.msi")" /qn >/dev/null 2>&1 || true
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
  wine reg delete "$P" /f >/dev/null 2>&1 || true
  wine reg delete "$L" /f >/dev/null 2>&1 || true
  rm -rf "$STATE" "$TMP"
}
trap cleanup EXIT

# A loopback collection endpoint: records each POST (gunzipped) by its Idempotency-Key.
mkdir -p "$TMP/received"
"$PYTHON" - "$TMP/port" "$TMP/received" <<'PY' &
import gzip, http.server, os, sys
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(min(n, 64 << 20))
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
SERVER_PID=$!
for _ in $(seq 50); do [ -s "$TMP/port" ] && break; sleep 0.1; done
URL="http://127.0.0.1:$(cat "$TMP/port")/reports"

# Policy (GPO) values: collect at once, every minute.
wine reg add "$P" /v StartupDelayMinutes /t REG_DWORD /d 0 /f >/dev/null
wine reg add "$P" /v IntervalMinutes /t REG_DWORD /d 1 /f >/dev/null

wine msiexec /i "$(winpath "$TMP/ohc.msi")" /qn /l*v "$(winpath "$TMP/install.log")" \
  UPLOADURL="$URL" UPLOADTOKEN=e2e-secret-token ALLOWINSECUREHTTP=1 LOGLEVEL=debug > "$TMP/msiexec.out" 2>&1 \
  || { cat "$TMP/msiexec.out"; fail "msiexec /i failed"; }
[ -f "$PF/ohc.exe" ] || fail "ohc.exe not installed in Program Files"
wine sc query ohc | grep -q RUNNING || fail "service not running after install"
reg_value() { wine reg query "$1" /v "$2" 2>/dev/null | tr -d '\r' | awk -v n="$2" '$1 == n {print $3}'; }
expect_eq "$(reg_value "$L" UploadUrl)" "$URL" "UPLOADURL written"
expect_eq "$(reg_value "$L" AllowInsecureHttp)" "0x1" "ALLOWINSECUREHTTP written"
expect_eq "$(reg_value "$L" LogLevel)" "debug" "LOGLEVEL written"
[ -z "$(reg_value "$L" IntervalMinutes)" ] || fail "an empty property was written"
wine reg query 'HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application\OutlookHealthCollector' /v EventMessageFile \
  | grep -qi 'OutlookHealthCollector\\ohc.exe' || fail "event source not registered"
if grep -q e2e-secret-token "$TMP/msiexec.out"; then fail "token printed by the install"; fi

# The service's first collection (delay 0).
for _ in $(seq 1 150); do [ -f "$STATE/last-report.json" ] && break; sleep 0.2; done
[ -f "$STATE/last-report.json" ] || { cat "$STATE/logs/ohc.log" >&2 || true; fail "no report within 30 s"; }
cp "$STATE/last-report.json" "$TMP/report.json"
validate_report "$TMP/report.json"
expect_eq "$(json_get "$TMP/report.json" 'r["host"]["run_as"]["mode"]')" "service" "report made by the service"
report_id=$(json_get "$TMP/report.json" 'r["report_id"]')
log=$(cat "$STATE/logs/ohc.log")
expect_contains "$log" "first collection in 0 s; then every 1 minutes" "policy interval applied"
case "$log" in *e2e-secret-token*) fail "token in the service log";; esac
spooled=$(ls "$STATE/spool" | grep -c "$report_id" || true)
[ "$spooled" -ge 1 ] || fail "the report is not in the spool"

# sc stop ends the service within 5 s (measured from the sc call, Wine start-up included).
t0=$(date +%s%N)
wine sc stop ohc >/dev/null
stopped=0
while [ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 10000 ]; do
  if wine sc query ohc | grep -q STOPPED; then stopped=1; break; fi
done
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "sc stop -> STOPPED seen after $ms ms"
[ "$stopped" = 1 ] && [ "$ms" -lt 5000 ] || fail "service not stopped within 5 s ($ms ms)"

# Upgrade: the higher version, no properties; configuration and spool stay.
spool_before=$(ls "$STATE/spool" | sort)
wine msiexec /i "$(winpath "$TMP/ohc-upgrade.msi")" /qn > "$TMP/upgrade.out" 2>&1 \
  || { cat "$TMP/upgrade.out"; fail "upgrade failed"; }
wine reg query 'HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall' /s > "$TMP/uninstall.txt" 2>&1 || true
grep -q "DisplayVersion.*0\.1\.1" "$TMP/uninstall.txt" || fail "upgrade did not register the higher version"
[ "$(grep -c "Outlook Health Collector" "$TMP/uninstall.txt")" = 1 ] || fail "both versions registered"
expect_eq "$(reg_value "$L" UploadUrl)" "$URL" "UploadUrl kept by the upgrade"
expect_eq "$(reg_value "$L" LogLevel)" "debug" "LogLevel kept by the upgrade"
for f in $spool_before; do [ -f "$STATE/spool/$f" ] || fail "spool file $f lost by the upgrade"; done
wine sc query ohc | grep -q RUNNING || fail "service not running after the upgrade"

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
