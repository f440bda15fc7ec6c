#!/usr/bin/env bash
# The proxy probe's connect test: a proxy that listens is reachable, one on a
# closed port is refused (not "timed out"), and each says which address
# answered and how many of the name's addresses were tried. (On Windows a
# refused SYN is retried for about 2 s unless SIO_TCP_INITIAL_RTO turns that
# off; Wine's Linux stack refuses at once either way, so only a Windows run
# shows the timing: tests/windows-runner/TEST-PLAN.md.)
. "$(dirname "$0")/lib.sh"
[ "$OHC_PLATFORM" = windows ] || exit 77
"$PYTHON" - "$TMP/port" <<'PY' &
import socket, sys, os, time
s = socket.socket(); s.bind(("127.0.0.2", 0)); s.listen(8)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1])); os.rename(sys.argv[1] + ".tmp", sys.argv[1])
s.settimeout(60)
try:
    while True:
        c, _ = s.accept(); c.close()
except Exception:
    pass
PY
listener=$!   # a background job: the harness ends it and removes $TMP
open_port=$(wait_port_file 60 "$TMP/port" "$listener" "the listener")
closed=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
HTTP_PROXY="http://127.0.0.1:$closed" HTTPS_PROXY="http://127.0.0.2:$open_port" \
  ohc collect --probes proxy --out "$(winpath "$TMP/r.json")" > /dev/null || true
[ -f "$TMP/r.json" ] || fail "no report"
validate_report "$TMP/r.json"
get() { json_get "$TMP/r.json" "[(e['reachable'], e['error_code'], e['addresses_tried'], e['address']) for e in r['facts']['proxy']['reachability'] if e['port'] == $1]"; }
open_r=$(get "$open_port")
closed_r=$(get "$closed")
echo "listening: $open_r; closed: $closed_r"
expect_eq "$open_r" "[(True, None, 1, '127.0.0.2:$open_port')]" "the listening proxy"
expect_eq "$closed_r" "[(False, 10061, 1, '127.0.0.1:$closed')]" "the closed port: refused (WSAECONNREFUSED), not timed out"
echo "ok"
