#!/usr/bin/env bash
# The ohc service under Wine's real service control manager, installed by
# `ohc service install` (the MSI path is test_msi.sh): it starts, collects at
# once with StartupDelayMinutes=0 from the policy key, answers collect-now
# (control code 128), re-plans when the interval policy changes, reports its
# state, stops within 5 s and uninstalls.
# The report it writes validates against the schema and says run_as.mode
# "service"; a bad policy value is logged with its source. `ohc service
# install` and the service at start give the local configuration key (it
# holds UploadToken) SYSTEM and Administrators only, over a DACL that let
# Users read it. The service reads UploadFormat from the policy at each
# delivery: its reports reach a loopback OTLP receiver as OTLP/HTTP logs with the
# token as Bearer, never in its logs.
. "$(dirname "$0")/lib.sh"
[ "$OHC_PLATFORM" = windows ] || exit 77

P='HKLM\SOFTWARE\Policies\OutlookHealthCollector'
K='SOFTWARE\OutlookHealthCollector'
WEAK='D:(A;CI;KR;;;BU)(A;CI;KA;;;BA)(A;CI;KA;;;SY)'
STATE="$WINEPREFIX/drive_c/ProgramData/OutlookHealthCollector"
cleanup() {
  ohc service uninstall >/dev/null 2>&1 || true
  wine reg delete "$P" /f >/dev/null 2>&1 || true
  wine reg delete "HKLM\\$K" /f >/dev/null 2>&1 || true
  rm -rf "$STATE"
}
at_exit cleanup
at_failure "tail -n 30 '$STATE/logs/ohc.log'"
cleanup

# the uploads go to a loopback OTLP receiver, as OTLP/HTTP logs
"$PYTHON" "$OHC_SOURCE_DIR/tests/tools/fleet_receiver.py" --record "$TMP/otlp.jsonl" --bodies "$TMP/otlp" \
  --port-file "$TMP/otlp.port" > /dev/null 2>&1 &
RECEIVER=$!
at_exit "kill $RECEIVER"
wait_for 60 "the OTLP receiver's port" test -s "$TMP/otlp.port"
wine reg add "$P" /v UploadUrl /t REG_SZ /d "http://127.0.0.1:$(cat "$TMP/otlp.port")" /f >/dev/null
wine reg add "$P" /v AllowInsecureHttp /t REG_DWORD /d 1 /f >/dev/null
wine reg add "$P" /v UploadFormat /t REG_SZ /d otlp /f >/dev/null
wine reg add "$P" /v StartupDelayMinutes /t REG_DWORD /d 0 /f >/dev/null
wine reg add "$P" /v EventDays /t REG_DWORD /d 0 /f >/dev/null   # out of range: logged, default used
wine reg add "$P" /v LogLevel /t REG_SZ /d debug /f >/dev/null

wine reg add "HKLM\\$K" /v UploadToken /t REG_SZ /d service-test-token /f >/dev/null
regacl set "$K" "$WEAK"
expect_eq "$(regacl read-unelevated "$K" UploadToken)" "read" "a non-elevated process reads the token before install"
out=$(ohc service install)
expect_contains "$out" "Installed the service 'ohc'" "install"
expect_eq "$(regacl check "$K")" "ok: D:P(A;CI;KA;;;SY)(A;CI;KA;;;BA)" "configuration key DACL after install"
expect_eq "$(regacl read-unelevated "$K" UploadToken)" "denied" "a non-elevated process reads the token after install"
regacl set "$K" "$WEAK"   # as a hand-made key would have it
set +e; ohc service install >/dev/null 2>"$TMP/err"; rc=$?; set -e
expect_eq "$rc" 3 "second install fails"
expect_contains "$(cat "$TMP/err")" "already installed" "second install message"
set +e; out=$(ohc service status); rc=$?; set -e
expect_eq "$rc" 1 "status exit code before start"
expect_contains "$out" "STOPPED" "status before start"
expect_contains "$out" "Start:        automatic" "start type"
expect_contains "$out" "account LocalSystem" "account"
expect_contains "$out" '\ohc.exe" service run' "command line"

out=$(ohc_service_start)
expect_contains "$out" "is running" "start"
expect_eq "$(regacl check "$K")" "ok: D:P(A;CI;KA;;;SY)(A;CI;KA;;;BA)" "configuration key DACL after the service started"
# the first collection starts at once (delay 0): wait for the report on a
# kernel-object wait inside collect-now --wait, after asking for a second one
wait_for 180 "the report of the scheduled first collection" test -f "$STATE/last-report.json"
first_id=$(json_get "$STATE/last-report.json" 'r["report_id"]')
first_time=$(json_get "$STATE/last-report.json" 'r["generated_at"]')
out=$(ohc service collect-now --wait 120)
expect_contains "$out" "A new report was written" "collect-now"
second_id=$(json_get "$STATE/last-report.json" 'r["report_id"]')
[ "$first_id" != "$second_id" ] || fail "collect-now did not produce a new report"
# the event state moved on with the first report: the second marks events against it
expect_eq "$(json_get "$STATE/event-state.json" 'r["report_id"]')" "$second_id" "event state follows the last report"
expect_eq "$(json_get "$STATE/last-report.json" 'r["facts"]["events"]["new_events"]["baseline"]')" \
  "previous_collection" "second report: events marked against the first"
