#!/usr/bin/env bash
# ohc events on real .evtx files (../shared/evtx-corpus, read in place):
# filters, formats, and clear errors for bad input. Native and under Wine.
. "$(dirname "$0")/lib.sh"
C="$OHC_SOURCE_DIR/../shared/evtx-corpus"
BITS="$C/a__Execution__windows_bits_4_59_60_lolbas_desktopimgdownldr.evtx"
BIG="$C/a__Command_and_Control__bits_openvpn.evtx"
[ -f "$BITS" ] || fail "corpus missing: $BITS"

ohc events "$(winpath "$BITS")" > "$TMP/all.jsonl"
expect_eq "$(wc -l < "$TMP/all.jsonl" | tr -d ' ')" 5 "records in the BITS file"
"$PYTHON" - "$TMP/all.jsonl" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
assert [r["event_id"] for r in recs] == [3, 209, 59, 60, 4], recs
r = recs[3]
assert r["provider"] == "Microsoft-Windows-Bits-Client" and r["channel"].endswith("/Operational")
assert r["data"]["url"] == "https://a.uguu.se/Hv0bgvgHGNeH_Bin.7z" and r["data"]["hr"] == "0"
assert r["time_created"] == "2020-07-03T08:55:51.349Z" and r["record_id"] == 2777
assert r["binary"] is None and r["level_name"] == "Information"
PY

# Filters: ids, provider (any case), since; a filter that matches nothing.
expect_eq "$(ohc events --id 59,60 "$(winpath "$BITS")" | wc -l | tr -d ' ')" 2 "--id 59,60"
expect_eq "$(ohc events --provider microsoft-windows-bits-client --id 3 "$(winpath "$BITS")" | wc -l | tr -d ' ')" 1 "--provider"
expect_eq "$(ohc events --provider Outlook "$(winpath "$BITS")" | wc -l | tr -d ' ')" 0 "--provider Outlook"
expect_eq "$(ohc events --since 2020-07-03T08:55:50Z "$(winpath "$BITS")" | wc -l | tr -d ' ')" 2 "--since"
all=$(ohc events "$(winpath "$BIG")" | wc -l | tr -d ' ')
expect_eq "$(ohc events --id 27 "$(winpath "$BIG")" | wc -l | tr -d ' ')" 0 "--id 27 on a big file"
[ "$all" -gt 1000 ] || fail "expected >1000 records in $BIG, got $all"

# A pipe has no offsets: it is read in order by one thread, to the same records
# (native only: a Windows program under Wine gets no /dev/stdin of a pipe).
if [ "$OHC_PLATFORM" != windows ]; then
  expect_eq "$(cat "$BIG" | ohc events /dev/stdin | md5sum)" "$(ohc events "$BIG" | md5sum)" "the big file through a pipe"
fi

# Two files in one run; XML that parses.
expect_eq "$(ohc events "$(winpath "$BITS")" "$(winpath "$BITS")" | wc -l | tr -d ' ')" 10 "two files"
ohc events --format xml "$(winpath "$BITS")" > "$TMP/all.xml"
"$PYTHON" - "$TMP/all.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
lines = [l for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
assert len(lines) == 5
ns = "{http://schemas.microsoft.com/win/2004/08/events/event}"
for l in lines:
    e = ET.fromstring(l)
    assert e.find(ns + "System/" + ns + "EventRecordID") is not None
PY

# Bad input: clear errors, right exit codes, nothing on stdout.
printf 'not an event log' > "$TMP/bad.evtx"
set +e
out=$(ohc events "$(winpath "$TMP/bad.evtx")" 2>"$TMP/err"); rc=$?
set -e
expect_eq "$rc" 3 "exit code for a non-evtx file"
expect_contains "$(cat "$TMP/err")" "not an event log file" "message for a non-evtx file"
[ -z "$out" ] || fail "output for a non-evtx file: $out"
set +e
ohc events "$(winpath "$TMP/missing.evtx")" 2>"$TMP/err"; rc=$?
ohc events --id x "$(winpath "$BITS")" 2>/dev/null; rc2=$?
ohc events 2>/dev/null; rc3=$?
ohc events --since yesterday "$(winpath "$BITS")" 2>/dev/null; rc4=$?
set -e
expect_eq "$rc" 3 "exit code for a missing file"
expect_eq "$rc2" 64 "exit code for --id x"
expect_eq "$rc3" 64 "exit code without a file"
expect_eq "$rc4" 64 "exit code for --since yesterday"

# A damaged copy: the chunk is reported on stderr, the other chunks are read.
head -c 200000 "$BIG" > "$TMP/cut.evtx"
n=$(ohc events "$(winpath "$TMP/cut.evtx")" 2>"$TMP/err" | wc -l | tr -d ' ')
[ "$n" -gt 0 ] && [ "$n" -lt "$all" ] || fail "truncated file: $n records of $all"
expect_contains "$(cat "$TMP/err")" "chunk 2" "damage report for the truncated chunk"
echo "ok"
