#!/usr/bin/env bash
# tests/fuzz/run-all.sh SECONDS [TARGET...]: every libFuzzer target (or those
# named) for SECONDS each, one after the other.
#   1. builds them: clang-14, CMake -DOHC_FUZZ=ON (ASan + UBSan, any UB fatal)
#      in $OHC_FUZZ_BUILD_DIR (default build/fuzz);
#   2. replays tests/fuzz/regressions/TARGET-* (inputs that once failed);
#   3. fuzzes from the seeds (tests/fuzz/seeds.py from the fixtures and rules;
#      for evtx the files of ../shared/evtx-corpus, read in place) and the
#      corpus kept across runs in BUILD/corpus/TARGET.
# Prints one line per target: executions, libFuzzer's cov: (edges reached)
# and ft: figures, corpus size. Fails on a crash, leak, sanitizer report, an
# input over 1 s or 512 MB; the input is kept in BUILD/artifacts/ so it can go
# to tests/fuzz/regressions/TARGET-<what> with the fix.
set -euo pipefail
secs=${1:?usage: run-all.sh SECONDS [TARGET...]}; shift
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=${OHC_FUZZ_BUILD_DIR:-$src/build/fuzz}
# max_len per target: the largest input worth trying (an .evtx chunk is 64 KiB)
declare -A MAXLEN=([evtx]=131072 [proxy]=4096 [rules]=65536 [evaluate]=65536 [jsonlogic]=16384
                   [event27]=4096 [event_xml]=16384 [settings]=8192 [spool]=16384 [oab_manifest]=8192
                   [eventlog_state]=16384 [autodiscover]=16384 [oab_local]=8192 [state_files]=8192)
targets=("$@")
if [ "${#targets[@]}" = 0 ]; then
  for f in "$here"/fuzz_*.c; do n=$(basename "$f" .c); targets+=("${n#fuzz_}"); done
fi

command -v clang-14 > /dev/null || { echo "run-all: clang-14 missing (scripts/bootstrap installs it)" >&2; exit 1; }
mkdir -p "$build"
cmake -S "$src" -B "$build" -DCMAKE_C_COMPILER=clang-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOHC_FUZZ=ON \
  > "$build/configure.log" 2>&1 || { cat "$build/configure.log" >&2; exit 1; }
cmake --build "$build" -j"$(nproc)" --target ohc_fuzzers > "$build/build.log" 2>&1 \
  || { tail -40 "$build/build.log" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/ohc-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
export TMPDIR="$work"   # what a target writes (the spool's files) goes there
# ASan keeps 256 MB of freed memory in quarantine by default: with a target that
# allocates much per input (evaluate renders three reports) that alone took the
# process past the 512 MB limit in its first thousand inputs (506 MB, not a
# leak: 168 MB with a 64 MB quarantine). The limit is for what the code keeps.
export ASAN_OPTIONS="quarantine_size_mb=64${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
mkdir -p "$build/artifacts"
failed=0
for t in "${targets[@]}"; do
  exe="$build/tests/fuzz/fuzz_$t"
  [ -x "$exe" ] || { echo "run-all: no target fuzz_$t" >&2; exit 1; }
  for f in "$here/regressions/$t"-*; do
    [ -f "$f" ] || continue
    "$exe" "$f" > "$work/replay.log" 2>&1 || {
      tail -30 "$work/replay.log" >&2; echo "FAIL: fuzz_$t: regression input $f fails again" >&2; failed=1; continue 2; }
  done
  seeds="$work/seeds-$t"; mkdir -p "$seeds" "$build/corpus/$t"
  if [ "$t" = evtx ]; then
    cp "$src/../shared/evtx-corpus/"*.evtx "$seeds/" 2>/dev/null || true
  elif [ "$t" = proxy ]; then
    /usr/bin/python3 - "$seeds" <<'PY'
import os, struct, sys
d = sys.argv[1]
def blob(ver, flags, *strs):
    b = struct.pack("<III", ver, 0, flags)
    for s in strs: b += struct.pack("<I", len(s)) + s
    return b
open(os.path.join(d, "winhttp"), "wb").write(b"\x00" + blob(0x18, 3, b"proxy:8080", b"<local>"))
open(os.path.join(d, "wininet"), "wb").write(b"\x01" + blob(0x46, 5, b"", b"", b"http://wpad/proxy.pac") + b"\x00" * 32)
open(os.path.join(d, "regsz"), "wb").write(b"\x06" + "0x2F\0".encode("utf-16-le"))
open(os.path.join(d, "list"), "wb").write(b"\x03http=a:80;https=http://u:p@[::1]:3128/ socks=b")
PY
  else
    /usr/bin/python3 "$here/seeds.py" "$t" "$seeds"
  fi
  # A timeout (-timeout=1: an input over 1 s) is replayed alone to confirm it: on a loaded machine a
  # niced fuzzer can be starved for more than a second of wall time. An input that replays in under
  # 1 s of CPU was the machine, not the code: said so, dropped, and the target fuzzes on for its time left.
  start=$SECONDS; execs=0; rc=0; done_line=""
  while :; do
    left=$(( secs - (SECONDS - start) )); [ "$left" -ge 1 ] || break
    set +e
    "$exe" -max_total_time="$left" -timeout=1 -rss_limit_mb=512 -max_len="${MAXLEN[$t]:-8192}" \
      -print_final_stats=1 -artifact_prefix="$build/artifacts/$t-" "$build/corpus/$t" "$seeds" > "$work/$t.log" 2>&1
    rc=$?
    set -e
    execs=$(( execs + $(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t.log" | tail -1 | grep -E '^[0-9]+$' || echo 0) ))
    done_line=$(grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE)' "$work/$t.log" | tail -1 || true)
    [ "$rc" != 0 ] || break
    slow=$(ls -t "$build/artifacts/$t-timeout-"* 2>/dev/null | head -1 || true)
    grep -q 'ERROR: libFuzzer: timeout' "$work/$t.log" && [ -n "$slow" ] || break
    # CPU time, not wall time: on a machine this busy the replay itself can be
    # starved past a second (seen in a full suite at load 10), a slow input cannot.
    ms=$(/usr/bin/python3 -c '
import resource, subprocess, sys
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=20)
u = resource.getrusage(resource.RUSAGE_CHILDREN)
print(int((u.ru_utime + u.ru_stime) * 1000) if r.returncode == 0 else "failed")' "$exe" "$slow" 2>/dev/null || echo failed)
    [ "$ms" != failed ] && [ "$ms" -lt 1000 ] || break
    echo "fuzz_$t: a timeout under load, not reproduced (the input replays alone in $ms ms of CPU): fuzzing on" >&2
    rm -f "$slow"; rc=0
  done
  cov=$(printf '%s' "$done_line" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
  ft=$(printf '%s' "$done_line" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
  printf 'fuzz_%-10s %5s s  %9s execs  cov %5s  ft %6s  corpus %5s\n' "$t" "$secs" "${execs:-?}" "${cov:-?}" "${ft:-?}" \
    "$(ls "$build/corpus/$t" | wc -l)"
  if [ "$rc" != 0 ]; then
    grep -E -A30 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|ALARM' "$work/$t.log" | head -50 >&2 || tail -40 "$work/$t.log" >&2
    ls "$build/artifacts/$t-"* 2>/dev/null | sed 's/^/artifact kept: /' >&2 || true
    echo "FAIL: fuzz_$t found a problem (exit $rc)" >&2
    failed=1
  fi
done
exit "$failed"
