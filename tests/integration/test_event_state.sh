#!/usr/bin/env bash
# `ohc collect --event-state FILE` marks the events a report has not shown
# before (the service does the same with %ProgramData%\...\event-state.json).
# Real .evtx files (the test-only writer, checked against libevtx in
# test_evtx_event27.py) are read by the real reader, natively and under Wine:
# first collection (all new), the same log again (none), a later Event 27 (one),
# a cleared log (ids restart: new by time), a corrupt state file (said, all
# new, replaced), a state file that cannot be written (report kept, warned).
. "$(dirname "$0")/lib.sh"

# make_log FILE FIRST_RECORD_ID "HH:MM reason" ...: an Application log of Event 27 failures
make_log() {
  "$PYTHON" - "$@" <<'PY'
import os, sys
sys.path.insert(0, os.path.join(os.environ["OHC_SOURCE_DIR"], "tests", "tools"))
import evtx_writer
def oab_binary(reason, name="\\Global Address List"):
    b = bytearray(0x90); b[0:4] = reason.to_bytes(4, "little"); b += name.encode("utf-16-le") + b"\0\0"
    return b.hex()
path, first, items = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
evs = []
for it in items:
    hhmm, reason = it.split()
    # level 2: a failure, with the HRESULT Outlook logs in its text
    evs.append({"provider": "Outlook", "event_id": 27, "qualifiers": 16384, "level": 2,
                "time": "2026-11-24T%s:00.250Z" % hhmm, "computer": "PC1",
                "strings": ["Microsoft Exchange offline address book", "Task 'Microsoft Exchange' reported error (0x80190194)"],
                "binary_hex": oab_binary(int(reason))})
evtx_writer.write(path, evs, first_record_id=first)
PY
}

STATE="$TMP/state/event-state.json"
mkdir -p "$TMP/state"
# collect NAME LOG: report NAME.json from LOG with the event state; prints the text output
collect() {
  ohc collect --probes events --evtx "$(winpath "$2")" --event-state "$(winpath "$STATE")" \
    --out "$(winpath "$TMP/$1.json")" 2>"$TMP/$1.err" || true
  validate_report "$TMP/$1.json" >/dev/null || fail "$1: report not schema-valid"
}
new_flags() { json_get "$TMP/$1.json" "[(e['record_id'], e.get('new')) for e in r['facts']['events']['outlook_oab']['events']]"; }
info() { json_get "$TMP/$1.json" "r['facts']['events']['new_events']$2"; }

make_log "$TMP/a.evtx" 1 "08:00 8" "08:01 2"
out=$(collect r1 "$TMP/a.evtx")
expect_eq "$(info r1 "['baseline']")" "first_collection" "first: baseline"
expect_eq "$(info r1 "['count']")" "2" "first: count"
expect_eq "$(new_flags r1)" "[(2, True), (1, True)]" "first: every event new"
expect_eq "$(json_get "$TMP/r1.json" "r['facts']['events']['queries']['outlook_oab']['new']")" "2" "first: query count"
expect_contains "$out" "New:     2 event(s) (first collection" "first: text report"
[ -s "$STATE" ] || fail "no state file after the first collection"
expect_eq "$(json_get "$STATE" "[(c['channel'], c['computer'], c['last_record_id']) for c in r['channels']]")" \
  "[('Application', 'PC1', 2)]" "state after the first collection"

collect r2 "$TMP/a.evtx" >/dev/null
expect_eq "$(info r2 "['baseline']")" "previous_collection" "again: baseline"
expect_eq "$(info r2 "['previous_collection']")" "$(json_get "$TMP/r1.json" "r['generated_at']")" "again: previous report time"
expect_eq "$(info r2 "['count']")" "0" "again: count"
expect_eq "$(new_flags r2)" "[(2, False), (1, False)]" "again: nothing new"

make_log "$TMP/b.evtx" 1 "08:00 8" "08:01 2" "09:30 8"
collect r3 "$TMP/b.evtx" >/dev/null
expect_eq "$(new_flags r3)" "[(3, True), (2, False), (1, False)]" "later: only the new event"
expect_eq "$(json_get "$TMP/r3.json" "r['facts']['events']['outlook_oab']['summary']['new_failure_count']")" "1" \
  "later: new failures"

# the readable reports say it too (an unchanged log: nothing new since r3)
ohc collect --probes events --evtx "$(winpath "$TMP/b.evtx")" --event-state "$(winpath "$STATE")" \
  --out-dir "$(winpath "$TMP/html")" >"$TMP/html.txt" 2>&1 || true
expect_contains "$(cat "$TMP/html.txt")" "New:     0 event(s) since the report of $(json_get "$TMP/r3.json" "r['generated_at']")" "text: since"
expect_contains "$(cat "$TMP/html/report.html")" "New events: 0 event(s) since the report of" "html: since"

# the log was cleared: record ids start again at 1, the time goes on
make_log "$TMP/c.evtx" 1 "10:00 8"
collect r4 "$TMP/c.evtx" >/dev/null
expect_eq "$(new_flags r4)" "[(1, True)]" "cleared log: new by its time"
expect_eq "$(json_get "$STATE" "r['channels'][0]['last_record_id']")" "1" "cleared log: the state follows the new ids"

# a corrupt state file: said in the report, every event new, replaced by a good one
printf '{"version":1,"channels":[{"channel":"Application"' > "$STATE"
collect r5 "$TMP/c.evtx" >/dev/null
expect_eq "$(info r5 "['baseline']")" "state_unreadable" "corrupt state: baseline"
expect_contains "$(info r5 "['state_error']")" "not JSON" "corrupt state: reason"
expect_eq "$(new_flags r5)" "[(1, True)]" "corrupt state: all new"
expect_eq "$(json_get "$STATE" "r['version']")" "1" "corrupt state replaced"

# the state cannot be written: the report is kept, the failure said
set +e
ohc collect --probes events --evtx "$(winpath "$TMP/c.evtx")" --event-state "$(winpath "$TMP/missing/dir/s.json")" \
  --out "$(winpath "$TMP/r6.json")" >/dev/null 2>"$TMP/r6.err"
rc=$?
set -e
[ "$rc" != 3 ] || fail "an unwritable event state failed the collection"
validate_report "$TMP/r6.json" >/dev/null
expect_contains "$(cat "$TMP/r6.err")" "cannot save the event state" "unwritable state: warned"

# without --event-state nothing is marked
ohc collect --probes events --evtx "$(winpath "$TMP/c.evtx")" --out "$(winpath "$TMP/r7.json")" >/dev/null 2>&1 || true
expect_eq "$(json_get "$TMP/r7.json" "('new_events' in r['facts']['events'], 'new' in r['facts']['events']['outlook_oab']['events'][0])")" \
  "(False, False)" "no state: no marks"
echo "event state: ok"
