# The users' own ways out, end to end under Wine with real servers on loopback:
# the current user's proxy switched on at a closed port and its PAC URL
# answering 404; a second user's proxy listening and its PAC answering 200 with
# a script; a third user's PAC server that accepts and never answers. Exchange
# hosts come from --oab-url; the current user's bypass list names one of them.
# The report must validate, carry each fact, and the three user-proxy rules
# must fire for the right users only, with their real values in the repairs.
. "$(dirname "$0")/lib.sh"
[ "$OHC_PLATFORM" = windows ] || exit 77

OTHER=S-1-5-21-4444-5555-6666-1003
THIRD=S-1-5-21-4444-5555-6666-1004
GUID=4f2a0c1e-1111-4222-8333-944455556666
"$PYTHON" - "$TMP/ports" <<'PY' &
import os, socket, sys, threading
def listener():
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0)); s.listen(16); return s
def serve(s, answer):
    held = []
    while True:
        c = s.accept()[0]
        c.settimeout(5)
        data = b""
        try:
            while b"\r\n\r\n" not in data:
                chunk = c.recv(4096)
                if not chunk:
                    break
                data += chunk
        except OSError:
            pass
        if answer is None:
            held.append(c)  # a server that never answers: the client must give up
            continue
        c.sendall(answer); c.close()
pac = b'function FindProxyForURL(url, host) { return "DIRECT"; }\n'
ok = b"HTTP/1.1 200 OK\r\nContent-Type: application/x-ns-proxy-autoconfig\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(pac), pac)
missing = b"HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found"
proxy, s200, s404, silent = listener(), listener(), listener(), listener()
for s, a in ((proxy, b""), (s200, ok), (s404, missing), (silent, None)):
    threading.Thread(target=serve, args=(s, a), daemon=True).start()
c = socket.socket(); c.bind(("127.0.0.1", 0)); closed = c.getsockname()[1]; c.close()
ports = [s.getsockname()[1] for s in (proxy, s200, s404, silent)] + [closed]
open(sys.argv[1] + ".tmp", "w").write(" ".join(map(str, ports)) + "\n")
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
threading.Event().wait()
PY
read -r LISTEN P200 P404 SILENT CLOSED <<< "$(wait_port_file 60 "$TMP/ports" $! "the servers")"

cat > "$TMP/state.reg" <<REG
Windows Registry Editor Version 5.00

[HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings]
"ProxyEnable"=dword:00000001
"ProxyServer"="127.0.0.1:$CLOSED"
"ProxyOverride"="<local>;mail.contoso.test"
"AutoConfigURL"="http://127.0.0.1:$P404/proxy.pac"

[HKEY_USERS\\$OTHER\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings]
"ProxyEnable"=dword:00000001
"ProxyServer"="127.0.0.1:$LISTEN"
"AutoConfigURL"="http://127.0.0.1:$P200/proxy.pac"

[HKEY_USERS\\$THIRD\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings]
"ProxyEnable"=dword:00000000
"AutoConfigURL"="http://127.0.0.1:$SILENT/slow.pac"
REG
cat > "$TMP/clean.reg" <<REG
Windows Registry Editor Version 5.00

[-HKEY_USERS\\$OTHER]
[-HKEY_USERS\\$THIRD]

[HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings]
"ProxyEnable"=-
"ProxyServer"=-
"ProxyOverride"=-
"AutoConfigURL"=-
REG
at_exit 'wine reg import "$(winpath "$TMP/clean.reg")"'
wine reg import "$(winpath "$TMP/state.reg")" >/dev/null 2>&1

run_report ohc collect --probes proxy,autodiscover \
  --oab-url "https://EX01.contoso.test/OAB/$GUID/oab.xml" --oab-url "https://mail.contoso.test/OAB/$GUID/" \
  --out "$(winpath "$TMP/r.json")" > /dev/null
validate_report "$TMP/r.json"
j() { json_get "$TMP/r.json" "$1"; }
expect_eq "$(j "r['probes']['proxy']['status']")" ok "proxy status"
P="r['facts']['proxy']"
me="[u for u in $P['users'] if u['source']=='current_user'][0]"
other="[u for u in $P['users'] if u['sid']=='$OTHER'][0]"
third="[u for u in $P['users'] if u['sid']=='$THIRD'][0]"

# Each user's own proxies, beside the user.
expect_eq "$(j "$me['proxy_in_use']")" True "current user's proxy is on"
expect_eq "$(j "[(x['proxy'], x['reachable'], x['error_code']) for x in $me['proxy_reachability']]")" \
  "[('127.0.0.1:$CLOSED', False, 10061)]" "current user's proxy refuses"
