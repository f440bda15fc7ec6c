# demo: Outlook Event 27 (OAB download failing with 0x80190194, a forced full download) and BITS client events, served by the wevtapi.dll test double because Wine has no event log
# Sourced by scripts/demo. Wine's own wevtapi is a stub, so the events the demo
# PC "has" are those of tests/fixtures/events/field.tsv, served through the real
# Event Log API calls by tests/wevtapi (built with ohc.exe). The demo prefix is
# created afresh for each run, so replacing its wevtapi.dll here is harmless.
cp "$ROOT/build/mingw/tests/wevtapi.dll" "$WINEPREFIX/drive_c/windows/system32/wevtapi.dll"
export WINEDLLOVERRIDES="wevtapi=n;$WINEDLLOVERRIDES"
export OHC_WEVTAPI_FIXTURE="Z:$(echo "$ROOT/tests/fixtures/events/field.tsv" | tr / '\\')"
