# The built-in rule pack on real facts: ohc.exe collect under Wine after the
# field problems are put into the registry with `reg import` (as the proxy and
# outlook tests do) must report exactly the findings those problems call for,
# from the probes' own output, with the repair commands.
. "$(dirname "$0")/lib.sh"
[ "$OHC_PLATFORM" = windows ] || exit 77

# Two closed loopback ports (chosen by the OS, then closed): a dead WinHTTP proxy and a dead user proxy.
read -r DEAD1 DEAD2 < <("$PYTHON" -c 'import socket
a=socket.socket(); a.bind(("127.0.0.1",0)); b=socket.socket(); b.bind(("127.0.0.1",0))
print(a.getsockname()[1], b.getsockname()[1]); a.close(); b.close()')
blob_hex() {
  "$PYTHON" -c 'import struct,sys
p=sys.argv[1].encode(); b=sys.argv[2].encode()
d=struct.pack("<III",0x18,0,3)+struct.pack("<I",len(p))+p+struct.pack("<I",len(b))+b
print(",".join("%02x"%x for x in d))' "$1" "$2"
}
cat > "$TMP/state.reg" <<REG
Windows Registry Editor Version 5.00

[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections]
"WinHttpSettings"=hex:$(blob_hex "127.0.0.1:$DEAD1" "<local>")

[HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings]
"ProxyEnable"=dword:00000001
"ProxyServer"="127.0.0.1:$DEAD2"

[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Office\\14.0\\Outlook]
"Bitness"="x64"

[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Office\\12.0\\Outlook]
"Bitness"="x86"

[HKEY_CURRENT_USER\\Software\\Policies\\Microsoft\\office\\14.0\\outlook\\RPC]
"ProxyServerFlags"=dword:00000023
"ProxyServer"="mail.old-contoso.test"

[HKEY_CURRENT_USER\\Software\\Microsoft\\Office\\14.0\\Outlook\\RPC]
"ProxyServerFlags"=dword:0000002f

[HKEY_CURRENT_USER\\Software\\Microsoft\\Office\\16.0\\Outlook\\RPC]
"ProxyServerFlags"=dword:00000009

[HKEY_CURRENT_USER\\Software\\Microsoft\\Office\\16.0\\Outlook\\AutoDiscover]
"ExcludeScpLookup"=dword:00000001

[HKEY_CURRENT_USER\\Software\\Microsoft\\Exchange]
"MapiHttpDisabled"=dword:00000001
REG
cat > "$TMP/clean.reg" <<REG
Windows Registry Editor Version 5.00

[-HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Office\\14.0]
[-HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Office\\12.0]
[-HKEY_CURRENT_USER\\Software\\Policies\\Microsoft\\office\\14.0]
[-HKEY_CURRENT_USER\\Software\\Microsoft\\Office\\16.0]
[-HKEY_CURRENT_USER\\Software\\Microsoft\\Office\\14.0]

[HKEY_CURRENT_USER\\Software\\Microsoft\\Exchange]
"MapiHttpDisabled"=-

[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections]
"WinHttpSettings"=-

[HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings]
"ProxyEnable"=-
"ProxyServer"=-
REG
at_exit 'wine reg import "$(winpath "$TMP/clean.reg")"'

# Before: a clean prefix gives none of these findings.
ohc collect --probes proxy,outlook --out "$(winpath "$TMP/before.json")" > /dev/null || true
validate_report "$TMP/before.json"
expect_eq "$(json_get "$TMP/before.json" "[f['rule_id'] for f in r['findings']]")" "[]" "findings on a clean prefix"

wine reg import "$(winpath "$TMP/state.reg")" >/dev/null 2>&1
set +e
ohc collect --probes proxy,outlook --out "$(winpath "$TMP/r.json")" > "$TMP/summary.txt"; rc=$?
set -e
validate_report "$TMP/r.json"
expect_eq "$rc" 2 "exit code (error findings)"
expect_eq "$(json_get "$TMP/r.json" "sorted(f['rule_id'] for f in r['findings'])")" \
  "['AUTODISCOVER-OVERRIDES', 'MAPI-HTTP-DISABLED', 'OUTLOOK-2007-PRESENT', 'OUTLOOK-UNSUPPORTED-VERSION', 'OUTLOOK2010-HTTP-FIRST-MISSING', 'PROXY-USER-UNREACHABLE', 'PROXY-WINHTTP-UNREACHABLE', 'PROXY-WINHTTP-USER-DIFFER', 'RPC-HTTP-NO-SSL-ONLY', 'RPC-PROXYSERVER-POLICY']" \
  "findings from the real probes"
expect_eq "$(json_get "$TMP/r.json" "[e['message'] for e in r['errors']]")" "[]" "no rule errors"
expect_eq "$(json_get "$TMP/r.json" "r['findings'][0]['rule_id']")" PROXY-WINHTTP-UNREACHABLE "worst first"
f() { json_get "$TMP/r.json" "[f for f in r['findings'] if f['rule_id']=='$1'][0]$2"; }
expect_contains "$(f PROXY-WINHTTP-UNREACHABLE "['message']")" "127.0.0.1:$DEAD1" "dead proxy named"
expect_contains "$(f PROXY-WINHTTP-UNREACHABLE "['remediation'][1]['commands']")" "netsh winhttp reset proxy" "netsh command"
# The user's own proxy (switched on, closed port) is a finding of its own, naming that proxy.
expect_contains "$(f PROXY-USER-UNREACHABLE "['message']")" "127.0.0.1:$DEAD2 (" "dead user proxy named"
# A GPO's 0x23 over the user's own 0x2F: the policy wins, said in hex with the flags; the repair is at
# the GPO (gpresult), never reg add under Policies + gpupdate, which the GPO undoes.
expect_contains "$(f OUTLOOK2010-HTTP-FIRST-MISSING "['message']")" \
  "ProxyServerFlags 0x23 (http, ssl_only, http_first_slow) from the policy key, which wins over the user's own 0x2F (http, ssl_only, mutual_auth, http_first_fast, http_first_slow)" "policy 0x23 wins, in hex"
expect_eq "$(f OUTLOOK2010-HTTP-FIRST-MISSING "['remediation'][0]['commands']")" "['gpresult /scope user /h gpresult.html']" "repair at the GPO"
expect_eq "$(json_get "$TMP/r.json" "[c for f in r['findings'] if f['rule_id']=='OUTLOOK2010-HTTP-FIRST-MISSING' for s in f['remediation'] for c in s['commands'] if 'reg add' in c or 'gpupdate' in c]")" \
  "[]" "no reg add or gpupdate that the GPO would undo"
# The user's proxy is dead too: it is not offered as the one that works.
expect_eq "$(f PROXY-WINHTTP-UNREACHABLE "['remediation'][2]['commands']")" \
  "['netsh winhttp set proxy proxy-server=\"<proxy>:<port>\" bypass-list=\"<local>;<Exchange host names>\"']" "no dead user proxy offered"
expect_contains "$(f RPC-PROXYSERVER-POLICY "['message']")" "14.0=mail.old-contoso.test" "policy server"
expect_eq "$(json_get "$TMP/r.json" "r['summary']['highest_severity']")" error "summary"
expect_eq "$(json_get "$TMP/r.json" "[s['source'] for s in r['summary']['rule_sets']]")" \
  "$(cd "$OHC_SOURCE_DIR/rules" && "$PYTHON" -c 'import glob; print(["builtin:" + f for f in sorted(glob.glob("*.json"))])')" "built-in pack used (every rules/*.json)"
expect_contains "$(cat "$TMP/summary.txt")" "netsh winhttp reset proxy" "commands in the text report"
"$OHC_WINE_RUN" reg import "$(winpath "$TMP/clean.reg")" >/dev/null 2>&1 || fail "reg import (clean)"

# Broken values are findings, with the repair where the value comes from: ProxyServerFlags as
# REG_SZ "0x2F" by policy (a GPP mistake) and as REG_BINARY in the preference key, ProxyEnable as
# REG_SZ, a WinHttpSettings blob whose proxy length runs past its end. Written in the real registry
# with reg add, read back by the real probes.
RPOL='HKCU\Software\Policies\Microsoft\office\14.0\outlook\RPC'
RPREF='HKCU\Software\Microsoft\Office\15.0\Outlook\RPC'
IS='HKCU\Software\Microsoft\Windows\CurrentVersion\Internet Settings'
CONN='HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\Connections'
cat >> "$TMP/clean.reg" <<REG

[-HKEY_CURRENT_USER\\Software\\Microsoft\\Office\\15.0]
REG
wreg() { "$OHC_WINE_RUN" reg add "$@" /f >/dev/null 2>&1 || fail "reg add $*"; }
wreg 'HKLM\SOFTWARE\Microsoft\Office\14.0\Outlook' /v Bitness /t REG_SZ /d x64
wreg "$RPOL" /v ProxyServerFlags /t REG_SZ /d 0x2F
wreg "$RPREF" /v ProxyServerFlags /t REG_BINARY /d 2f000000
wreg "$IS" /v ProxyEnable /t REG_SZ /d 1
# version 0x18, counter 0, flags 2 (proxy), proxy length 0xFFFFFFF0 with 3 bytes left
wreg "$CONN" /v WinHttpSettings /t REG_BINARY /d 180000000000000002000000f0ffffff616263
set +e
ohc collect --probes proxy,outlook --out "$(winpath "$TMP/broken.json")" > "$TMP/broken.txt"; rc=$?
set -e
validate_report "$TMP/broken.json"
expect_eq "$rc" 2 "broken values: exit code (error findings)"
B() { json_get "$TMP/broken.json" "[f for f in r['findings'] if f['rule_id']=='$1'][0]$2"; }
expect_eq "$(json_get "$TMP/broken.json" "sorted(f['rule_id'] for f in r['findings'] if f['rule_id'] in ('OUTLOOK-RPC-VALUE-WRONG-TYPE', 'PROXY-USER-VALUE-WRONG-TYPE', 'PROXY-SETTINGS-BLOB-MALFORMED', 'OUTLOOK2010-HTTP-FIRST-MISSING'))")" \
  "['OUTLOOK-RPC-VALUE-WRONG-TYPE', 'PROXY-SETTINGS-BLOB-MALFORMED', 'PROXY-USER-VALUE-WRONG-TYPE']" \
  "broken values found (and the wrong-typed flags not reported as 'not set')"
expect_contains "$(B OUTLOOK-RPC-VALUE-WRONG-TYPE "['message']")" 'Policies\Microsoft\Office\14.0\Outlook\RPC\ProxyServerFlags is REG_SZ "0x2F"' "REG_SZ by policy named"
expect_contains "$(B OUTLOOK-RPC-VALUE-WRONG-TYPE "['message']")" 'Office\15.0\Outlook\RPC\ProxyServerFlags is REG_BINARY' "REG_BINARY named"
expect_contains "$(B OUTLOOK-RPC-VALUE-WRONG-TYPE "['remediation'][0]['text']")" "Group Policy Preferences" "repair at the GPP"
expect_eq "$(B OUTLOOK-RPC-VALUE-WRONG-TYPE "['remediation'][1]['commands']")" \
  "['reg delete \"HKCU\\\\Software\\\\Microsoft\\\\Office\\\\15.0\\\\Outlook\\\\RPC\" /v ProxyServerFlags /f']" "exact command for the preference key"
expect_contains "$(B PROXY-USER-VALUE-WRONG-TYPE "['message']")" 'ProxyEnable is REG_SZ "1"' "ProxyEnable REG_SZ"
expect_contains "$(B PROXY-USER-VALUE-WRONG-TYPE "['remediation'][1]['commands']")" "/v ProxyEnable /t REG_DWORD /d 1 /f" "ProxyEnable repair"
expect_contains "$(B PROXY-SETTINGS-BLOB-MALFORMED "['message']")" "exceeds" "blob damage named"
expect_contains "$(B PROXY-SETTINGS-BLOB-MALFORMED "['remediation'][0]['commands']")" "netsh winhttp reset proxy" "netsh reset"
expect_contains "$(cat "$TMP/broken.txt")" "netsh winhttp reset proxy" "text report: the repair"
echo "rules on real facts: ok"
