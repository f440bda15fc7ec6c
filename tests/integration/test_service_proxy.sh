#!/usr/bin/env bash
# The service's uploads take the machine's proxy (WinHTTP default, `netsh
# winhttp`), never the Internet Options of the account it runs as: Microsoft
# says WinHttpGetIEProxyConfigForCurrentUser is not for services that do not
# impersonate (as LocalSystem it reads SYSTEM's settings and may run WPAD
# before every upload). Under Wine the service runs as the prefix's user, so
# that user's Internet Options name a proxy on a closed port here: the old
# code sent the report there and it never arrived; it must go direct (the
# WinHTTP default is direct) to the loopback server.
. "$(dirname "$0")/lib.sh"
[ "$OHC_PLATFORM" = windows ] || exit 77

P='HKLM\SOFTWARE\Policies\OutlookHealthCollector'
CONN='HKCU\Software\Microsoft\Windows\CurrentVersion\Internet Settings\Connections'
STATE="$WINEPREFIX/drive_c/ProgramData/OutlookHealthCollector"
cleanup() {
  ohc service uninstall >/dev/null 2>&1 || true
  wine reg delete "$P" /f >/dev/null 2>&1 || true
  wine reg delete "$CONN" /v DefaultConnectionSettings /f >/dev/null 2>&1 || true
  rm -rf "$STATE"
}
at_exit cleanup   # the upload server is a background job: the harness ends it
cleanup

"$PYTHON" "$OHC_SOURCE_DIR/tests/tools/upload_server.py" --record "$TMP/rec.jsonl" --port-file "$TMP/port" \
  > "$TMP/server.out" 2>&1 &
at_failure "cat '$TMP/server.out'"
port=$(wait_port_file 60 "$TMP/port" $! "the upload server")
dead=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# The user's proxy as Internet Options keeps it (and WinHTTP reads it): the DefaultConnectionSettings
# blob: version 0x46, counter 0 (Wine needs it), flags 3 = direct|proxy, proxy, bypass, PAC URL.
blob=$("$PYTHON" -c '
import struct, sys
b = struct.pack("<III", 0x46, 0, 3)
for s in (sys.argv[1], "", ""):
    b += struct.pack("<I", len(s)) + s.encode()
print((b + b"\0" * 32).hex())' "127.0.0.1:$dead")
wine reg add "$CONN" /v DefaultConnectionSettings /t REG_BINARY /d "$blob" /f >/dev/null
wine reg add "$P" /v StartupDelayMinutes /t REG_DWORD /d 60 /f >/dev/null
wine reg add "$P" /v UploadUrl /t REG_SZ /d "http://127.0.0.1:$port/reports" /f >/dev/null
wine reg add "$P" /v AllowInsecureHttp /t REG_DWORD /d 1 /f >/dev/null

expect_contains "$(ohc service install)" "Installed the service 'ohc'" "install"
ohc_service_start > /dev/null   # Wine's service manager may refuse while it settles: retried, said
expect_contains "$(ohc service collect-now --wait 120)" "A new report was written" "collection"
rid=$(json_get "$STATE/last-report.json" 'r["report_id"]')
at_failure "cat '$STATE/spool/upload.log'"
wait_for 60 "report $rid to arrive at the upload server" grep -q "$rid" "$TMP/rec.jsonl"
ulog=$(cat "$STATE/spool/upload.log" 2>/dev/null || true)
expect_contains "$ulog" "upload $rid attempt=1" "the attempt logged"
case "$ulog" in *"127.0.0.1:$dead"*) fail "the service used the user's proxy: $ulog";; esac
echo "ok: the service's upload went direct, not through the user's proxy 127.0.0.1:$dead"
