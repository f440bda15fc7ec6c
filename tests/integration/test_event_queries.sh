#!/usr/bin/env bash
# EventQueries: an administrator's extra event log query reaches the report
# (facts.events.<name>) and a rule of a rules folder finds on it. Real .evtx
# files through the real reader, natively and under Wine; under Wine also
# the setting from the real registry as GPO writes it (REG_MULTI_SZ in the
# policy key), shown by `config show`, and a bad value said and ignored.
. "$(dirname "$0")/lib.sh"

"$PYTHON" - "$TMP/app.evtx" <<'PY'
import os, sys
sys.path.insert(0, os.path.join(os.environ["OHC_SOURCE_DIR"], "tests", "tools"))
import evtx_writer
crash = lambda t, exe: {"provider": "Application Error", "event_id": 1000, "qualifiers": 0, "level": 2,
                        "time": "2026-11-24T08:%02d:00.000Z" % t, "computer": "PC1",
                        "strings": [exe, "16.0.17928.20148", "KERNELBASE.dll", "c0000005"]}
evtx_writer.write(sys.argv[1], [
    crash(1, "OUTLOOK.EXE"),
    {"provider": "Outlook", "event_id": 27, "qualifiers": 16384, "level": 4, "time": "2026-11-24T08:02:00.000Z",
     "computer": "PC1", "strings": ["Microsoft Exchange offline address book", "Full download"]},
    crash(3, "OUTLOOK.EXE"),
    {"provider": "Application Error", "event_id": 1001, "qualifiers": 0, "level": 4,
     "time": "2026-11-24T08:04:00.000Z", "computer": "PC1", "strings": ["fault bucket"]},
])
PY

mkdir -p "$TMP/rules"
cat > "$TMP/rules/site.json" <<'EOF'
{"id": "site.crashes", "version": "1.0.0", "description": "A site's own rule on its own event query.",
 "rules": [{"id": "SITE-OUTLOOK-CRASH", "title": "Outlook crashed", "severity": "warning", "category": "outlook",
  "description": "Application Error 1000 names OUTLOOK.EXE.",
  "when": {">": [{"count": [{"var": "events.app_crash.events"}, {"ieq": [{"var": "data.0"}, "outlook.exe"]}]}, 0]},
  "evidence": {"crashes": {"count": [{"var": "events.app_crash.events"}, {"ieq": [{"var": "data.0"}, "outlook.exe"]}]}},
  "message": "Outlook crashed {{evidence.crashes}} time(s).",
  "remediation": [{"text": "Start Outlook in safe mode to rule out add-ins.", "commands": ["outlook.exe /safe"]}],
  "references": []}]}
EOF
Q='name=app_crash; channel=Application; provider=Application Error; ids=1000'
set +e
ohc collect --probes events --evtx "$(winpath "$TMP/app.evtx")" --event-query "$Q" --rules "$(winpath "$TMP/rules")" \
  --out "$(winpath "$TMP/r.json")" >/dev/null 2>"$TMP/r.err"
rc=$?
set -e
validate_report "$TMP/r.json"
expect_eq "$rc" 1 "exit code (a warning)"
expect_eq "$(json_get "$TMP/r.json" "r['facts']['events']['queries']['app_crash']['returned']")" 2 "query returned"
expect_eq "$(json_get "$TMP/r.json" "r['facts']['events']['queries']['app_crash']['ids']")" "[1000]" "query ids"
expect_eq "$(json_get "$TMP/r.json" "[e['data'][0] for e in r['facts']['events']['app_crash']['events']]")" \
  "['OUTLOOK.EXE', 'OUTLOOK.EXE']" "events of the query"
expect_eq "$(json_get "$TMP/r.json" "[(f['rule_id'], f['message']) for f in r['findings']]")" \
  "[('SITE-OUTLOOK-CRASH', 'Outlook crashed 2 time(s).')]" "the site rule on the site query"
expect_eq "$(json_get "$TMP/r.json" "len(r['facts']['events']['outlook_oab']['events'])")" 1 "built-in queries still run"

# a bad --event-query is the user's typo: usage error, with the reason
set +e
ohc collect --probes events --evtx "$(winpath "$TMP/app.evtx")" --event-query "name=x; chanel=Application" \
  >/dev/null 2>"$TMP/bad.err"
rc=$?
set -e
expect_eq "$rc" 64 "bad --event-query exit code"
expect_contains "$(cat "$TMP/bad.err")" "unknown key 'chanel'" "bad --event-query reason"

[ "$OHC_PLATFORM" = windows ] || { echo "event queries: ok"; exit 0; }

P='HKLM\SOFTWARE\Policies\OutlookHealthCollector'
at_exit 'wine reg delete "$P" /v EventQueries /f'
at_exit 'ohc config unset EventQueries'
wine reg add "$P" /v EventQueries /t REG_MULTI_SZ \
  /d "$Q\\0name=oab_only; channel=Application; provider=Outlook; ids=27" /f >/dev/null
expect_eq "$(ohc config show --format json | "$PYTHON" -c 'import json,sys
s={x["name"]: x for x in json.load(sys.stdin)["settings"]}["EventQueries"]
print(s["source"], s["registry_type"], s["value"].split("\n"))')" \
  "policy REG_MULTI_SZ ['$Q', 'name=oab_only; channel=Application; provider=Outlook; ids=27']" "config show: the policy"
expect_contains "$(ohc config show)" "name=oab_only" "config show text: the second line"
ohc collect --probes events --evtx "$(winpath "$TMP/app.evtx")" --out "$(winpath "$TMP/p.json")" >/dev/null 2>&1 || true
validate_report "$TMP/p.json"
expect_eq "$(json_get "$TMP/p.json" "sorted(r['facts']['events']['queries'])")" \
  "['app_crash', 'bits_client', 'oab_only', 'outlook_oab']" "queries from the policy"
expect_eq "$(json_get "$TMP/p.json" "len(r['facts']['events']['oab_only']['events'])")" 1 "the policy's second query"

# a bad policy value: said (config show, and collect's stderr), ignored as a whole
wine reg add "$P" /v EventQueries /t REG_MULTI_SZ /d "$Q\\0name=BAD; channel=Application" /f >/dev/null
expect_contains "$(ohc config show)" "event query line 2: name 'BAD' is not" "config show: the problem"
ohc collect --probes events --evtx "$(winpath "$TMP/app.evtx")" --out "$(winpath "$TMP/b.json")" >/dev/null \
  2>"$TMP/b.err" || true
expect_contains "$(cat "$TMP/b.err")" "EventQueries in HKLM\\SOFTWARE\\Policies\\OutlookHealthCollector" "collect: the problem"
expect_eq "$(json_get "$TMP/b.json" "sorted(r['facts']['events']['queries'])")" "['bits_client', 'outlook_oab']" \
  "a bad value adds no query"
# `config set` (what the MSI runs) writes a REG_MULTI_SZ to the local key
L='HKLM\SOFTWARE\OutlookHealthCollector'
ohc config set "EventQueries=name=from_msi; channel=Application" >/dev/null
expect_contains "$(wine reg query "$L" /v EventQueries | tr -d '\r')" "REG_MULTI_SZ" "config set: the registry type"
expect_contains "$(ohc config show --set EventDays=3)" "name=from_msi" "config show: the local value"
ohc config unset EventQueries >/dev/null
echo "event queries (with the registry): ok"