expect_eq "$(json_get "$STATE/last-report.json" 'r["facts"]["events"]["new_events"]["previous_collection"]')" \
  "$first_time" "second report: the previous collection is the first report"
cp "$STATE/last-report.json" "$TMP/report.json"
validate_report "$TMP/report.json"
# the service delivered it as OTLP: one record for the report and one per finding, Bearer token
wait_for 60 "the second report at the OTLP receiver" grep -q "\"reports\": \[\"$second_id\"\]" "$TMP/otlp.jsonl"
expect_eq "$(grep "\"$second_id\"" "$TMP/otlp.jsonl" | head -1 | "$PYTHON" -c '
import hashlib, json, sys
e = json.loads(sys.stdin.read())
r = json.load(open(sys.argv[1]))
tok = "Bearer sha256:" + hashlib.sha256(b"service-test-token").hexdigest()[:16]
print(e["kind"], e["path"], e["encoding"], e["status"], e["auth"] == tok, sorted(e["findings"]) == sorted(f["rule_id"] for f in r["findings"]))
' "$TMP/report.json")" "otlp /v1/logs gzip 200 True True" "the service's OTLP upload"
expect_contains "$(cat "$STATE/spool/upload.log")" "upload $second_id format=otlp part=1/1 attempt=1" "the OTLP attempt in upload.log"
expect_eq "$(json_get "$TMP/report.json" 'r["host"]["run_as"]["mode"]')" "service" "run_as.mode"

set +e; out=$(ohc service status); rc=$?; set -e
expect_eq "$rc" 0 "status exit code while running"
expect_contains "$out" "RUNNING" "status state"
expect_contains "$out" "$second_id" "status names the last report"
expect_contains "$out" "working set" "status memory"

# The findings went to the Application log (EventLogFindings is 1 by default): the state of the
# last collection's findings follows the report, and the log says how many events ReportEventW
# took (their arguments are checked in test_eventlog.py: Wine's trace of a service is out of reach).
expect_eq "$(json_get "$STATE/eventlog-state.json" 'r["report_id"]')" "$second_id" "eventlog state follows the last report"
expect_eq "$(json_get "$STATE/eventlog-state.json" 'sorted(f["rule_id"] for f in r["findings"])')" \
  "$(json_get "$TMP/report.json" 'sorted(set(f["rule_id"] for f in r["findings"]))')" "eventlog state: the report's findings"
nfind=$(json_get "$TMP/report.json" 'len(r["findings"])')
expect_contains "$(cat "$STATE/logs/ohc.log")" "event(s) written ($nfind finding(s), " "log: the findings' events"
# EventLogFindings=0 (the GPO switch): no events, no state.
wine reg add "$P" /v EventLogFindings /t REG_DWORD /d 0 /f >/dev/null
rm -f "$STATE/eventlog-state.json"
out=$(ohc service collect-now --wait 120)
expect_contains "$out" "A new report was written" "collect-now with EventLogFindings=0"
[ ! -e "$STATE/eventlog-state.json" ] || fail "EventLogFindings=0: the service still wrote the findings' events"

# A policy change applies at once (registry change notification), not at the next collection.
wine reg add "$P" /v IntervalMinutes /t REG_DWORD /d 1 /f >/dev/null
wait_for 60 "the service to apply the interval policy on change" \
  grep -q "configuration changed: every 1 minutes now; next collection in" "$STATE/logs/ohc.log"

# Within 5 s from ControlService(STOP) to STOPPED, as ohc measures it (not the wall clock
# around it, which under load is mostly Wine starting ohc.exe).
t0=$(date +%s%N)
out=$(ohc service stop)
t1=$(date +%s%N)
ms=$(printf '%s' "$out" | sed -n 's/.*stopped in \([0-9]*\) ms.*/\1/p')
echo "service stop: STOPPED after ${ms:-?} ms; $(( (t1 - t0) / 1000000 )) ms wall clock including Wine's start of ohc.exe"
[ -n "$ms" ] || fail "no 'stopped in N ms' in: $out"
[ "$ms" -lt 5000 ] || fail "stop took $ms ms (limit 5000)"
set +e; ohc service status >/dev/null; rc=$?; set -e
expect_eq "$rc" 1 "status exit code when stopped"

log=$(cat "$STATE/logs/ohc.log")
expect_contains "$log" "first collection in 0 s" "log: schedule"
expect_contains "$log" "collection started (scheduled)" "log: scheduled collection"
expect_contains "$log" "collection started (requested by 'ohc service collect-now')" "log: collect-now"
expect_contains "$log" "EventDays in HKLM\\SOFTWARE\\Policies\\OutlookHealthCollector 0 is out of range 1..365; ignored" "log: bad policy value"
expect_contains "$log" "Outlook event subscription unavailable" "log: EvtSubscribe fallback logged"
expect_contains "$log" "stop requested" "log: stop"
case "$log$(cat "$STATE/spool/upload.log")" in *service-test-token*) fail "the token in a log";; esac

out=$(ohc service uninstall)
expect_contains "$out" "Removed the service" "uninstall"
if wine sc query ohc >/dev/null 2>&1; then fail "service still registered"; fi
echo ok