expect_eq "$(j "[(x['proxy'], x['reachable']) for x in $other['proxy_reachability']]")" \
  "[('127.0.0.1:$LISTEN', True)]" "second user's proxy answers"
expect_eq "$(j "$third['proxy_in_use']")" False "third user has no proxy on"

# The PAC files, asked for real: 404, 200 with a script, and no answer within the bound.
expect_eq "$(j "($me['pac_fetch']['http_status'], $me['pac_fetch']['defines_find_proxy_for_url'])")" "(404, False)" "PAC 404"
expect_eq "$(j "($other['pac_fetch']['http_status'], $other['pac_fetch']['bytes'], $other['pac_fetch']['defines_find_proxy_for_url'], $other['pac_fetch']['content_type'])")" \
  "(200, 57, True, 'application/x-ns-proxy-autoconfig')" "PAC 200"
expect_eq "$(j "($third['pac_fetch']['answered'], $third['pac_fetch']['error_code'])")" "(False, 28)" "PAC without answer: timed out"
ms=$(j "$third['pac_fetch']['elapsed_ms']")
[ "$ms" -le 4000 ] || fail "the silent PAC server held the probe for $ms ms (bound: 3 s)"

# Exchange hosts (from --oab-url) against each user's bypass list.
A="r['facts']['autodiscover']"
expect_eq "$(j "sorted((h['host'], tuple(h['sources'])) for h in $A['exchange_hosts'])")" \
  "[('ex01.contoso.test', ('command_line',)), ('mail.contoso.test', ('command_line',))]" "Exchange hosts"
mine="[b for b in $A['proxy_bypass'] if b['sid']==$me['sid']][0]"
expect_eq "$(j "($mine['hosts_via_proxy'], $mine['hosts_bypassed'], $mine['bypass_suggested'])")" \
  "(['ex01.contoso.test'], ['mail.contoso.test'], '<local>;mail.contoso.test;ex01.contoso.test')" "bypass check"

# The findings: the right users, the real values.
F="r['findings']"
finding() { j "[f for f in $F if f['rule_id']=='$1']"; }
cmds() { j "[c for f in $F if f['rule_id']=='$1' for s in f['remediation'] for c in s['commands']]"; }
expect_contains "$(finding PROXY-USER-UNREACHABLE)" "127.0.0.1:$CLOSED" "user proxy unreachable"
[[ "$(finding PROXY-USER-UNREACHABLE)" != *"127.0.0.1:$LISTEN ("* ]] || fail "the listening proxy reported unreachable"
pac=$(j "[f['evidence']['users'] for f in $F if f['rule_id']=='PROXY-USER-PAC-UNANSWERED'][0]")
expect_contains "$pac" "http://127.0.0.1:$P404/proxy.pac answered HTTP 404" "PAC 404 finding"
expect_contains "$pac" "http://127.0.0.1:$SILENT/slow.pac did not answer" "PAC timeout finding"
[[ "$pac" != *":$P200/"* ]] || fail "the PAC that answers 200 with a script was reported: $pac"
expect_contains "$(cmds PROXY-USER-PAC-UNANSWERED)" "\"http://127.0.0.1:$P404/proxy.pac\"" "PAC check command"
# The current user has a PAC file as well: the static list is not conclusive, so it is not judged.
expect_eq "$(finding PROXY-EXCHANGE-NOT-BYPASSED)" "[]" "not judged while a PAC decides"

# Without the PAC URL the static list decides: ex01 goes through the proxy.
wine reg delete 'HKCU\Software\Microsoft\Windows\CurrentVersion\Internet Settings' /v AutoConfigURL /f >/dev/null 2>&1
run_report ohc collect --probes proxy,autodiscover --oab-url "https://ex01.contoso.test/OAB/$GUID/" \
  --out "$(winpath "$TMP/r2.json")" > /dev/null
validate_report "$TMP/r2.json"
expect_contains "$(json_get "$TMP/r2.json" "[f['message'] for f in r['findings'] if f['rule_id']=='PROXY-EXCHANGE-NOT-BYPASSED']")" \
  "ex01.contoso.test through 127.0.0.1:$CLOSED (bypass list: <local>;mail.contoso.test)" "Exchange host not bypassed"
expect_contains "$(json_get "$TMP/r2.json" "[c for f in r['findings'] if f['rule_id']=='PROXY-EXCHANGE-NOT-BYPASSED' for s in f['remediation'] for c in s['commands']]")" \
  '/v ProxyOverride /t REG_SZ /d "<local>;mail.contoso.test;ex01.contoso.test" /f' "ProxyOverride repair"
echo "proxy_pac: ok"
