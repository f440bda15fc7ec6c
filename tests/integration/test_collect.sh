# ohc collect end to end: a schema-valid report with real host facts, atomic
# files, the text format, and the command line's error handling.
. "$(dirname "$0")/lib.sh"

# JSON on stdout by default.
run_report ohc collect > "$TMP/stdout.json"
validate_report "$TMP/stdout.json"
# The events probe cannot run here (no event log natively, a stub under Wine): the verdict is
# "incomplete" with exit 3, never "ok"; the rules that read events are listed as not checked.
expect_eq "$rc" 3 "exit code of an incomplete collection"
expect_eq "$(json_get "$TMP/stdout.json" "r['summary']['verdict']")" incomplete "verdict"
expect_eq "$(json_get "$TMP/stdout.json" "r['summary']['exit_code']")" 3 "summary.exit_code"
expect_eq "$(json_get "$TMP/stdout.json" "[g['source'] for g in r['summary']['incomplete'] if g['source'] == 'events']")" "['events']" "events named as the reason"
expect_eq "$(json_get "$TMP/stdout.json" "'OAB-HTTP-404' in [n['rule_id'] for n in r['summary']['not_checked']]")" True "OAB-HTTP-404 not checked"
expect_eq "$(json_get "$TMP/stdout.json" "r['probes']['host']['status']")" ok "host probe status"
name=$(json_get "$TMP/stdout.json" "r['host']['computer_name']")
[ -n "$name" ] && [ "$name" != None ] || fail "no computer name"
if [ "$OHC_PLATFORM" = windows ]; then
  expect_eq "$(json_get "$TMP/stdout.json" "r['host']['os']['family']")" windows "os family"
  # Wine reports itself; the build number comes from RtlGetVersion.
  [ "$(json_get "$TMP/stdout.json" "r['host']['os']['wine_version'] is not None")" = True ] || fail "wine_version"
  [ "$(json_get "$TMP/stdout.json" "r['host']['os']['build'] > 0")" = True ] || fail "os build"
  expect_contains "$(json_get "$TMP/stdout.json" "r['host']['run_as']['sid']")" "S-1-5-21-" "run_as.sid"
fi

# --out writes the file atomically (no temp file left) and prints the text summary.
run_report ohc collect --out "$(winpath "$TMP/r.json")" > "$TMP/summary.txt"
validate_report "$TMP/r.json"
expect_contains "$(cat "$TMP/summary.txt")" "Verdict: INCOMPLETE" "text summary"
expect_contains "$(cat "$TMP/summary.txt")" "Not checked" "text: what was not checked"
grep -q "Verdict: OK" "$TMP/summary.txt" && fail "OK shown although the events were not checked"
expect_contains "$(cat "$TMP/summary.txt")" "Report written to" "written line"
[ -z "$(ls "$TMP" | grep '\.tmp\.' || true)" ] || fail "temp file left behind"

# --out-dir creates the directory and writes report.json there.
run_report ohc collect --out-dir "$(winpath "$TMP/a/b")" --format json > /dev/null
validate_report "$TMP/a/b/report.json"

# Two reports never share an id.
run_report ohc collect --out "$(winpath "$TMP/r2.json")" > /dev/null
[ "$(json_get "$TMP/r.json" "r['report_id']")" != "$(json_get "$TMP/r2.json" "r['report_id']")" ] || fail "report ids repeat"

# --probes selects; an unknown probe is a usage error.
run_report ohc collect --probes host --format text > "$TMP/host.txt"
grep -q '^  host' "$TMP/host.txt" || fail "--probes host"
set +e
ohc collect --probes nosuch 2> "$TMP/err"; rc=$?
set -e
expect_eq "$rc" 64 "unknown probe exit code"
expect_contains "$(cat "$TMP/err")" "unknown probe 'nosuch'" "unknown probe message"

# Writing to a directory that cannot exist fails with exit code 3 and says why.
set +e
ohc collect --out "$(winpath "$TMP/missing/dir/r.json")" > /dev/null 2> "$TMP/err"; rc=$?
set -e
expect_eq "$rc" 3 "unwritable output exit code"
expect_contains "$(cat "$TMP/err")" "cannot write" "unwritable output message"
echo "collect: ok"
