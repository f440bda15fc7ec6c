#!/usr/bin/env bash
# tests/tools/loaded-runs.sh RUNS [COMMIT]: the determinism check of issue 20.
# RUNS times in a row, scripts/test in a fresh clone of this repository (at
# COMMIT, default HEAD) while `stress-ng --cpu 2` keeps both cores busy; one
# line per run in $OHC_LOADED_DIR/summary.txt (default /tmp/ohc-loaded): exit
# code, seconds, load average and scripts/test's last line; the ctest logs are
# kept beside it. Never run it beside another suite on the same machine.
# OHC_LOADED_LOAD names the load instead (default `stress-ng --cpu 2 --timeout
# 0 --quiet`); empty when the machine is kept busy from outside (a fuzzing
# campaign of the same length, say): the load average on each line shows it.
set -uo pipefail
runs=${1:?usage: loaded-runs.sh RUNS [COMMIT]}
repo=$(cd "$(dirname "$0")/../.." && pwd)
commit=$(git -C "$repo" rev-parse --short "${2:-HEAD}")
base=${OHC_LOADED_DIR:-/tmp/ohc-loaded}
load=${OHC_LOADED_LOAD-stress-ng --cpu 2 --timeout 0 --quiet}
if [ -n "$load" ]; then
  command -v "${load%% *}" > /dev/null || { echo "loaded-runs: ${load%% *} missing (apt-get install stress-ng)" >&2; exit 1; }
fi
mkdir -p "$base"
for i in $(seq 1 "$runs"); do
  d="$base/$commit-$i"; rm -rf "$d"; mkdir -p "$d"
  ln -s "$(dirname "$repo")/shared" "$d/shared"   # the clone's ../shared (evtx corpus), as beside the repository
  git clone -q "$repo" "$d/repo" && git -C "$d/repo" checkout -q "$commit"
  spid=""
  if [ -n "$load" ]; then $load & spid=$!; fi
  t0=$(date +%s)
  (cd "$d/repo" && scripts/test) > "$d.log" 2>&1; rc=$?
  t1=$(date +%s)
  if [ -n "$spid" ]; then kill "$spid"; wait "$spid" 2>/dev/null; fi
  echo "run $i of $runs ($(date +%H:%M)): commit $commit exit $rc, $((t1 - t0)) s, load ${load:-from outside}, load avg" \
    "$(cut -d' ' -f1-3 /proc/loadavg): $(tail -1 "$d.log")" | tee -a "$base/summary.txt"
  cp "$d/repo/build/mingw/Testing/Temporary/LastTest.log" "$d.mingw.LastTest.log" 2>/dev/null
  cp "$d/repo/build/native/Testing/Temporary/LastTest.log" "$d.native.LastTest.log" 2>/dev/null
  rm -rf "$d"
done
