#!/usr/bin/env bash
# Footprint of the ohc service under Wine, printed as a table:
#   size of ohc.exe and of ohc.msi;
#   the service's working set after a collection;
#   CPU time of one collection with 300 BITS jobs (bitsjob.exe, when built);
#   CPU time used while idle for 60 s (IDLE_SECONDS to change).
# Memory is read two ways: GetProcessMemoryInfo as `ohc service status` prints
# it (what Windows tools show) and VmRSS of the Linux process behind it. CPU is
# read from /proc/PID/stat (utime+stime, clock ticks of 10 ms) only: Wine's
# GetProcessTimes for another process sums the threads still alive, so it
# drops when a collection's threads end (measured: -70 ms over an idle minute).
# wineserver's own CPU is not included.
# Usage: bench/service_footprint.sh   (after scripts/build mingw; about 2 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
B=$ROOT/build/mingw
EXE=$B/win32/ohc.exe MSI=$B/installer/ohc.msi BITSJOB=$B/tests/bitsjob.exe
IDLE_SECONDS=${IDLE_SECONDS:-60}
[ -f "$EXE" ] || { echo "build first: scripts/build mingw" >&2; exit 2; }
export WINEPREFIX=$(mktemp -d /tmp/ohc-bench-prefix.XXXXXX)/prefix WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
cleanup() {
  wine "$EXE" service uninstall >/dev/null 2>&1 || true
  scripts/wine-prefix teardown "$WINEPREFIX" >/dev/null 2>&1 || true
  rm -rf "$(dirname "$WINEPREFIX")"
}
trap cleanup EXIT
scripts/wine-prefix setup "$WINEPREFIX" "$B/tests/keepalive.exe" >/dev/null
STATE=$WINEPREFIX/drive_c/ProgramData/OutlookHealthCollector
P='HKLM\SOFTWARE\Policies\OutlookHealthCollector'
wine reg add "$P" /v StartupDelayMinutes /t REG_DWORD /d 1440 /f >/dev/null   # collections only on request
wine reg add "$P" /v IntervalMinutes /t REG_DWORD /d 43200 /f >/dev/null
wine "$EXE" service install >/dev/null 2>&1
wine "$EXE" service start >/dev/null

win_ws_mb() { wine "$EXE" service status 2>/dev/null | tr -d '\r' | awk '/^Memory:/ {print $4}'; }
linux_pid() { pgrep -f 'ohc.exe" service run|ohc.exe service run' | head -1; }
linux_cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{printf "%d", ($14 + $15) * 1000 / hz}' "/proc/$1/stat"; }
linux_rss_mb() { awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }

pid=$(linux_pid)
[ -n "$pid" ] || { echo "service process not found" >&2; exit 1; }

# One collection with no BITS jobs, then the working set.
l0=$(linux_cpu_ms "$pid")
wine "$EXE" service collect-now --wait 120 >/dev/null
cpu_plain=$(( $(linux_cpu_ms "$pid") - l0 ))
ws_after=$(win_ws_mb); rss_after=$(linux_rss_mb "$pid")

# One collection with 300 BITS jobs.
jobs_note="n/a (bitsjob.exe not built)"
if [ -f "$BITSJOB" ]; then
  wine "$BITSJOB" create ohc-bench http://127.0.0.1:9/OAB/x/oab.xml 'C:\users\Public\bench.xml' --suspend --count 300 >/dev/null
  l0=$(linux_cpu_ms "$pid")
  wine "$EXE" service collect-now --wait 300 >/dev/null
  l1=$(linux_cpu_ms "$pid")
  njobs=$(/usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); b=(r.get("facts") or {}).get("bits") or {}; print(len(b.get("jobs") or []), "enumeration", json.dumps(b.get("enumeration")), "probe", json.dumps((r.get("probes") or {}).get("bits")))' "$STATE/last-report.json" 2>/dev/null || echo "?")
  jobs_note="$((l1 - l0)) ms; BITS jobs in the report: $njobs"
  wine "$BITSJOB" cancel-prefix ohc-bench >/dev/null || true
fi

# Idle.
l0=$(linux_cpu_ms "$pid")
sleep "$IDLE_SECONDS"
l1=$(linux_cpu_ms "$pid")

size_kb() { [ -f "$1" ] && echo "$(( $(stat -c %s "$1") / 1024 )) KB" || echo "n/a"; }
printf '\n%-44s %s\n' "measure" "value"
printf '%-44s %s\n' "--------------------------------------------" "------------------------------------------"
printf '%-44s %s\n' "ohc.exe size" "$(size_kb "$EXE")"
printf '%-44s %s\n' "ohc.msi size" "$(size_kb "$MSI")"
printf '%-44s %s\n' "working set after a collection" "${ws_after:-?} MB (GetProcessMemoryInfo), ${rss_after} MB RSS (Linux)"
printf '%-44s %s\n' "CPU of one collection, no BITS jobs" "$cpu_plain ms"
printf '%-44s %s\n' "CPU of one collection, 300 BITS jobs" "$jobs_note"
printf '%-44s %s\n' "CPU while idle for ${IDLE_SECONDS} s" "$((l1 - l0)) ms"
printf '(Wine %s, %s)\n' "$(wine --version)" "$(date -u +%Y-%m-%dT%H:%MZ)"
