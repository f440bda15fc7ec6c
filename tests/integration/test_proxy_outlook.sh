# ohc.exe collect end to end with the proxy and outlook probes, on state put
# into the Wine registry with `reg import` (the way an admin's .reg or GPP
# would): a WinHTTP proxy that listens, a user proxy on a closed port with a
# PAC URL, Outlook 2010 with ProxyServerFlags 0x23 by policy, and a second
# user hive. The report must validate against the schema and show each fact.
. "$(dirname "$0")/lib.sh"
[ "$OHC_PLATFORM" = windows ] || exit 77

OTHER=S-1-5-21-4444-5555-6666-1003
# A listening port (a real TCP server on loopback) and a closed one, both chosen by the OS.
"$PYTHON" - "$TMP/ports" <<'PY' &
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
c = socket.socket(); c.bind(("127.0.0.1", 0)); closed = c.getsockname()[1]; c.close()
open(sys.argv[1] + ".tmp", "w").write("%d %d\n" % (s.getsockname()[1], closed))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
while True:  # until the harness ends it with the test
    s.accept()[0].close()
PY
read -r LISTEN CLOSED <<< "$(wait_port_file 60 "$TMP/ports" $! "the TCP listener")"

# The blob WinHttpSetDefaultProxyConfiguration writes: 0x18, counter 0 (Wine
# accepts no other), flags 3, then the proxy and bypass lists with their lengths.
blob_hex() {
  "$PYTHON" -c 'import struct,sys
p=sys.argv[1].encode(); b=sys.argv[2].encode()
d=struct.pack("<III",0x18,0,3)+struct.pack("<I",len(p))+p+struct.pack("<I",len(b))+b
print(",".join("%02x"%x for x in d))' "$1" "$2"
}
cat > "$TMP/state.reg" <<REG
Windows Registry Editor Version 5.00

[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections]
"WinHttpSettings"=hex:$(blob_hex "127.0.0.1:$LISTEN" "<local>")

[HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings]
"ProxyEnable"=dword:00000001
"ProxyServer"="127.0.0.1:$CLOSED"
"AutoConfigURL"="http://wpad.contoso.test/proxy.pac"

[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Office\\14.0\\Outlook]
"Bitness"="x64"

[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Office\\14.0\\Outlook\\InstallRoot]
"Path"="C:\\\\Program Files\\\\Microsoft Office\\\\Office14\\\\"

[HKEY_CURRENT_USER\\Software\\Policies\\Microsoft\\office\\14.0\\outlook\\RPC]
"ProxyServerFlags"=dword:00000023

[HKEY_USERS\\$OTHER\\Software\\Policies\\Microsoft\\Office\\16.0\\Outlook\\RPC]
"ProxyServerFlags"="47"

[HKEY_USERS\\$OTHER\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings]
"ProxyEnable"=dword:00000000
REG
cat > "$TMP/clean.reg" <<REG
Windows Registry Editor Version 5.00

[-HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Office\\14.0]
[-HKEY_CURRENT_USER\\Software\\Policies\\Microsoft\\office\\14.0]
[-HKEY_USERS\\$OTHER]

[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections]
"WinHttpSettings"=-

[HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings]
"ProxyEnable"=-
"ProxyServer"=-
"AutoConfigURL"=-
REG
at_exit 'wine reg import "$(winpath "$TMP/clean.reg")"'
wine reg import "$(winpath "$TMP/state.reg")" >/dev/null 2>&1

ohc collect --probes proxy,outlook --out "$(winpath "$TMP/r.json")" > /dev/null || true
validate_report "$TMP/r.json"
j() { json_get "$TMP/r.json" "$1"; }
expect_eq "$(j "r['probes']['proxy']['status']")" ok "proxy status"
expect_eq "$(j "r['probes']['outlook']['status']")" ok "outlook status"

# WinHTTP: the API and the decoded blob agree.
P="['facts']['proxy']"
expect_eq "$(j "r$P['winhttp']['api']['access_type']")" named_proxy "winhttp access type"
expect_eq "$(j "r$P['winhttp']['api']['proxy']")" "127.0.0.1:$LISTEN" "winhttp api proxy"
expect_eq "$(j "r$P['winhttp']['registry']['proxy']")" "127.0.0.1:$LISTEN" "winhttp registry proxy"
expect_eq "$(j "r$P['winhttp']['api_registry_differ']")" False "api/registry differ"
# The user: proxy on the closed port and a PAC URL; different from WinHTTP.
me="[u for u in r$P['users'] if u['source']=='current_user'][0]"
expect_eq "$(j "$me['proxy_server']")" "127.0.0.1:$CLOSED" "user proxy"
expect_eq "$(j "$me['auto_config_url']")" "http://wpad.contoso.test/proxy.pac" "user PAC"
expect_eq "$(j "$me['sid'] in r$P['winhttp_user_differ']")" True "user differs from WinHTTP"
# The second hive is a user of its own.
expect_eq "$(j "[u['source'] for u in r$P['users'] if u['sid']=='$OTHER']")" "['hive']" "second hive"
# Reachability: the listening port answers, the closed one refuses.
reach() { j "[x for x in r$P['reachability'] if x['proxy']=='127.0.0.1:$1'][0]['$2']"; }
expect_eq "$(reach "$LISTEN" reachable)" True "listening port reachable"
expect_eq "$(reach "$CLOSED" reachable)" False "closed port unreachable"
expect_eq "$(reach "$CLOSED" error_code)" 10061 "closed port error code (WSAECONNREFUSED)"

# Outlook: the 2010 install, 0x23 by policy decoded, the other user's REG_SZ kept raw.
O="['facts']['outlook']"
expect_eq "$(j "[(i['kind'],i['version'],i['bitness']) for i in r$O['installations']]")" "[('msi', '14.0', 'x64')]" "installations"
v14="[v for u in r$O['users'] if u['source']=='current_user' for v in u['versions'] if v['version']=='14.0'][0]"
expect_eq "$(j "$v14['proxy_server_flags']['value_hex']")" 0x23 "ProxyServerFlags"
expect_eq "$(j "$v14['proxy_server_flags']['source']")" policy "ProxyServerFlags source"
expect_eq "$(j "$v14['proxy_server_flags']['http_first_fast']")" False "http first on fast networks"
v16="[v for u in r$O['users'] if u['sid']=='$OTHER' for v in u['versions']][0]"
expect_eq "$(j "$v16['rpc']['effective']['ProxyServerFlags']['type']")" REG_SZ "wrong type kept"
expect_eq "$(j "$v16['rpc']['effective']['ProxyServerFlags']['raw_hex']")" 340037000000 "wrong type raw bytes"
echo "proxy_outlook: ok"
