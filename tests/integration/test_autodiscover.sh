# The Autodiscover cache probe end to end under Wine: answers put where Outlook
# keeps them in the Wine user's profile (%LOCALAPPDATA%\Microsoft\Outlook, its
# 16 folder and 16\AutoDiscover), the user's Outlook Anywhere values in the
# real registry. One settings answer written 40 days ago whose EXPR principal
# name is not the registry's (mutual authentication on) and whose OABUrl points
# at a loopback port nobody listens on; one error answer (500); one truncated
# file. The report must show each answer, the registry beside it, the OAB check
# asking the cached OABUrl, the findings with the real values in JSON, text and
# HTML, and the probe partial because of the damaged file.
. "$(dirname "$0")/lib.sh"
[ "$OHC_PLATFORM" = windows ] || exit 77 # no user profiles natively: the parser has its unit test
G=2e3eaccd-85a0-4abe-84f8-603a49801bb6
PORT=$(free_port) # nothing listens there: the OAB check must still try it

local_appdata=$(wine cmd /c echo %LOCALAPPDATA% | tr -d '\r')
case "$local_appdata" in [A-Za-z]:\\*) ;; *) fail "no %LOCALAPPDATA% from Wine: '$local_appdata'" ;; esac
L=$(run "$OHC_WINE_RUN" winepath -u "$local_appdata" | tr -d '\r')
[ -d "$L" ] || fail "Wine's %LOCALAPPDATA% ($local_appdata) is not at $L"
O="$L/Microsoft/Outlook"
NAME="0123456789abcdef0123456789abcdef - Autodiscover.xml"
at_exit "rm -f '$O/$NAME' '$O/16/broken.xml' '$O/16/AutoDiscover/error.xml'"
at_exit "run $OHC_WINE_RUN reg delete 'HKCU\\Software\\Microsoft\\Office\\16.0\\Outlook\\RPC' /f >/dev/null 2>&1 || true"
mkdir -p "$O/16/AutoDiscover"
cat > "$O/$NAME" <<XML
<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
  <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">
    <User><DisplayName>Kim Akers</DisplayName><AutoDiscoverSMTPAddress>kim@contoso.test</AutoDiscoverSMTPAddress></User>
    <Account>
      <AccountType>email</AccountType><Action>settings</Action>
      <Protocol><Type>EXCH</Type><Server>mbx@contoso.test</Server><ServerVersion>73C18A9B</ServerVersion>
        <OABUrl>https://127.0.0.2:$PORT/OAB/$G/</OABUrl></Protocol>
      <Protocol><Type>EXPR</Type><Server>mail.contoso.test</Server><SSL>On</SSL><AuthPackage>Ntlm</AuthPackage>
        <CertPrincipalName>msstd:mail.contoso.test</CertPrincipalName></Protocol>
    </Account>
  </Response>
</Autodiscover>
XML
touch -d "40 days ago" "$O/$NAME"
printf '<Autodiscover><Response><User><DisplayName>cut here' > "$O/16/broken.xml"
cat > "$O/16/AutoDiscover/error.xml" <<'XML'
<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
  <Response><Error Time="16:25:31.8212610" Id="2477951404"><ErrorCode>500</ErrorCode>
    <Message>The e-mail address cannot be found.</Message><DebugData /></Error></Response>
</Autodiscover>
XML
# Mutual authentication (0x4 in ProxyServerFlags 0x2F) with a principal name from an older server.
RPC='HKCU\Software\Microsoft\Office\16.0\Outlook\RPC'
wine reg add "$RPC" /v ProxyServerFlags /t REG_DWORD /d 0x2F /f >/dev/null
wine reg add "$RPC" /v ProxyServerPrincipalName /t REG_SZ /d msstd:legacy.contoso.test /f >/dev/null
wine reg add "$RPC" /v ProxyServer /t REG_SZ /d mail.contoso.test /f >/dev/null

mkdir -p "$TMP/out"
run_report ohc collect --probes outlook,autodiscover,oab_servers --out-dir "$(winpath "$TMP/out")" > "$TMP/text.txt"
validate_report "$TMP/out/report.json" || fail "report does not match the schema"
"$PYTHON" - "$TMP/out/report.json" "$PORT" "$G" <<'PY' || fail "facts or findings wrong"
import json, sys
r = json.load(open(sys.argv[1])); port, guid = sys.argv[2], sys.argv[3]
def check(cond, what):
    if not cond:
        sys.exit("FAIL: " + what)
