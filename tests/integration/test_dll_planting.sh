#!/usr/bin/env bash
# DLL planting: a copy of ohc.exe in a folder where someone put winhttp.dll,
# bcrypt.dll and crypt32.dll (tests/win32/planted_dll.c) must run with the
# System32 ones and never load those. WINEDLLOVERRIDES=...=n,b makes Wine
# prefer a DLL found beside the .exe, as Windows' search order does for DLLs
# that are not KnownDLLs: with the plain imports of before, Wine loaded them.
# (issue 19 item 7; cmake/OhcDelayLoad.cmake and win32/main_win32.c)
. "$(dirname "$0")/lib.sh"
[ "$OHC_PLATFORM" = windows ] || exit 77
: "${OHC_PLANTED_DIR:?}"
d="$TMP/Downloads"
mkdir -p "$d"
cp "$OHC_EXE" "$d/ohc.exe"
cp "$OHC_PLANTED_DIR"/winhttp.dll "$OHC_PLANTED_DIR"/bcrypt.dll "$OHC_PLANTED_DIR"/crypt32.dll "$d/"
trace="$TMP/trace.txt"
export OHC_PLANTED_TRACE
OHC_PLANTED_TRACE=$(winpath "$trace")
# collect: the proxy probe calls WinHTTP, the report id comes from bcrypt; an upload attempt
# (a closed loopback port) goes through curl's Schannel and crypt32.
port=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
set +e
WINEDLLOVERRIDES="winhttp,bcrypt,crypt32=n,b;mscoree,mshtml=" "$OHC_WINE_RUN" "$d/ohc.exe" collect \
  --probes host,proxy --out "$(winpath "$TMP/r.json")" --upload --url "https://127.0.0.1:$port/r" \
  --spool "$(winpath "$TMP/spool")" --timeout 5 > "$TMP/out.txt" 2>&1
rc=$?
set -e
if [ -s "$trace" ]; then
  fail "ohc.exe loaded a planted DLL: $(tr -d '\0' < "$trace")"
fi
[ -f "$TMP/r.json" ] || fail "ohc.exe beside the planted DLLs wrote no report (exit $rc): $(tail -5 "$TMP/out.txt")"
validate_report "$TMP/r.json"
[ "$(json_get "$TMP/r.json" 'r["probes"]["proxy"]["status"]')" = ok ] || fail "proxy probe (WinHTTP) did not run"
echo "ok: no planted DLL loaded (exit $rc)"
