# The OAB check as the service (LocalSystem) under Wine's real service manager:
# the URLs come from a user's Autodiscover cache (a place the user writes), one
# on 127.0.0.2 (in OabProbeHosts) and one on 127.0.0.3 (not in it). The service
# asks 127.0.0.2 and never contacts 127.0.0.3 (no request, no credentials: its
# server records every request); with OabProbeDailyLimit=1 the next collection
# asks no server and says why, in the report and the text.
. "$(dirname "$0")/lib.sh"
[ "$OHC_PLATFORM" = windows ] || exit 77
G=2e3eaccd-85a0-4abe-84f8-603a49801bb6
P='HKLM\SOFTWARE\Policies\OutlookHealthCollector'
STATE="$WINEPREFIX/drive_c/ProgramData/OutlookHealthCollector"
local_appdata=$(wine cmd /c echo %LOCALAPPDATA% | tr -d '\r')
L=$(run "$OHC_WINE_RUN" winepath -u "$local_appdata" | tr -d '\r')
CACHE="$L/Microsoft/Outlook/0123456789abcdef0123456789abcdef - Autodiscover.xml"
cleanup() {
  ohc service uninstall >/dev/null 2>&1 || true
  wine reg delete "$P" /f >/dev/null 2>&1 || true
  rm -rf "$STATE" "$CACHE"
}
at_exit cleanup
at_failure "tail -n 30 '$STATE/logs/ohc.log'"
cleanup

cd "$TMP"
openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 30 -subj "/CN=127.0.0.2" \
  >/dev/null 2>&1 || fail "openssl could not make a certificate"
PORT=$(free_ports 1 127.0.0.2 127.0.0.3)
for a in 2 3; do
  "$PYTHON" "$OHC_SOURCE_DIR/tests/tools/oab_server.py" --addr "127.0.0.$a" --port "$PORT" --cert cert.pem \
    --key key.pem --guid "$G" --record "rec$a.jsonl" --ready "ready$a" 2>>server.log &
  at_exit "kill $!"
done
wait_for 60 "the OAB servers" test -f ready2 -a -f ready3
touch rec2.jsonl rec3.jsonl
mkdir -p "$(dirname "$CACHE")"
cat > "$CACHE" <<XML
<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
  <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">
    <User><AutoDiscoverSMTPAddress>kim@contoso.test</AutoDiscoverSMTPAddress></User>
    <Account><AccountType>email</AccountType><Action>settings</Action>
      <Protocol><Type>EXCH</Type><OABUrl>https://127.0.0.2:$PORT/OAB/$G/</OABUrl></Protocol>
      <Protocol><Type>EXPR</Type><OABUrl>https://127.0.0.3:$PORT/OAB/$G/</OABUrl></Protocol>
    </Account>
  </Response>
</Autodiscover>
XML
wine reg add "$P" /v OabProbeHosts /t REG_SZ /d 127.0.0.2 /f >/dev/null
wine reg add "$P" /v OabProbeDailyLimit /t REG_DWORD /d 1 /f >/dev/null
wine reg add "$P" /v StartupDelayMinutes /t REG_DWORD /d 0 /f >/dev/null
ohc service install >/dev/null
ohc_service_start >/dev/null
wait_for 180 "the report of the first collection" test -f "$STATE/last-report.json"
cp "$STATE/last-report.json" first.json
validate_report first.json
n_first=$(wc -l < rec2.jsonl)
out=$(ohc service collect-now --wait 90)
expect_contains "$out" "A new report was written" "collect-now"
cp "$STATE/last-report.json" second.json
validate_report second.json
ohc service stop >/dev/null

"$PYTHON" - first.json second.json rec2.jsonl rec3.jsonl "$PORT" "$G" <<'PY' || fail "the service's OAB check"
import json, sys
first, second = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
rec2 = [json.loads(l) for l in open(sys.argv[3]) if l.strip()]
rec3 = [json.loads(l) for l in open(sys.argv[4]) if l.strip()]
port, guid = sys.argv[5], sys.argv[6]
def check(cond, what):
    if not cond:
        sys.exit("FAIL: " + what)
def targets(r):
    return {t["host"]: t for t in r["facts"]["oab_servers"]["targets"]}
f = first["facts"]["oab_servers"]
check(f["mode"] == "service", "as the service: %r" % f["mode"])
t = targets(first)
# (other tests' BITS jobs may add targets of their own: only these two are this test's)
check({"127.0.0.2", "127.0.0.3"} <= set(t) and all(t[h]["sources"] == ["autodiscover"] for h in ("127.0.0.2", "127.0.0.3")),
      "both URLs from the Autodiscover cache: %r" % {h: x["sources"] for h, x in t.items()})
ok, other = t["127.0.0.2"], t["127.0.0.3"]
check(ok["allow_listed"] and ok["skipped"] is None and ok["addresses"] and ok["addresses"][0]["status"] == 200,
      "the allow-listed host asked: %r" % ok)
check(not other["allow_listed"] and "not in it" in (other["skipped"] or "") and other["credentials"] is None
      and other["addresses"] == [], "the other host skipped, no credentials: %r" % other)
check(rec2 and all(q["path"].startswith("/OAB/" + guid) for q in rec2), "requests reached 127.0.0.2: %r" % rec2)
check(rec3 == [], "127.0.0.3 was never contacted: %r" % rec3)
b = f["daily_budget"]
check(b["limit"] == 1 and b["used_before"] == 0 and not b["exhausted"], "first: budget %r" % b)
s = second["facts"]["oab_servers"]
check(s["daily_budget"]["exhausted"] and s["daily_budget"]["used_before"] == 1, "second: budget %r" % s["daily_budget"])
for h, x in targets(second).items():
    check("OabProbeDailyLimit" in (x["skipped"] or ""), "second: %s skipped for the budget: %r" % (h, x["skipped"]))
check(second["probes"]["oab_servers"]["status"] in ("unavailable", "partial"), "second: probe status %r"
      % second["probes"]["oab_servers"])
PY
expect_eq "$(wc -l < rec2.jsonl)" "$n_first" "no request in the collection over the daily limit"
echo "service OAB check: 127.0.0.2 asked ($n_first requests), 127.0.0.3 never contacted, the second collection over its daily limit"