st = r["probes"]["autodiscover"]
check(st["status"] == "partial" and "1 cached Autodiscover file" in st["error"]["message"],
      "probe partial, naming the damaged file count: %r" % st)
ad = r["facts"]["autodiscover"]
me = [p for p in ad["profiles"] if p["source"] == "current_user"]
check(len(me) == 1, "the current user's profile first: %r" % [p["source"] for p in ad["profiles"]])
check([f["status"] for f in me[0]["folders"]] == ["read", "read", "read"], "three folders read")
resp = {f["path"].rsplit("\\", 1)[-1]: f for f in ad["responses"]}
good = resp["0123456789abcdef0123456789abcdef - Autodiscover.xml"]
check(good["status"] == "ok" and good["smtp_address"] == "kim@contoso.test", "the settings answer: %r" % good)
check(39.5 < good["age_days"] < 40.5, "its age from the file time: %r" % good["age_days"])
check(good["cert_principal_name"] == "msstd:mail.contoso.test" and good["cert_principal_name_mismatch"] is True,
      "principal names compared: %r" % good)
reg = good["registry"]
check(reg and reg["ProxyServerPrincipalName"] == "msstd:legacy.contoso.test" and reg["mutual_auth"] is True
      and reg["principal_name_source"] == "preference" and reg["version"] == "16.0", "registry beside it: %r" % reg)
files = {f["path"].rsplit("\\", 1)[-1]: f for f in me[0]["files"]}
check(files["0123456789abcdef0123456789abcdef - Autodiscover.xml"]["answer"]["protocols"][0]["server_version_decoded"]
      == "15.1.2715", "ServerVersion decoded")
check(resp["broken.xml"]["status"] == "error" and "truncated" in resp["broken.xml"]["error"]["message"],
      "the truncated file: %r" % resp["broken.xml"])
check(resp["error.xml"]["answer_error"]["code"] == "500", "the error answer: %r" % resp["error.xml"])
url = "https://127.0.0.2:%s/OAB/%s/" % (port, guid)
check(ad["oab_urls"] == [url], "OAB URLs: %r" % ad["oab_urls"])
targets = r["facts"]["oab_servers"]["targets"]
check(any(t["folder_url"] == url and t["sources"] == ["autodiscover"] for t in targets),
      "the OAB check asked the cached OABUrl: %r" % [(t.get("folder_url"), t.get("sources")) for t in targets])
ids = {f["rule_id"]: f for f in r["findings"]}
for rid in ("AUTODISCOVER-PRINCIPAL-MISMATCH", "AUTODISCOVER-CACHE-STALE", "AUTODISCOVER-CACHED-ERROR",
            "AUTODISCOVER-CACHE-UNREADABLE"):
    check(rid in ids, rid + " fired: " + ", ".join(ids))
cmds = [c for s in ids["AUTODISCOVER-PRINCIPAL-MISMATCH"]["remediation"] for c in s["commands"]]
check('reg add "HKCU\\Software\\Microsoft\\Office\\16.0\\Outlook\\RPC" /v ProxyServerPrincipalName /t REG_SZ '
      '/d "msstd:mail.contoso.test" /f' in cmds, "the repair carries the Autodiscover name: %r" % cmds)
check(any(c.startswith('del "') and c.endswith('broken.xml"') for s in ids["AUTODISCOVER-CACHE-UNREADABLE"]["remediation"]
          for c in s["commands"]), "delete command for the damaged file")
check(r["summary"]["exit_code"] == 2, "an error finding: exit 2, %r" % r["summary"]["exit_code"])
PY
for f in "$TMP/text.txt" "$TMP/out/report.html"; do
  for s in "msstd:legacy.contoso.test" "msstd:mail.contoso.test" "AUTODISCOVER-CACHED-ERROR" "broken.xml"; do
    grep -q -- "$s" "$f" || fail "$(basename "$f") does not mention $s"
  done
done
grep -Eq "autodiscover +partial .*could not be read or parsed" "$TMP/text.txt" || fail "the text does not show the probe partial"
echo "autodiscover: answers, registry beside them, OAB URL handed on, four findings"
