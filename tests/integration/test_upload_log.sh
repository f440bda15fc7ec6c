#!/usr/bin/env bash
# The upload log, as every caller writes it (collector/pipeline/deliver.c):
# one line per attempt in <spool>/upload.log, in a spool whose path is not
# ASCII (a profile such as C:\Users\Zoë: fopen took the ANSI code page), and
# rotated at about 1 MB (ftell right after fopen "ab" is 0 on Windows: a
# 1.1 MB log was never rotated). The endpoint is a closed port on loopback:
# the attempt fails, the report stays in the spool, the log says so.
. "$(dirname "$0")/lib.sh"
spool="$TMP/spöol-Zoë"
mkdir -p "$spool"
# (only the host probe: the report is incomplete, exit 3, and still a report)
ohc collect --probes host --out "$(winpath "$TMP/r.json")" > /dev/null || true
[ -f "$TMP/r.json" ] || fail "collect wrote no report"
rid=$(json_get "$TMP/r.json" 'r["report_id"]')
port=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# a log just over 1 MB from earlier runs
"$PYTHON" -c 'import sys; open(sys.argv[1], "w").write(("x" * 1023 + "\n") * 1100)' "$spool/upload.log"
set +e
out=$(ohc upload --url "http://127.0.0.1:$port/r" --allow-http --attempts 1 --timeout 5 \
  --spool "$(winpath "$spool")" "$(winpath "$TMP/r.json")" 2>&1)
rc=$?
set -e
expect_eq "$rc" 1 "exit code with the report kept for later: $out"
[ -f "$spool/upload.log.1" ] || fail "upload.log was not rotated: $(ls -la "$spool")"
[ "$(stat -c %s "$spool/upload.log.1")" -ge 1126400 ] || fail "the old generation is not the old log"
log=$(cat "$spool/upload.log")
expect_contains "$log" "upload $rid attempt=1" "the attempt in the non-ASCII spool's upload.log"
expect_contains "$log" "result=retry" "its result"
expect_contains "$log" "pending=1" "the drain summary"
ls "$spool" | grep -q "$rid.json" || fail "the report is not kept in the spool"
echo "ok"
