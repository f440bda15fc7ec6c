# Sourced by integration/test_*.sh. ctest sets OHC_EXE, OHC_PLATFORM (native |
# windows), OHC_SOURCE_DIR, OHC_BUILD_DIR, OHC_SCHEMA and, for windows,
# WINEPREFIX and OHC_WINE_RUN.
set -euo pipefail
: "${OHC_EXE:?run integration tests through ctest}"
PYTHON=${PYTHON:-/usr/bin/python3}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ohc-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# ohc ARGS...: runs the ohc under test (ohc.exe under Wine on windows).
ohc() {
  if [ "$OHC_PLATFORM" = windows ]; then "$OHC_WINE_RUN" "$OHC_EXE" "$@"; else "$OHC_EXE" "$@"; fi
}

# A path ohc.exe understands for a file under $TMP (Wine maps / to Z:).
winpath() {
  if [ "$OHC_PLATFORM" = windows ]; then printf 'Z:%s' "$1" | tr / '\\'; else printf '%s' "$1"; fi
}

# regacl ARGS...: tests/win32/regacl.c under Wine (get/set/check a key's DACL,
# read-unelevated); prints its answer, never fails the script by itself.
regacl() { "$OHC_WINE_RUN" "$OHC_REGACL" "$@" 2>&1 | tr -d '\r' || true; }

# run_report CMD...: a command that writes a report (ohc collect / evaluate). Exit 0-2 follow the
# findings; 3 is also a finished report when some checks could not run (verdict "incomplete": the
# events probe is unavailable natively and under Wine); the caller validates the report. Sets $rc.
run_report() {
  set +e; "$@"; rc=$?; set -e
  [ "$rc" -le 3 ] || fail "exit $rc: $*"
}

validate_report() { "$PYTHON" "$OHC_SOURCE_DIR/tests/tools/validate_report.py" "$@"; }

# jq-like lookups without jq: json_get FILE 'expr on r' prints the Python value.
json_get() { "$PYTHON" -c 'import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

fail() { echo "FAIL: $*" >&2; exit 1; }
expect_eq() { [ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"; }
expect_contains() { case "$1" in *"$2"*) ;; *) fail "$3: '$2' not in output: $1";; esac; }

# fuzz_build NAME LIBS SOURCE...: $OHC_BUILD_DIR/fuzz/fuzz_NAME from tests/fuzz/fuzz_NAME.c and the
# collector sources named (relative to collector/: evtx/evtx.c), with clang-14's libFuzzer, ASan and
# UBSan (any UB report is fatal).
fuzz_build() {
  local name=$1 libs=$2; shift 2
  local clang src=() f
  clang=$(command -v clang-14 || true)
  [ -n "$clang" ] || fail "clang-14 missing (scripts/bootstrap installs clang-14 and libclang-rt-14-dev)"
  for f in "$@"; do src+=("$OHC_SOURCE_DIR/collector/$f"); done
  local inc=() d
  for d in "$OHC_SOURCE_DIR"/collector/*/; do inc+=(-I "$d"); done
  mkdir -p "$OHC_BUILD_DIR/fuzz"
  # shellcheck disable=SC2086  # libs is a list of -l flags
  "$clang" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    "${inc[@]}" -o "$OHC_BUILD_DIR/fuzz/fuzz_$name" \
    "$OHC_SOURCE_DIR/tests/fuzz/fuzz_$name.c" "${src[@]}" $libs || fail "cannot build the fuzz target $name"
}

# fuzz_run NAME SECONDS MAX_LEN CORPUS...: first replays the inputs that once failed
# (tests/fuzz/regressions/NAME-*), then fuzzes for SECONDS from the corpus dirs. Fails on any crash,
# leak, sanitizer report, input over 1 s or 512 MB; the input is kept in $OHC_BUILD_DIR/fuzz/ so it
# can go to tests/fuzz/regressions/ with the fix.
fuzz_run() {
  local name=$1 secs=$2 maxlen=$3; shift 3
  local exe="$OHC_BUILD_DIR/fuzz/fuzz_$name" f a rc
  for f in "$OHC_SOURCE_DIR/tests/fuzz/regressions/$name"-*; do
    [ -f "$f" ] || continue
    "$exe" "$f" > "$TMP/replay.log" 2>&1 || { tail -20 "$TMP/replay.log"; fail "regression input $f"; }
  done
  mkdir -p "$TMP/new"
  set +e
  "$exe" -max_total_time="$secs" -timeout=1 -rss_limit_mb=512 -max_len="$maxlen" \
    -print_final_stats=1 -artifact_prefix="$TMP/" "$TMP/new" "$@" > "$TMP/fuzz.log" 2>&1
  rc=$?
  set -e
  grep -E "^(stat::number_of_executed_runs|stat::peak_rss_mb|#[0-9]+ +DONE)" "$TMP/fuzz.log" || true
  if [ "$rc" != 0 ]; then
    tail -40 "$TMP/fuzz.log"
    for a in "$TMP"/crash-* "$TMP"/timeout-* "$TMP"/leak-* "$TMP"/oom-*; do
      [ -f "$a" ] && cp "$a" "$OHC_BUILD_DIR/fuzz/" && echo "artifact kept: $OHC_BUILD_DIR/fuzz/$(basename "$a")"
    done
    fail "fuzzer $name found a problem (exit $rc)"
  fi
}
